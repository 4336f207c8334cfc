package render

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"
	networking "istio.io/api/networking/v1alpha3"

	"github.com/gatewaypattern/gateway-pattern/krm"
)

// ingressObjects builds the north-south front door: a Gateway with one server per
// spec.ingress.servers entry, selecting the generated pods, and the VirtualServices that route the
// listed hosts to internal services; before them, the cert-manager Certificates that issue the
// servers' credentials, when spec.ingress.certificates asks for them.
func ingressObjects(gp *krm.GatewayPattern, values *krm.ChartValues) []*mapping {
	in := gp.Spec.Ingress
	if in == nil || len(in.Servers) == 0 {
		return nil
	}
	g := newIstioGateway(gp, values)
	var servers []*mapping
	for _, s := range in.Servers {
		servers = append(servers, ingressServer(s))
	}
	out := append(ingressCertificates(gp), g.gateway(servers))
	names := map[string]bool{}
	for _, vs := range ingressVirtualServices(in) {
		// Names come from the first host; hosts such as a-b.example.com and a.b-example.com give
		// the same one, so later ones are numbered.
		name := g.name + "-" + krm.LabelSlug(vs.hosts[0])
		for i := 2; names[name]; i++ {
			name = fmt.Sprintf("%s-%s-%d", g.name, krm.LabelSlug(vs.hosts[0]), i)
		}
		names[name] = true
		out = append(out, g.virtualService(name, vs))
	}
	return out
}

func ingressServer(s krm.IngressServer) *mapping {
	server := newMapping().
		set("port", gatewayPort(s.Port, s.Name, string(s.Protocol))).
		set("hosts", s.Hosts)
	switch {
	case s.HTTPSRedirect:
		server.set("tls", newMapping().set("httpsRedirect", true))
	case s.TLS != nil:
		tls := newMapping().set("mode", string(s.TLS.Mode)).setIf("credentialName", s.TLS.CredentialName)
		if s.TLS.Istio != nil {
			tls.merge(protoNode(s.TLS.Istio, "mode", "credentialName"))
		}
		server.set("tls", tls)
	}
	return server
}

// hostRoutes is one VirtualService: the hosts that share exactly the same routes.
type hostRoutes struct {
	hosts  []string
	routes []krm.IngressRoute // see sortRoutes
	// passthroughPorts are the ports of PASSTHROUGH servers serving these hosts: they get SNI
	// (tls) routes there.
	passthroughPorts []int32
	// http: a server that routes HTTP (plain, or TLS terminated; not redirect-only) serves these
	// hosts, so they get HTTP routes too. Istio applies a VirtualService's http section on HTTP
	// and HTTPS servers, its tls section on PASSTHROUGH servers, and its tcp section on TCP
	// servers and TLS servers that terminate.
	http bool
	// tcpPorts are the ports of the TCP servers that route these hosts as a TCP stream
	// (krm.IngressSpec.TCPServers); such hosts get a tcp route there and nothing else.
	tcpPorts []int32
}

// ingressVirtualServices groups the routes into VirtualServices, one per set of hosts that share
// their routes and the kinds of server that serve them, in the order the hosts first appear. Each
// host is in exactly one VirtualService, so Istio never has to merge two of them for the same host
// in an undefined order.
func ingressVirtualServices(in *krm.IngressSpec) []hostRoutes {
	var hosts []string
	routesOf := map[string][]krm.IngressRoute{}
	for _, route := range in.Routes {
		for _, h := range route.Hosts {
			if _, seen := routesOf[h]; !seen {
				hosts = append(hosts, h)
			}
			routesOf[h] = append(routesOf[h], route)
		}
	}
	var groups []hostRoutes
	index := map[string]int{}
	for _, h := range hosts {
		routes := routesOf[h]
		sortRoutes(routes)
		group := hostRoutes{hosts: []string{h}, routes: routes}
		for _, i := range in.TCPServers(h) {
			if port := in.Servers[i].Port; !slices.Contains(group.tcpPorts, port) {
				group.tcpPorts = append(group.tcpPorts, port)
			}
		}
		for _, s := range in.Servers {
			if len(group.tcpPorts) > 0 || s.RoutesTCP() || !servesAny(s, group.hosts) {
				continue // a host is a TCP host or not, and routed by those servers only
			}
			switch {
			case s.TLS != nil && s.TLS.Mode == krm.TLSPassthrough:
				if !slices.Contains(group.passthroughPorts, s.Port) {
					group.passthroughPorts = append(group.passthroughPorts, s.Port)
				}
			case !s.HTTPSRedirect:
				group.http = true
			}
		}
		// Hosts share a VirtualService only when they share the routes and are served the same
		// way: its tls section names all its hosts, its http section serves all of them.
		key := routesKey(routes) + fmt.Sprint(group.passthroughPorts, group.http, group.tcpPorts)
		if i, ok := index[key]; ok {
			groups[i].hosts = append(groups[i].hosts, h)
			continue
		}
		index[key] = len(groups)
		groups = append(groups, group)
	}
	return groups
}

// sortRoutes orders a host's routes as Istio tries them, first match wins: the routes written
// with Istio's match first, in the order written (their conditions, exact, regex, headers, ...,
// have no order of specificity a function could infer, so the user's order is the one they
// meant), then the prefix routes, longest prefix first, so that "/" comes last. A prefix route
// before a match route would take its requests whenever the prefix covers them: "/" all of
// them.
func sortRoutes(routes []krm.IngressRoute) {
	slices.SortStableFunc(routes, func(a, b krm.IngressRoute) int {
		switch {
		case a.HasMatch() && b.HasMatch():
			return 0
		case a.HasMatch():
			return -1
		case b.HasMatch():
			return 1
		}
		return len(b.Prefix) - len(a.Prefix)
	})
}

func routesKey(routes []krm.IngressRoute) string {
	var b strings.Builder
	for _, r := range routes {
		b.WriteString(r.Prefix + "\x00" + r.Destination.Host + "\x00" + strconv.Itoa(int(r.Destination.Port)))
		if r.Istio != nil {
			istio, err := proto.MarshalOptions{Deterministic: true}.Marshal(r.Istio)
			if err != nil {
				panic(err) // a message decoded by protojson always marshals
			}
			b.WriteString("\x00" + string(istio))
		}
		b.WriteString("\x01")
	}
	return b.String()
}

func servesAny(s krm.IngressServer, hosts []string) bool {
	for _, sh := range s.Hosts {
		for _, h := range hosts {
			if krm.HostServes(sh, h) {
				return true
			}
		}
	}
	return false
}

func (g istioGateway) virtualService(name string, vs hostRoutes) *mapping {
	spec := newMapping().set("hosts", vs.hosts).set("gateways", []string{g.name})
	if len(vs.tcpPorts) > 0 {
		// A TCP stream: the gateway sees no host and no path, so the hosts' one route
		// (validation makes sure there is one) on each TCP server's port.
		var matches []*mapping
		for _, port := range vs.tcpPorts {
			matches = append(matches, newMapping().set("port", port))
		}
		d := vs.routes[0].Destination
		spec.set("tcp", []*mapping{newMapping().
			set("match", matches).
			set("route", []*mapping{routeDestination(d.Host, d.Port)})})
		return g.object("VirtualService", name, spec.set("exportTo", gatewayNamespaceOnly))
	}
	// Hosts behind a redirect-only server and nothing else still get HTTP routes, as before.
	if vs.http || len(vs.passthroughPorts) == 0 {
		var http []*mapping
		for _, r := range vs.routes {
			http = append(http, httpRoute(r))
		}
		spec.set("http", http)
	}
	if len(vs.passthroughPorts) > 0 {
		// PASSTHROUGH: the gateway sees only the SNI, so one destination per host set: the
		// route for "/", last of the routes (validation makes sure there is one).
		var matches []*mapping
		for _, port := range vs.passthroughPorts {
			matches = append(matches, newMapping().set("port", port).set("sniHosts", vs.hosts))
		}
		d := vs.routes[len(vs.routes)-1].Destination
		spec.set("tls", []*mapping{newMapping().
			set("match", matches).
			set("route", []*mapping{routeDestination(d.Host, d.Port)})})
	}
	// Bound to the gateway alone: only the gateway's namespace needs to see it.
	return g.object("VirtualService", name, spec.set("exportTo", gatewayNamespaceOnly))
}

// httpRoute is a route's http entry: the short form's match and destination, or, when the route
// carries Istio's HTTPRoute fields, the whole HTTPRoute in Istio's field order with prefix and
// destination standing in for match and route when those are not written.
func httpRoute(r krm.IngressRoute) *mapping {
	if r.Istio == nil {
		return newMapping().
			set("match", []*mapping{newMapping().set("uri", newMapping().set("prefix", r.Prefix))}).
			set("route", []*mapping{routeDestination(r.Destination.Host, r.Destination.Port)})
	}
	h := proto.CloneOf(r.Istio)
	if len(h.Match) == 0 {
		h.Match = []*networking.HTTPMatchRequest{{Uri: &networking.StringMatch{
			MatchType: &networking.StringMatch_Prefix{Prefix: r.Prefix}}}}
	}
	if len(h.Route) == 0 {
		h.Route = []*networking.HTTPRouteDestination{{Destination: &networking.Destination{
			Host: r.Destination.Host, Port: &networking.PortSelector{Number: uint32(r.Destination.Port)}}}}
	}
	return protoNode(h)
}
