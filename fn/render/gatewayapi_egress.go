package render

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/gatewaypattern/gateway-pattern/krm"
)

// gatewayAPIEgressObjects renders the Egress pattern with the Gateway API: through an egress
// gateway the sidecars send to (mode Sidecar), or through an ambient waypoint (mode Ambient).
// Istio's ServiceEntry, DestinationRule and AuthorizationPolicy stay beside the Gateway API
// objects: the Gateway API has no way to declare an external host, a TLS origination with
// Istio's settings, or who may use a gateway.
func gatewayAPIEgressObjects(gp *krm.GatewayPattern, values *krm.ChartValues) []*mapping {
	e := gp.Spec.Egress
	if e == nil || len(e.Hosts) == 0 {
		return nil
	}
	g := newIstioGateway(gp, values)
	g.deployedByIstio = !gp.RendersChartWorkload()
	if gp.Spec.Mode == krm.ModeAmbient {
		return waypointEgress{istioGateway: g, gp: gp, values: values, e: e}.objects()
	}
	return sidecarEgress{istioGateway: g, gp: gp, values: values, e: e,
		service: gatewayAPIServiceName(gp, values, classIstio)}.objects()
}

// sidecarEgress is the Gateway API form of Istio's "Egress Gateways" task (its Gateway API tab):
// per host, a route attached to the host's ServiceEntry sends the sidecars' traffic to the
// gateway Service, and a route on the Gateway forwards it to the host (a backendRef of Istio's
// kind Hostname).
type sidecarEgress struct {
	istioGateway
	gp      *krm.GatewayPattern
	values  *krm.ChartValues
	e       *krm.EgressSpec
	service string // the gateway Service: the chart's, or the one Istio deploys (<gateway>-istio)
}

// mutualListener is the one listener that ends the sidecars' mutual-TLS hop for every HTTP host.
const mutualListener = "istio-mutual"

func (x sidecarEgress) mutual() bool { return x.e.SidecarToGateway == krm.SidecarToGatewayMutual }

func (x sidecarEgress) serviceFQDN() string {
	return x.service + "." + x.namespace + ".svc.cluster.local"
}

// mutualHTTP reports whether some host is HTTP: over the mutual-TLS hop these share one listener.
func (x sidecarEgress) mutualHTTP() bool {
	for _, h := range x.e.Hosts {
		if h.Protocol == krm.EgressHTTP {
			return true
		}
	}
	return false
}

// mutualTLSEntry is the entry of group whose TLS (HTTPS or TLS) takes the mutual-TLS hop, if any
// (validation allows one such entry per host: they all reach the gateway on 443 by the host's SNI).
func (x sidecarEgress) mutualTLSEntry(group krm.EgressHostGroup) (krm.EgressHost, bool) {
	if !x.mutual() {
		return krm.EgressHost{}, false
	}
	for _, h := range group.Entries {
		if h.PassesTLS() {
			return h, true
		}
	}
	return krm.EgressHost{}, false
}

// hopServiceName is the Service the sidecars send a TLS host's mutual-TLS hop to: the gateway's
// pods under a name of the host's own, so that a DestinationRule can give the hop the host's SNI.
// It is named like the host's other objects (<gateway>-<host slug>) when that is a DNS label, which
// a Service name must be; a longer one is cut, with a hash of the host to keep it apart.
func (x sidecarEgress) hopServiceName(group krm.EgressHostGroup) string {
	name := x.egressName(group)
	if len(name) <= 63 {
		return name
	}
	sum := sha256.Sum256([]byte(strings.ToLower(group.Host)))
	return strings.TrimRight(name[:54], "-") + "-" + hex.EncodeToString(sum[:4])
}

func (x sidecarEgress) hopServiceFQDN(group krm.EgressHostGroup) string {
	return x.hopServiceName(group) + "." + x.namespace + ".svc.cluster.local"
}

// mutualTargetPort is the gateway pods' port behind the gateway Service's 443, where the
// mutual-TLS hop arrives: the chart Service's targetPort, or 443 on the pods Istio deploys (its
// Service sends each listener's port to the same port).
func (x sidecarEgress) mutualTargetPort() int32 {
	if x.deployedByIstio {
		return krm.EgressTLSPort
	}
	for _, sp := range x.values.Service.Ports {
		if sp.Port != nil && *sp.Port == krm.EgressTLSPort && sp.TargetPort != nil && *sp.TargetPort != 0 {
			return *sp.TargetPort
		}
	}
	return krm.EgressTLSPort
}

// hopService is the per-host Service in front of the gateway's pods. Istio's own rendering gives
// the hop of each TLS host the host's name as SNI with a DestinationRule subset of the gateway
// Service; a Gateway API backendRef names a Service and a port, never a subset, so the host gets a
// Service of its own (selecting the same pods, on the pods' mutual-TLS port) whose DestinationRule
// (hopServiceRule) sets that SNI. The gateway then picks the host's listener by it, and forwards
// the application's own TLS untouched. The port is named tls, so Istio takes it as TLS.
func (x sidecarEgress) hopService(group krm.EgressHostGroup, h krm.EgressHost) *mapping {
	meta := newMapping().set("name", x.hopServiceName(group)).set("namespace", x.namespace)
	spec := newMapping().
		set("selector", x.podLabels()).
		set("ports", []*mapping{newMapping().
			set("name", "tls").
			set("port", h.Port).
			set("protocol", "TCP").
			set("targetPort", x.mutualTargetPort())})
	return object("v1", "Service", meta).set("spec", spec)
}

// hopServiceRule makes the sidecars speak Istio mutual TLS to a TLS host's hop Service with the
// host's name as SNI (Istio's mesh certificates still authenticate both ends; the SNI only picks
// the gateway's listener).
func (x sidecarEgress) hopServiceRule(group krm.EgressHostGroup) *mapping {
	return x.object("DestinationRule", x.hopServiceName(group), newMapping().
		set("host", x.hopServiceFQDN(group)).
		set("trafficPolicy", newMapping().set("tls", newMapping().
									set("mode", "ISTIO_MUTUAL").
									set("sni", group.Host))).
		set("exportTo", x.e.SidecarExportTo(x.namespace))) // the sidecars (of every namespace by default) take this hop
}

func (x sidecarEgress) objects() []*mapping {
	groups := x.e.HostGroups()
	out := []*mapping{x.gateway(groups)}
	if x.mutual() && x.mutualHTTP() {
		out = append(out, x.mutualHopRule())
	}
	for _, group := range groups {
		if h, ok := x.mutualTLSEntry(group); ok {
			out = append(out, x.hopService(group, h), x.hopServiceRule(group))
		}
		out = append(out, x.serviceEntry(x.e, group))
		out = append(out, x.routes(group)...)
		if dr := x.originationRule(group); dr != nil {
			out = append(out, dr)
		}
	}
	if len(x.e.AllowedSources) > 0 || x.e.HasHostSources() {
		out = append(out, x.allowedSourcesPolicy(groups))
	}
	if x.e.Lockdown != nil {
		out = append(out, x.lockdownObjects(x.e, x.values)...)
	}
	return out
}

// gateway is the Gateway of class istio. Over the mutual-TLS hop, one HTTPS listener on 443 ends
// Istio mutual TLS (Istio's listener option gateway.istio.io/tls-terminate-mode: ISTIO_MUTUAL,
// read by its Gateway API conversion, pilot/pkg/config/kube/gateway/conversion.go buildTLS) for
// every host, with no hostname: the sidecars' hop carries the gateway Service's own SNI, so the
// routes pick the host by the Host header. Over the plain hop, as in Istio's task, one listener
// per host: HTTP on 80, and TLS on 443 passed through by SNI.
func (x sidecarEgress) gateway(groups []krm.EgressHostGroup) *mapping {
	// With workload Automated, gatewayAPIGateway writes the Service type Istio deploys (the egress
	// pattern's default: ClusterIP, where Istio's own default is LoadBalancer) as the Gateway's
	// networking.istio.io/service-type annotation, as Istio's task does.
	gw := gatewayAPIGateway(x.gp, x.values, classIstio)
	var listeners []*mapping
	if x.mutual() {
		istioMutual := newMapping().
			set("mode", "Terminate").
			set("options", newMapping().set("gateway.istio.io/tls-terminate-mode", "ISTIO_MUTUAL"))
		if x.mutualHTTP() {
			listeners = append(listeners, listener(mutualListener, "", krm.EgressTLSPort, "HTTPS", istioMutual))
		}
		// A TLS host's hop arrives on the same port with the host's SNI: a TLS listener with the
		// host as hostname ends Istio mutual TLS for it (Envoy picks the filter chain by SNI, so
		// this listener and the HTTPS one above coexist on 443), and a TCPRoute passes the
		// application's TLS on.
		for _, group := range groups {
			if _, ok := x.mutualTLSEntry(group); ok {
				listeners = append(listeners, listener("tls-"+group.Slug, group.Host, krm.EgressTLSPort, "TLS", istioMutual))
			}
		}
	} else {
		for _, group := range groups {
			for _, h := range group.Entries {
				if h.Protocol == krm.EgressHTTP {
					listeners = append(listeners, listener(x.listenerName(group, h), group.Host, krm.EgressPlainHTTPPort, "HTTP", nil))
				} else {
					listeners = append(listeners, listener(x.listenerName(group, h), group.Host, krm.EgressTLSPort, "TLS",
						newMapping().set("mode", "Passthrough")))
				}
			}
		}
	}
	(&mapping{child(gw.node, "spec")}).set("listeners", listeners)
	return gw
}

// listener is a Gateway listener that admits routes of the Gateway's namespace only (the
// function's own).
func listener(name, hostname string, port int32, protocol string, tls *mapping) *mapping {
	l := newMapping().
		set("name", name).
		setIf("hostname", hostname).
		set("port", port).
		set("protocol", protocol)
	if tls != nil {
		l.set("tls", tls)
	}
	return l.set("allowedRoutes", newMapping().set("namespaces", newMapping().set("from", "Same")))
}

// listenerName is the listener a host's entry reaches the gateway on.
func (x sidecarEgress) listenerName(group krm.EgressHostGroup, h krm.EgressHost) string {
	switch {
	case x.mutual() && h.PassesTLS():
		return "tls-" + group.Slug
	case x.mutual():
		return mutualListener
	case h.Protocol == krm.EgressHTTP:
		return "http-" + group.Slug
	default:
		return "tls-" + group.Slug
	}
}

// mutualHopRule makes the sidecars speak Istio mutual TLS to the gateway Service's port 443. A
// Gateway API route sends to the Service, not to a subset, so the hop has one TLS setting for
// every host (and Istio's SNI for the Service); the gateway tells the hosts apart by Host header.
func (x sidecarEgress) mutualHopRule() *mapping {
	hop := newMapping().
		set("port", newMapping().set("number", krm.EgressTLSPort)).
		set("tls", newMapping().set("mode", "ISTIO_MUTUAL"))
	return x.object("DestinationRule", x.name, newMapping().
		set("host", x.serviceFQDN()).
		set("trafficPolicy", newMapping().set("portLevelSettings", []*mapping{hop})).
		set("exportTo", x.e.SidecarExportTo(x.namespace))) // the sidecars (of every namespace by default) take this hop
}

// routes are the two hops of each entry of a host: from the sidecars (a route whose parent is the
// host's ServiceEntry, on the application's port) to the gateway Service, and on the Gateway (the
// entry's listener) to the host. An Istio Gateway API route attached to a ServiceEntry of its own
// namespace applies to every namespace that sees the ServiceEntry.
func (x sidecarEgress) routes(group krm.EgressHostGroup) []*mapping {
	var out []*mapping
	for _, h := range group.Entries {
		meshParent := newMapping().
			set("group", "networking.istio.io").
			set("kind", "ServiceEntry").
			set("name", x.egressName(group)).
			set("port", h.Port)
		toGateway := newMapping().set("name", x.service).set("port", x.e.GatewayPort(h))
		gatewayParent := newMapping().set("name", x.name).set("sectionName", x.listenerName(group, h))
		target := h.Port
		if h.TLSOrigination {
			target = 443 // the gateway upgrades to HTTPS (see the origination DestinationRule)
		}
		toHost := newMapping().
			set("group", "networking.istio.io").
			set("kind", "Hostname").
			set("name", group.Host).
			set("port", target)
		kind, gatewayKind := "HTTPRoute", "HTTPRoute"
		if h.Protocol != krm.EgressHTTP {
			kind, gatewayKind = "TLSRoute", "TLSRoute" // by SNI; TLSRoute requires hostnames, even on a ServiceEntry
		}
		if x.mutual() && h.PassesTLS() {
			// The hop goes to the host's own hop Service (its SNI is the host); the gateway's
			// listener for the host ends it and a TCPRoute passes the application's TLS on.
			toGateway = newMapping().set("name", x.hopServiceName(group)).set("port", h.Port)
			gatewayKind = "TCPRoute"
		}
		meshSpec := newMapping().set("parentRefs", []*mapping{meshParent})
		if kind == "TLSRoute" {
			meshSpec.set("hostnames", []string{group.Host})
		}
		gatewaySpec := newMapping().set("parentRefs", []*mapping{gatewayParent})
		if gatewayKind != "TCPRoute" { // a TCPRoute has no hostnames: its listener has the host's
			gatewaySpec.set("hostnames", []string{group.Host})
		}
		out = append(out,
			gatewayAPIObject(x.gp, kind, x.egressName(group)+"-mesh", meshSpec.
				set("rules", []*mapping{newMapping().set("backendRefs", []*mapping{toGateway})})),
			gatewayAPIObject(x.gp, gatewayKind, x.egressName(group), gatewaySpec.
				set("rules", []*mapping{newMapping().set("backendRefs", []*mapping{toHost})})))
	}
	return out
}

// allowedSourcesPolicy admits to the gateway only the listed workloads, identified by the
// mutual-TLS hop. A host with allowedSources of its own admits those only: an HTTP host told by
// the request's Host, with and without a port, as Istio's security best practices advise for hosts
// matches; an HTTPS or TLS host by the hop's SNI (connection.sni, its hop Service's SNI is the
// host), since the gateway does not open the application's TLS and Istio ignores an ALLOW rule
// with HTTP fields on such a connection. The gateway-wide list then admits to every other host:
// one rule for the HTTP hosts (told apart from the TLS hosts by SNI, so that it never admits to
// them where its HTTP fields do not apply), one for the TLS hosts by SNI.
// It selects the gateway's pods: with the chart's workload by its labels (Istio binds a policy's
// targetRefs Gateway to the pods labelled with the Gateway's name, which the chart's are not);
// with the workload Istio deploys, by targetRefs to the Gateway, as Istio documents for Gateway
// API gateways.
func (x sidecarEgress) allowedSourcesPolicy(groups []krm.EgressHostGroup) *mapping {
	hosts := func(host string) []string { return []string{host, host + ":*"} }
	sni := func(op, host string, more ...string) []*mapping {
		return []*mapping{newMapping().set("key", "connection.sni").set(op, append([]string{host}, more...))}
	}
	var rules []*mapping
	var restricted, openTLS, allTLS []string
	openHTTP := false
	for _, group := range groups {
		_, tls := x.mutualTLSEntry(group)
		http := !tls || len(group.Entries) > 1 // validation allows one TLS entry per host
		if tls {
			allTLS = append(allTLS, group.Host)
		}
		sources := group.Entries[0].AllowedSources
		if len(sources) == 0 {
			openHTTP = openHTTP || http
			if tls {
				openTLS = append(openTLS, group.Host)
			}
			continue
		}
		if http {
			restricted = append(restricted, hosts(group.Host)...)
			rules = append(rules, newMapping().
				set("from", sourcesFrom(sources)).
				set("to", []*mapping{newMapping().set("operation", newMapping().set("hosts", hosts(group.Host)))}))
		}
		if tls {
			rules = append(rules, newMapping().
				set("from", sourcesFrom(sources)).
				set("when", sni("values", group.Host)))
		}
	}
	var open []*mapping // the gateway-wide list (or anyone) for the other hosts
	if openHTTP {
		rule := newMapping().setIf("from", sourcesFrom(x.e.AllowedSources))
		if len(restricted) > 0 {
			rule.set("to", []*mapping{newMapping().set("operation", newMapping().set("notHosts", restricted))})
		}
		if len(allTLS) > 0 {
			rule.set("when", sni("notValues", allTLS[0], allTLS[1:]...))
		}
		open = append(open, rule)
	}
	if len(openTLS) > 0 {
		open = append(open, newMapping().
			setIf("from", sourcesFrom(x.e.AllowedSources)).
			set("when", sni("values", openTLS[0], openTLS[1:]...)))
	}
	rules = append(open, rules...)
	spec := newMapping()
	if x.deployedByIstio {
		spec.set("targetRefs", []*mapping{newMapping().
			set("group", gatewayAPIGroup).
			set("kind", "Gateway").
			set("name", x.name)})
	} else {
		spec.set("selector", newMapping().set("matchLabels", x.podLabels()))
	}
	spec.set("action", "ALLOW").set("rules", rules)
	return x.object("AuthorizationPolicy", x.name, spec)
}

// waypointEgress is egress in ambient mode: ztunnel sends an ambient workload's traffic for a
// host to the waypoint its ServiceEntry names (label istio.io/use-waypoint), over HBONE, and the
// waypoint forwards it to the host. No route is needed: the waypoint sends each host's traffic
// to the host itself. As in Istio's ambient waypoint tests (tests/integration/ambient), a
// wildcard host takes resolution DYNAMIC_DNS, and TLS origination is the ServiceEntry port's
// targetPort 443 with a DestinationRule that opens TLS on it.
type waypointEgress struct {
	istioGateway
	gp     *krm.GatewayPattern
	values *krm.ChartValues
	e      *krm.EgressSpec
}

func (x waypointEgress) objects() []*mapping {
	groups := x.e.HostGroups()
	out := []*mapping{x.waypoint()}
	for _, group := range groups {
		out = append(out, x.serviceEntry(group))
		if dr := x.originationRule(group); dr != nil {
			out = append(out, dr)
		}
	}
	return append(out, x.allowedSourcesPolicies(groups)...)
}

// waypoint is the Gateway of class istio-waypoint: its listener is HBONE on 15008, and it serves
// services (ServiceEntries among them), as `istioctl waypoint apply --for service` writes it.
func (x waypointEgress) waypoint() *mapping {
	gw := gatewayAPIGateway(x.gp, x.values, classWaypoint)
	(&mapping{child(child(gw.node, "metadata"), "labels")}).set("istio.io/waypoint-for", "service")
	(&mapping{child(gw.node, "spec")}).set("listeners", []*mapping{newMapping().
		set("name", "mesh").
		set("port", 15008).
		set("protocol", "HBONE")})
	return gw
}

// serviceEntry registers the host with every port it is reached on, bound to the waypoint. An
// entry with tlsOrigination keeps the application's port (plain HTTP) and sends it to the host's
// 443 (targetPort), where the origination DestinationRule opens TLS.
func (x waypointEgress) serviceEntry(group krm.EgressHostGroup) *mapping {
	var ports []*mapping
	for _, h := range group.Entries {
		port := serviceEntryPort(h.Port, h.Protocol)
		if h.TLSOrigination {
			port.set("targetPort", 443)
		}
		ports = append(ports, port)
	}
	first := group.Entries[0] // validation makes every entry of the group agree on these two
	spec := newMapping().
		set("hosts", []string{group.Host}).
		setIf("addresses", first.Addresses).
		set("ports", ports).
		set("resolution", first.Resolution).
		set("location", "MESH_EXTERNAL").
		set("exportTo", x.e.SidecarExportTo(x.namespace))
	se := x.object("ServiceEntry", x.egressName(group), spec)
	// The waypoint is in the ServiceEntry's namespace, so its name alone binds them.
	(&mapping{child(child(se.node, "metadata"), "labels")}).set("istio.io/use-waypoint", x.name)
	return se
}

// originationRule opens TLS on the application's port of each tlsOrigination entry (sent to the
// host's 443 by the ServiceEntry's targetPort). Only the waypoint applies it: not exported beyond
// its namespace, where ambient clients' ztunnels do not read DestinationRules. A wildcard host has
// no one SNI: Envoy takes each request's Host.
func (x waypointEgress) originationRule(group krm.EgressHostGroup) *mapping {
	sni := group.Host
	if krm.IsWildcard(group.Host) {
		sni = ""
	}
	var settings []*mapping
	for _, h := range group.Entries {
		if h.TLSOrigination {
			settings = append(settings, newMapping().
				set("port", newMapping().set("number", h.Port)).
				set("tls", originationTLS(h, sni)))
		}
	}
	if len(settings) == 0 {
		return nil
	}
	return x.object("DestinationRule", x.egressName(group), newMapping().
		set("host", group.Host).
		set("trafficPolicy", newMapping().set("portLevelSettings", settings)).
		set("exportTo", gatewayNamespaceOnly))
}

// allowedSourcesPolicies admit to the hosts only the listed workloads, at the waypoint (targetRefs
// to each host's ServiceEntry, as Istio documents for waypoint policies): one policy for the
// hosts the gateway-wide list covers, one for each host with a list of its own. ztunnel's HBONE
// hop carries the caller's identity, so sources are identified as over the mutual-TLS hop.
func (x waypointEgress) allowedSourcesPolicies(groups []krm.EgressHostGroup) []*mapping {
	targetRef := func(group krm.EgressHostGroup) *mapping {
		return newMapping().
			set("group", "networking.istio.io").
			set("kind", "ServiceEntry").
			set("name", x.egressName(group))
	}
	policy := func(name string, targets []*mapping, sources []krm.AllowedSource) *mapping {
		return x.object("AuthorizationPolicy", name, newMapping().
			set("targetRefs", targets).
			set("action", "ALLOW").
			set("rules", []*mapping{newMapping().set("from", sourcesFrom(sources))}))
	}
	var shared, out []*mapping
	for _, group := range groups {
		if sources := group.Entries[0].AllowedSources; len(sources) > 0 {
			out = append(out, policy(x.egressName(group), []*mapping{targetRef(group)}, sources))
		} else if len(x.e.AllowedSources) > 0 {
			shared = append(shared, targetRef(group))
		}
	}
	if len(shared) > 0 {
		out = append([]*mapping{policy(x.name, shared, x.e.AllowedSources)}, out...)
	}
	return out
}
