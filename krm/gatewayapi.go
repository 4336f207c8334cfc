package krm

import (
	"slices"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// API is the API the generated routing objects use.
type API string

const (
	// APIIstio: Istio's own networking API (Gateway, VirtualService, DestinationRule,
	// ServiceEntry, AuthorizationPolicy). The default.
	APIIstio API = "Istio"
	// APIGatewayAPI: the Kubernetes Gateway API (gateway.networking.k8s.io Gateway, HTTPRoute,
	// TLSRoute, ...), with Istio's objects only where the Gateway API has no equivalent.
	APIGatewayAPI API = "GatewayAPI"
)

// APIs are the APIs spec.api accepts.
var APIs = []API{APIIstio, APIGatewayAPI}

// WorkloadSource is how the gateway's workload (Deployment, Service, ...) comes to exist.
type WorkloadSource string

const (
	// WorkloadChart: the function renders the workload of the istio/gateway chart, as with the
	// Istio API ("manual deployment" in Istio's Gateway API documentation). The default.
	WorkloadChart WorkloadSource = "Chart"
	// WorkloadAutomated: Istio deploys the workload of each Gateway API Gateway itself; the
	// function renders no workload, and maps what spec.values says to what Istio reads from a
	// Gateway. Only with api GatewayAPI.
	WorkloadAutomated WorkloadSource = "Automated"
)

// WorkloadSources are the values spec.workload accepts.
var WorkloadSources = []WorkloadSource{WorkloadChart, WorkloadAutomated}

// DataPlaneMode is the data plane mode of the workloads a pattern serves.
type DataPlaneMode string

const (
	// ModeSidecar: the applications run with Envoy sidecars. The default.
	ModeSidecar DataPlaneMode = "Sidecar"
	// ModeAmbient: the applications run in ambient mode (ztunnel, waypoints, HBONE). Only with
	// api GatewayAPI.
	ModeAmbient DataPlaneMode = "Ambient"
)

// DataPlaneModes are the values spec.mode accepts.
var DataPlaneModes = []DataPlaneMode{ModeSidecar, ModeAmbient}

// UsesGatewayAPI reports whether the GatewayPattern renders Gateway API objects.
func (gp *GatewayPattern) UsesGatewayAPI() bool { return gp.Spec.API == APIGatewayAPI }

// RendersChartWorkload reports whether the function renders the chart's workload: always with
// the Istio API, and with the Gateway API unless Istio deploys the workload itself.
func (gp *GatewayPattern) RendersChartWorkload() bool {
	return !gp.UsesGatewayAPI() || gp.Spec.Workload != WorkloadAutomated
}

func (gp *GatewayPattern) defaultAPI() {
	if gp.Spec.API == "" {
		gp.Spec.API = APIIstio
	}
	if gp.Spec.Workload == "" {
		gp.Spec.Workload = WorkloadChart
		if gp.Spec.API == APIGatewayAPI && gp.Spec.Mode == ModeAmbient && (gp.Spec.Pattern == Egress || gp.Spec.Pattern == EastWest) {
			// Istio deploys waypoints and ambient east-west gateways itself; the chart's workload
			// cannot be either (refused when written), so the default is the one that works.
			gp.Spec.Workload = WorkloadAutomated
		}
	}
	if gp.Spec.Mode == "" {
		gp.Spec.Mode = ModeSidecar
	}
}

// gatewayAPIPatterns are the patterns whose Gateway API rendering exists.
var gatewayAPIPatterns = []Pattern{Ingress, Egress, EastWest}

func (gp *GatewayPattern) validateAPI(r *Problems) {
	spec := field.NewPath("spec")
	api, workload, mode := gp.Spec.API, gp.Spec.Workload, gp.Spec.Mode
	if !slices.Contains(APIs, api) {
		r.Errors = append(r.Errors, field.NotSupported(spec.Child("api"), api, APIs))
	}
	if !slices.Contains(WorkloadSources, workload) {
		r.Errors = append(r.Errors, field.NotSupported(spec.Child("workload"), workload, WorkloadSources))
	}
	if !slices.Contains(DataPlaneModes, mode) {
		r.Errors = append(r.Errors, field.NotSupported(spec.Child("mode"), mode, DataPlaneModes))
	}
	if api != APIIstio {
		if api == APIGatewayAPI && slices.Contains(Patterns, gp.Spec.Pattern) && !slices.Contains(gatewayAPIPatterns, gp.Spec.Pattern) {
			r.errorf(spec.Child("api"), api, "the Gateway API rendering of pattern %s is not built yet; use api: Istio", gp.Spec.Pattern)
		}
		if in := gp.Spec.Ingress; api == APIGatewayAPI && in != nil && gp.Spec.Pattern == Ingress {
			validateGatewayAPIIngress(in, spec.Child("ingress"), r)
		}
		if api == APIGatewayAPI && gp.Spec.Pattern == EastWest {
			gp.validateEastWestGatewayAPI(r)
		}
		if api == APIGatewayAPI && gp.Spec.Pattern == Egress {
			gp.validateGatewayAPIEgress(r)
		}
		return
	}
	if workload == WorkloadAutomated {
		r.Errors = append(r.Errors, field.Forbidden(spec.Child("workload"),
			"Automated needs spec.api: GatewayAPI: Istio deploys a gateway's workload only for a Gateway API Gateway"))
	}
	if mode == ModeAmbient {
		r.Errors = append(r.Errors, field.Forbidden(spec.Child("mode"),
			"Ambient needs spec.api: GatewayAPI: ambient mode's gateways, waypoints and east-west gateway are Gateway API objects"))
	}
}
