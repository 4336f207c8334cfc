package krm

import (
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// gatewayAPIMaxListeners is how many listeners the Gateway API lets one Gateway have (the CRD's
// maxItems on spec.listeners).
const gatewayAPIMaxListeners = 64

// EgressThroughWaypoint reports whether the Egress pattern's hosts leave through an ambient
// waypoint (api GatewayAPI, mode Ambient) rather than an egress gateway that sidecars send to.
func (gp *GatewayPattern) EgressThroughWaypoint() bool {
	return gp.Spec.Pattern == Egress && gp.UsesGatewayAPI() && gp.Spec.Mode == ModeAmbient
}

// gatewayAPIListeners is the number of listeners the sidecar-mode Gateway API Gateway of e has:
// over the mutual-TLS hop, one for every HTTP host (which the gateway ends, then routes by the
// Host header) and one per HTTPS or TLS host (told by the hop's SNI, the host); over the plain
// hop, one per host and protocol class (HTTP on 80, TLS on 443, each with the host as its
// hostname).
func (e *EgressSpec) gatewayAPIListeners() int {
	if e.SidecarToGateway == SidecarToGatewayMutual {
		n, tlsHosts := 0, map[string]bool{}
		for _, h := range e.Hosts {
			switch {
			case h.Protocol == EgressHTTP:
				n = 1
			case h.PassesTLS():
				tlsHosts[strings.ToLower(h.Host)] = true
			}
		}
		return n + len(tlsHosts)
	}
	type class struct {
		host string
		tls  bool
	}
	seen := map[class]bool{}
	for _, h := range e.Hosts {
		seen[class{strings.ToLower(h.Host), h.Protocol != EgressHTTP}] = true
	}
	return len(seen)
}

// validateGatewayAPIEgress refuses what the Egress pattern says and its Gateway API rendering
// cannot: each refusal names the field and why.
func (gp *GatewayPattern) validateGatewayAPIEgress(r *Problems) {
	e := gp.Spec.Egress
	if gp.Spec.Pattern != Egress || e == nil {
		return
	}
	path := field.NewPath("spec", "egress")
	if gp.Spec.Mode == ModeAmbient {
		validateWaypointEgress(gp, e, path, r)
		return
	}
	mutual := e.SidecarToGateway == SidecarToGatewayMutual
	for i, h := range e.Hosts {
		p := path.Child("hosts").Index(i)
		if mutual && h.Protocol == EgressTCP {
			r.errorf(p.Child("protocol"), h.Protocol, "with api: GatewayAPI only HTTP, HTTPS and TLS hosts take the mutual-TLS hop (an HTTPS or TLS host through a hop Service of its own whose DestinationRule gives the hop the host's name as SNI); plain TCP carries no host name of its own and is not rendered that way: use mode: Ambient (a waypoint tells TCP destinations apart by the address the application dialled) or api: Istio")
		}
	}
	if n := e.gatewayAPIListeners(); n > gatewayAPIMaxListeners {
		if mutual {
			r.errorf(path.Child("hosts"), n, "over the mutual-TLS hop the Gateway has a listener per HTTPS or TLS host, plus one shared by the HTTP hosts (%d here), and the Gateway API allows %d per Gateway: split the hosts over two GatewayPatterns", n, gatewayAPIMaxListeners)
		} else {
			r.errorf(path.Child("hosts"), n, "with sidecarToGateway: DISABLE the Gateway has a listener per host and protocol (%d here), and the Gateway API allows %d per Gateway: split the hosts over two GatewayPatterns, or use sidecarToGateway: ISTIO_MUTUAL for HTTP hosts (one listener for them all)", n, gatewayAPIMaxListeners)
		}
	}
}

// validateWaypointEgress refuses what an ambient waypoint cannot do of the egress block.
func validateWaypointEgress(gp *GatewayPattern, e *EgressSpec, path *field.Path, r *Problems) {
	if gp.Spec.Workload == WorkloadChart {
		r.Errors = append(r.Errors, field.Invalid(field.NewPath("spec", "workload"), gp.Spec.Workload,
			"in ambient mode the hosts leave through a waypoint, which Istio deploys for its Gateway of class istio-waypoint; the istio/gateway chart does not render waypoints: use workload: Automated"))
	}
	if e.SidecarToGateway == SidecarToGatewayDisable {
		r.errorf(path.Child("sidecarToGateway"), e.SidecarToGateway, "in ambient mode ztunnel always reaches the waypoint over HBONE, which is Istio mutual TLS; there is no plain hop to choose: remove sidecarToGateway")
	}
	if e.Lockdown != nil {
		r.Errors = append(r.Errors, field.Invalid(path.Child("lockdown"), "{...}",
			"the lockdown's Sidecar (outboundTrafficPolicy REGISTRY_ONLY) applies to sidecars, and ambient workloads have none, so it would not stop them from reaching other hosts: remove lockdown, and restrict ambient workloads with NetworkPolicies of your own (or mode: Sidecar)"))
	}
	for i, h := range e.Hosts {
		if !IsWildcard(h.Host) {
			continue
		}
		p := path.Child("hosts").Index(i)
		switch h.Protocol {
		case EgressHTTPS, EgressTLS:
			// Istio's ServiceEntry validation refuses DYNAMIC_DNS on an HTTPS port; on a TLS port
			// it takes it, but istiod gives the waypoint no cluster for it unless its experimental
			// ENABLE_WILDCARD_HOST_SERVICE_ENTRIES_FOR_TLS is on (pilot/pkg/networking/core/
			// cluster_waypoint.go; the flag's own warning: "susceptible to SNI spoofing").
			r.errorf(p.Child("protocol"), h.Protocol, "a waypoint resolves a wildcard's names (DYNAMIC_DNS) for TLS only with istiod's experimental ENABLE_WILDCARD_HOST_SERVICE_ENTRIES_FOR_TLS (off by default: the SNI the application sends picks the address, and can be spoofed), which this function cannot see; without it the waypoint has no cluster for the host: list each host under the wildcard by name, or use protocol HTTP (with tlsOrigination for HTTPS to the host)")
		case EgressTCP:
			r.errorf(p.Child("protocol"), h.Protocol, "plain TCP carries no host name for the waypoint to resolve under the wildcard (Istio takes DYNAMIC_DNS only on HTTP ports here): use protocol HTTP, or list the host by name")
		}
	}
}
