package krm

import (
	"maps"
	"slices"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// validateEastWestGatewayAPI refuses what the Gateway API rendering of the EastWest pattern
// cannot make work (see fn/render/gatewayapi_eastwest.go for what it renders).
//
// In ambient mode the east-west gateway is a Gateway of class istio-east-west with one listener,
// mesh (HBONE on 15008), as Istio's samples/multicluster/gen-eastwest-gateway.sh --ambient
// writes it. That shape fixes four things:
//   - istiod serves that listener only to a waypoint proxy deployed by Istio itself (the waypoint
//     template, pods labelled gateway.istio.io/managed: istio.io-eastwest-controller: see
//     model.Proxy.IsAmbientEastWestGateway); the istio/gateway chart's pods are injected with the
//     gateway template and run as a router proxy, so the chart's workload cannot be one.
//   - other clusters' istiods find an istio-east-west Gateway by the topology.istio.io/network
//     label on the Gateway itself (pilot/pkg/serviceregistry/ambient/networks.go), so the network
//     must be named (the script refuses --ambient without --network).
//   - Istio's ambient multicluster supports multi-primary only, and its east-west gateway carries
//     only meshed mTLS: istiod cannot be exposed through it ("Gateway Limitations" in Istio's
//     ambient multicluster install docs).
//   - without the mesh listener there is nothing left to render.
func (gp *GatewayPattern) validateEastWestGatewayAPI(r *Problems) {
	spec := field.NewPath("spec")
	path := spec.Child("eastWest")
	ew := gp.EastWestBlock()
	if gp.Spec.Mode != ModeAmbient {
		if gp.Spec.Workload == WorkloadAutomated {
			r.errorf(spec.Child("workload"), gp.Spec.Workload, "a sidecar-mode east-west gateway deployed by Istio (class istio) gets the topology.istio.io/network label but not ISTIO_META_REQUESTED_NETWORK_VIEW, which keeps an east-west gateway from passing traffic on to another network's gateway; the Gateway API rendering of EastWest does not map that yet: use workload: Chart (the chart sets both from eastWest.network)")
		}
		return
	}
	if gp.Spec.Workload == WorkloadChart {
		r.errorf(spec.Child("workload"), gp.Spec.Workload, "the ambient east-west gateway (class istio-east-west) is a waypoint proxy that Istio deploys itself: istiod serves its HBONE listener only to pods of Istio's waypoint template, and the istio/gateway chart's pods run as a router proxy; set workload: Automated")
	}
	if ew.Network == "" {
		r.Errors = append(r.Errors, field.Required(path.Child("network"), "the ambient east-west gateway's topology.istio.io/network label: the other clusters' istiods find an istio-east-west Gateway by that label on the Gateway itself (gen-eastwest-gateway.sh --ambient requires --network too)"))
	}
	if !*ew.ExposeServices {
		r.errorf(path.Child("exposeServices"), false, "the ambient east-west gateway is its one listener, mesh (HBONE on 15008), which carries the meshed traffic of every service; without it there is nothing to render: remove exposeServices: false")
	}
	if ew.ExposeIstiod {
		r.Errors = append(r.Errors, field.Forbidden(path.Child("exposeIstiod"), "an ambient east-west gateway carries only meshed mTLS (HBONE on 15008) and Istio's ambient multicluster supports multi-primary only, so istiod cannot be exposed through it; expose istiod with a sidecar-mode east-west gateway (a second GatewayPattern with mode: Sidecar)"))
	}
	if gp.Spec.Workload == WorkloadAutomated {
		for _, key := range slices.Sorted(maps.Keys(gp.Spec.Values)) {
			r.errorf(spec.Child("values", key), gp.Spec.Values[key], "with workload: Automated Istio deploys the ambient east-west gateway from its own template; chart values are not mapped to it yet: remove spec.values")
		}
	}
}
