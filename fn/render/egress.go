package render

import (
	"cmp"
	"strings"

	"github.com/gatewaypattern/gateway-pattern/krm"
	"github.com/gatewaypattern/gateway-pattern/krm/istioapi"
)

// egressObjects builds the exit ramp for every external host: a ServiceEntry so sidecars know the
// host, the Gateway that accepts it, the two-hop VirtualService (sidecars -> the gateway Service;
// the gateway -> the host), the DestinationRule of the mutual-TLS hop, TLS origination where asked
// for, and the AuthorizationPolicy admitting only allowedSources.
func egressObjects(gp *krm.GatewayPattern, values *krm.ChartValues) []*mapping {
	e := gp.Spec.Egress
	if e == nil || len(e.Hosts) == 0 {
		return nil
	}
	g := newIstioGateway(gp, values)
	groups := e.HostGroups()
	out := []*mapping{g.gateway(egressServers(e, groups))}
	if e.SidecarToGateway == krm.SidecarToGatewayMutual {
		out = append(out, g.mutualHopRule(e, groups))
	}
	for _, group := range groups {
		out = append(out, g.serviceEntry(e, group), g.egressVirtualService(e, group))
		if dr := g.originationRule(group); dr != nil {
			out = append(out, dr)
		}
	}
	if len(e.AllowedSources) > 0 || e.HasHostSources() {
		out = append(out, g.allowedSourcesPolicy(e, groups))
	}
	return out
}

// egressServers: with mutual TLS one server per host on 443 (the gateway picks it by the SNI the
// DestinationRule sets); with a plain hop one HTTP server on 80 for every HTTP host and one
// PASSTHROUGH server on 443 for every TLS host, as in the seed document.
func egressServers(e *krm.EgressSpec, groups []krm.EgressHostGroup) []*mapping {
	var servers []*mapping
	if e.SidecarToGateway == krm.SidecarToGatewayMutual {
		for _, group := range groups {
			for _, h := range group.Entries {
				protocol, name := "HTTPS", "https-"+group.Slug
				if h.Protocol != krm.EgressHTTP {
					protocol, name = "TLS", "tls-"+group.Slug
				}
				servers = append(servers, newMapping().
					set("port", gatewayPort(krm.EgressTLSPort, name, protocol)).
					set("hosts", []string{group.Host}).
					set("tls", newMapping().set("mode", "ISTIO_MUTUAL")))
			}
		}
		return servers
	}
	var httpHosts, tlsHosts []string
	for _, h := range e.Hosts {
		if h.Protocol == krm.EgressHTTP {
			httpHosts = appendOnce(httpHosts, h.Host)
		} else {
			tlsHosts = appendOnce(tlsHosts, h.Host)
		}
	}
	if len(httpHosts) > 0 {
		servers = append(servers, newMapping().
			set("port", gatewayPort(krm.EgressPlainHTTPPort, "http", "HTTP")).
			set("hosts", httpHosts))
	}
	if len(tlsHosts) > 0 {
		servers = append(servers, newMapping().
			set("port", gatewayPort(krm.EgressTLSPort, "tls", "TLS")).
			set("hosts", tlsHosts).
			set("tls", newMapping().set("mode", "PASSTHROUGH")))
	}
	return servers
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return list
		}
	}
	return append(list, s)
}

func (g istioGateway) egressName(group krm.EgressHostGroup) string {
	return g.name + "-" + group.Slug
}

// serviceEntry registers the external host with every port it is reached on.
func (g istioGateway) serviceEntry(e *krm.EgressSpec, group krm.EgressHostGroup) *mapping {
	var ports []*mapping
	for _, h := range group.Entries {
		ports = append(ports, serviceEntryPort(h.Port, h.Protocol))
		if h.TLSOrigination {
			ports = append(ports, serviceEntryPort(443, krm.EgressHTTPS))
		}
	}
	first := group.Entries[0] // validation makes every entry of the group agree on these two
	spec := newMapping().
		set("hosts", []string{group.Host}).
		setIf("addresses", first.Addresses).
		set("ports", ports).
		set("resolution", first.Resolution). // DNS or DNS_ROUND_ROBIN: the gateway must resolve the host itself
		set("location", "MESH_EXTERNAL").
		set("exportTo", e.SidecarExportTo(g.namespace)) // sidecars must know the host to send it to the gateway
	return g.object("ServiceEntry", g.egressName(group), spec)
}

func serviceEntryPort(port int32, protocol krm.EgressProtocol) *mapping {
	return newMapping().
		set("number", port).
		set("name", krm.EgressPortName(protocol, port)).
		set("protocol", string(protocol))
}

// egressVirtualService is the two-hop rule: bound to the mesh (the sidecars) and to the gateway,
// each hop matching only its own proxy.
func (g istioGateway) egressVirtualService(e *krm.EgressSpec, group krm.EgressHostGroup) *mapping {
	mutual := e.SidecarToGateway == krm.SidecarToGatewayMutual
	toGateway := func(port int32) *mapping {
		d := newMapping().set("host", g.serviceFQDN())
		if mutual {
			d.set("subset", group.Slug)
		}
		return newMapping().set("destination", d.set("port", newMapping().set("number", port)))
	}
	onGateway := func(port int32) *mapping { return newMapping().set("gateways", []string{g.name}).set("port", port) }
	fromMesh := func(port int32) *mapping { return newMapping().set("gateways", []string{"mesh"}).set("port", port) }

	var http, tls, tcp []*mapping
	for _, h := range group.Entries {
		gwPort := e.GatewayPort(h)
		switch {
		case h.Protocol == krm.EgressHTTP:
			target := h.Port
			if h.TLSOrigination {
				target = 443 // the gateway upgrades to HTTPS (see the origination DestinationRule)
			}
			http = append(http,
				route(fromMesh(h.Port), toGateway(gwPort)),
				route(onGateway(gwPort), routeDestination(group.Host, target)))
		case h.PassesTLS():
			tls = append(tls, route(fromMesh(h.Port).set("sniHosts", []string{group.Host}), toGateway(gwPort)))
			if mutual {
				// The gateway ends the mutual-TLS hop and forwards the application's own TLS stream.
				tcp = append(tcp, route(onGateway(gwPort), routeDestination(group.Host, h.Port)))
			} else {
				tls = append(tls, route(onGateway(gwPort).set("sniHosts", []string{group.Host}), routeDestination(group.Host, h.Port)))
			}
		default: // TCP, always over the mutual-TLS hop
			tcp = append(tcp,
				route(fromMesh(h.Port), toGateway(gwPort)),
				route(onGateway(gwPort), routeDestination(group.Host, h.Port)))
		}
	}
	spec := newMapping().
		set("hosts", []string{group.Host}).
		set("gateways", []string{"mesh", g.name}).
		setIf("http", http).
		setIf("tls", tls).
		setIf("tcp", tcp).
		set("exportTo", e.SidecarExportTo(g.namespace)) // its mesh hop is for the sidecars (of every namespace by default)
	return g.object("VirtualService", g.egressName(group), spec)
}

func route(match, destination *mapping) *mapping {
	return newMapping().set("match", []*mapping{match}).set("route", []*mapping{destination})
}

// mutualHopRule makes sidecars speak Istio mutual TLS to the gateway, with the external host as
// SNI so the gateway picks the server (and so the route) for that host.
func (g istioGateway) mutualHopRule(e *krm.EgressSpec, groups []krm.EgressHostGroup) *mapping {
	var subsets []*mapping
	for _, group := range groups {
		tls := newMapping().set("mode", "ISTIO_MUTUAL").set("sni", group.Host)
		subsets = append(subsets, newMapping().
			set("name", group.Slug).
			set("trafficPolicy", newMapping().set("portLevelSettings", []*mapping{newMapping().
				set("port", newMapping().set("number", krm.EgressTLSPort)).
				set("tls", tls)})))
	}
	return g.object("DestinationRule", g.name, newMapping().
		set("host", g.serviceFQDN()).
		set("subsets", subsets).
		set("exportTo", e.SidecarExportTo(g.namespace))) // the sidecars (of every namespace by default) take this hop
}

// originationRule makes the gateway open TLS to the host's port 443 for applications that speak
// plain HTTP; nil when no entry of the group asks for it. Only the gateway may apply it: a sidecar
// that did would wrap the TLS of an application that speaks TLS to the host itself in TLS again.
// So it is not exported beyond the gateway's namespace (Istio looks up a DestinationRule in the
// proxy's own namespace first, then only the exported ones of the host's and the root namespace)
// and, within that namespace, selects the gateway's pods (a DestinationRule's workloadSelector
// applies to the outbound traffic of the proxies it selects in its own namespace).
func (g istioGateway) originationRule(group krm.EgressHostGroup) *mapping {
	for _, h := range group.Entries {
		if !h.TLSOrigination {
			continue
		}
		return g.object("DestinationRule", g.egressName(group), newMapping().
			set("host", group.Host).
			set("trafficPolicy", newMapping().set("portLevelSettings", []*mapping{newMapping().
				set("port", newMapping().set("number", 443)).
				set("tls", originationTLS(h, group.Host))})).
			set("workloadSelector", newMapping().set("matchLabels", g.podLabels())).
			set("exportTo", gatewayNamespaceOnly))
	}
	return nil
}

// originationTLS is the TLS a proxy opens to an external host for an application that speaks
// plain HTTP: SIMPLE, or the entry's tlsOriginationSettings; its SNI is sni unless the settings
// name one (none when both are empty: Envoy then takes the request's Host).
func originationTLS(h krm.EgressHost, sni string) *mapping {
	tls := newMapping().set("mode", "SIMPLE").setIf("sni", sni)
	if t := h.TLSOriginationSettings; t != nil && t.Istio != nil {
		tls = newMapping().set("mode", istioapi.EnumName(t.Istio, "mode")).
			merge(protoNode(t.Istio, "mode", "sni")).
			setIf("sni", cmp.Or(istioapi.String(t.Istio, "sni"), sni))
	}
	return tls
}

// allowedSourcesPolicy admits to the gateway only the listed workloads, identified by the
// mutual-TLS hop: a service account's identity, or any identity of a namespace. A host with
// allowedSources of its own admits those only, told by the hop's SNI, which names the host
// (connection.sni); the gateway-wide list then admits to every other host. Istio allows a request
// that one rule of an ALLOW policy matches, and denies the rest once the workload has one.
func (g istioGateway) allowedSourcesPolicy(e *krm.EgressSpec, groups []krm.EgressHostGroup) *mapping {
	var rules []*mapping
	var restricted []string // the hosts with a list of their own
	for _, group := range groups {
		if sources := group.Entries[0].AllowedSources; len(sources) > 0 {
			restricted = append(restricted, group.Host)
			rules = append(rules, newMapping().
				set("from", sourcesFrom(sources)).
				set("when", []*mapping{newMapping().set("key", "connection.sni").set("values", []string{group.Host})}))
		}
	}
	if len(restricted) < len(groups) { // some hosts take the gateway-wide list (or anyone)
		rule := newMapping().setIf("from", sourcesFrom(e.AllowedSources))
		if len(restricted) > 0 {
			rule.set("when", []*mapping{newMapping().set("key", "connection.sni").set("notValues", restricted)})
		}
		rules = append([]*mapping{rule}, rules...)
	}
	spec := newMapping().
		set("selector", newMapping().set("matchLabels", g.podLabels())).
		set("action", "ALLOW").
		set("rules", rules)
	return g.object("AuthorizationPolicy", g.name, spec)
}

func sourcesFrom(sources []krm.AllowedSource) []*mapping {
	var from []*mapping
	for _, s := range sources {
		source := newMapping()
		if s.ServiceAccount != "" {
			// cluster.local stands for the mesh's own trust domain in authorization policies.
			source.set("principals", []string{"cluster.local/ns/" + s.Namespace + "/sa/" + s.ServiceAccount})
		} else {
			source.set("namespaces", []string{s.Namespace})
		}
		from = append(from, newMapping().set("source", source))
	}
	return from
}
