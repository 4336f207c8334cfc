package krm

import (
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
		if gp.IsAutomated() && !*ew.ExposeServices && !ew.ExposeIstiod {
			r.errorf(path.Child("exposeServices"), false, "with workload: Automated the Gateway is the whole east-west gateway, and with neither exposeServices nor exposeIstiod it has no listener (a Gateway needs one); expose something, or use workload: Chart")
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
}

// eastWestListenerPorts are the ports of the east-west Gateway's listeners (what Istio's
// automated deployment exposes on its Service, with the status port).
func (gp *GatewayPattern) eastWestListenerPorts() []int32 {
	if gp.Spec.Mode == ModeAmbient {
		return []int32{HBONEPort}
	}
	ew := gp.EastWestBlock()
	var ports []int32
	if *ew.ExposeServices {
		ports = append(ports, CrossNetworkPort)
	}
	if ew.ExposeIstiod {
		ports = append(ports, IstiodPort, WebhookPort)
	}
	return ports
}

// HBONEPort is the ambient east-west gateway's listener port (HBONE, double-HBONE tunnels).
const HBONEPort int32 = 15008
