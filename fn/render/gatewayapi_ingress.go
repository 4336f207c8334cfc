package render

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	networking "istio.io/api/networking/v1alpha3"

	"github.com/gatewaypattern/gateway-pattern/krm"
)

// gatewayAPIIngressObjects renders the Ingress pattern with the Gateway API: the same paths as
// ingressObjects, as Istio's Gateway API controller converts them back (its conversion goldens,
// pilot/pkg/config/kube/gateway/testdata, are the reference):
//   - a Gateway of class istio with one listener per server and host (a Gateway API listener
//     has one hostname): HTTP; HTTPS terminating TLS with certificateRefs to the credential
//     Secrets; TLS with mode Passthrough; TLS terminating TLS (mode Terminate) for a TLS server
//     that forwards the stream; and one listener without hostname per TCP server;
//   - per set of hosts sharing their routes (as the VirtualServices are grouped), an HTTPRoute
//     on the HTTP and terminating listeners serving them, one rule per route in the order the
//     Istio API tries them, and a TLSRoute on the passthrough listeners; a TCPRoute for the
//     hosts of TCP servers and of TLS servers that terminate (a stream, to one destination);
//   - per redirecting server, an HTTPRoute answering every request with a RequestRedirect to
//     https (301), on that server's listeners only;
//   - per namespace of a backend other than the gateway's, a ReferenceGrant there letting the
//     routes of the gateway's namespace reach its Services (the routes stay in the gateway's
//     namespace, owned by the function, like the VirtualServices);
//   - the cert-manager Certificates of spec.ingress.certificates, unchanged (they write the
//     Secrets the listeners reference).
func gatewayAPIIngressObjects(gp *krm.GatewayPattern, values *krm.ChartValues) []*mapping {
	in := gp.Spec.Ingress
	out := gatewayAPIWorkload(gp, values)
	if in == nil || len(in.Servers) == 0 {
		return out
	}
	name := gp.GatewayName(values)
	gw := gatewayAPIGateway(gp, values, classIstio)
	listeners := ingressListeners(in)
	var specs []*mapping
	for _, l := range listeners {
		specs = append(specs, l.spec)
	}
	(&mapping{child(gw.node, "spec")}).set("listeners", specs)
	out = append(append(out, ingressCertificates(gp)...), gw)

	routes := ingressRoutes{gp: gp, gateway: name, listeners: listeners, backendNamespaces: map[string][]string{}}
	names := map[string]bool{}
	for _, g := range ingressVirtualServices(in) {
		// Named as the VirtualServices are: after the first host, numbered on a collision.
		n := name + "-" + krm.LabelSlug(g.hosts[0])
		for i := 2; names[n]; i++ {
			n = fmt.Sprintf("%s-%s-%d", name, krm.LabelSlug(g.hosts[0]), i)
		}
		names[n] = true
		out = append(out, routes.forHosts(n, g)...)
	}
	for _, s := range in.Servers {
		if s.HTTPSRedirect {
			out = append(out, routes.redirect(s))
		}
	}
	return append(out, routes.referenceGrants()...)
}

// ingressListener is one listener of the Gateway: one host of one server.
type ingressListener struct {
	name   string
	host   string // "" for a TCP listener
	server krm.IngressServer
	index  int // of the server in spec.ingress.servers
	spec   *mapping
}

// routesHTTP: the listener takes the HTTPRoutes of its hosts (plain HTTP or terminated TLS, not
// only redirecting).
func (l ingressListener) routesHTTP() bool {
	return !l.server.HTTPSRedirect && !isPassthrough(l.server) && !l.server.RoutesTCP()
}

func isPassthrough(s krm.IngressServer) bool {
	return s.TLS != nil && s.TLS.Mode == krm.TLSPassthrough
}

// ingressListeners are the Gateway's listeners, one per server and host, in the servers'
// order. A listener is named after its server port (servers[].name) when the server has one host,
// and after the port and the host otherwise (https-shop-example-com), numbered on a collision.
func ingressListeners(in *krm.IngressSpec) []ingressListener {
	var out []ingressListener
	taken := map[string]bool{}
	for i, s := range in.Servers {
		if s.Protocol == krm.ProtocolTCP {
			// A TCP listener has no hostname (a TCP stream carries none): one for the server.
			name := s.Name
			for n := 2; taken[name]; n++ {
				name = fmt.Sprintf("%s-%d", s.Name, n)
			}
			taken[name] = true
			out = append(out, ingressListener{name: name, server: s, index: i, spec: listenerSpec(name, "", s)})
			continue
		}
		for _, h := range s.Hosts {
			name := s.Name
			if len(s.Hosts) > 1 {
				// A port name derived from the first host (https-443-shop-example-com) gives
				// way to each host's.
				base := strings.TrimSuffix(s.Name, "-"+krm.HostSlug(s.Hosts[0]))
				name = base + "-" + krm.HostSlug(h)
			}
			for i := 2; taken[name]; i++ {
				name = fmt.Sprintf("%s-%d", s.Name, i)
			}
			taken[name] = true
			out = append(out, ingressListener{name: name, host: h, server: s, index: i, spec: listenerSpec(name, h, s)})
		}
	}
	return out
}

// Options of a listener's tls that Istio's Gateway API controller reads (conversion.go,
// buildTLS): the terminate mode (MUTUAL, OPTIONAL_MUTUAL; SIMPLE is the Gateway API's own
// Terminate) and the cipher suites, comma-separated.
const (
	tlsTerminateModeOption = "gateway.istio.io/tls-terminate-mode"
	tlsCipherSuitesOption  = "gateway.istio.io/tls-cipher-suites"
)

func listenerSpec(name, host string, s krm.IngressServer) *mapping {
	l := newMapping().set("name", name).setIf("hostname", host).set("port", s.Port)
	switch {
	case s.Protocol == krm.ProtocolTCP:
		l.set("protocol", "TCP")
	case isPassthrough(s):
		l.set("protocol", "TLS").set("tls", newMapping().set("mode", "Passthrough"))
	case s.TLS != nil:
		credentials := []string{s.TLS.CredentialName}
		if s.TLS.Istio != nil && len(s.TLS.Istio.CredentialNames) > 0 {
			credentials = s.TLS.Istio.CredentialNames
		}
		var refs []*mapping
		for _, c := range credentials {
			if c != "" {
				refs = append(refs, newMapping().set("group", "").set("kind", "Secret").set("name", c))
			}
		}
		tls := newMapping().set("mode", "Terminate").set("certificateRefs", refs)
		options := newMapping()
		if s.TLS.Mode != krm.TLSSimple {
			options.set(tlsTerminateModeOption, string(s.TLS.Mode))
		}
		if s.TLS.Istio != nil && len(s.TLS.Istio.CipherSuites) > 0 {
			options.set(tlsCipherSuitesOption, strings.Join(s.TLS.Istio.CipherSuites, ","))
		}
		tls.setIf("options", options)
		// A TLS server terminates TLS and forwards the stream (TCPRoute); HTTPS routes requests.
		protocol := "HTTPS"
		if s.RoutesTCP() {
			protocol = "TLS"
		}
		l.set("protocol", protocol).set("tls", tls)
	default:
		l.set("protocol", "HTTP")
	}
	return l.set("allowedRoutes", newMapping().set("namespaces", newMapping().set("from", "Same")))
}

// ingressRoutes builds the routes of one Gateway and remembers the namespaces their backends
// are in, for the ReferenceGrants.
type ingressRoutes struct {
	gp        *krm.GatewayPattern
	gateway   string
	listeners []ingressListener
	// backendNamespaces: the route kinds referring to Services in each namespace other than
	// the gateway's.
	backendNamespaces map[string][]string
}

// parentRefs are the listeners of the Gateway that serve one of hosts and match want.
func (rs *ingressRoutes) parentRefs(hosts []string, want func(ingressListener) bool) []*mapping {
	var refs []*mapping
	for _, l := range rs.listeners {
		if want(l) && slices.ContainsFunc(hosts, func(h string) bool { return krm.HostServes(l.host, h) || krm.HostServes(h, l.host) }) {
			refs = append(refs, newMapping().
				set("group", gatewayAPIGroup).
				set("kind", "Gateway").
				set("name", rs.gateway).
				set("sectionName", l.name))
		}
	}
	return refs
}

// forHosts are the routes of one set of hosts: an HTTPRoute when HTTP or terminating listeners
// serve them, a TLSRoute when passthrough listeners do.
func (rs *ingressRoutes) forHosts(name string, g hostRoutes) []*mapping {
	if len(g.tcpPorts) > 0 {
		return []*mapping{rs.tcpRoute(name, g)}
	}
	var out []*mapping
	if parents := rs.parentRefs(g.hosts, ingressListener.routesHTTP); len(parents) > 0 {
		var rules []*mapping
		for _, r := range g.routes {
			rules = append(rules, rs.httpRule(r))
		}
		spec := newMapping().set("parentRefs", parents).set("hostnames", g.hosts).set("rules", rules)
		out = append(out, gatewayAPIObject(rs.gp, "HTTPRoute", name, spec))
	}
	if parents := rs.parentRefs(g.hosts, func(l ingressListener) bool { return isPassthrough(l.server) }); len(parents) > 0 {
		// The gateway sees only the SNI: the host's route for "/" (the last; validation makes
		// sure there is one), as the VirtualService's tls section.
		d := g.routes[len(g.routes)-1].Destination
		spec := newMapping().
			set("parentRefs", parents).
			set("hostnames", g.hosts).
			set("rules", []*mapping{newMapping().set("backendRefs", []*mapping{rs.backendRef("TLSRoute", d.Host, uint32(d.Port))})})
		out = append(out, gatewayAPIObject(rs.gp, "TLSRoute", name, spec))
	}
	return out
}

// tcpRoute is the TCPRoute of hosts the TCP servers (or the TLS servers terminating TLS) route as
// a stream: on every listener of those servers, to the hosts' one route (validation makes sure
// there is one), as the VirtualService's tcp section. A TCPRoute has no hostnames: the stream
// carries none.
func (rs *ingressRoutes) tcpRoute(name string, g hostRoutes) *mapping {
	servers := map[int]bool{}
	for _, h := range g.hosts {
		for _, i := range rs.gp.Spec.Ingress.TCPServers(h) {
			servers[i] = true
		}
	}
	var parents []*mapping
	for _, l := range rs.listeners {
		if servers[l.index] {
			parents = append(parents, newMapping().
				set("group", gatewayAPIGroup).
				set("kind", "Gateway").
				set("name", rs.gateway).
				set("sectionName", l.name))
		}
	}
	d := g.routes[0].Destination
	spec := newMapping().
		set("parentRefs", parents).
		set("rules", []*mapping{newMapping().set("backendRefs", []*mapping{rs.backendRef("TCPRoute", d.Host, uint32(d.Port))})})
	return gatewayAPIObject(rs.gp, "TCPRoute", name, spec)
}

// redirect is the HTTPRoute of a server with httpsRedirect: every request to its hosts answered
// with a redirect to https, 301 as Istio's httpsRedirect answers (Istio converts a
// RequestRedirect with a scheme and no port to the scheme's default port, 443). Istio's
// httpsRedirect is Envoy's require_tls on the virtual host; this is a route whose action is the
// redirect, named https-redirect (the name of its Envoy route): the same answer.
func (rs *ingressRoutes) redirect(s krm.IngressServer) *mapping {
	parents := rs.parentRefs(s.Hosts, func(l ingressListener) bool { return l.server.Name == s.Name })
	filter := newMapping().
		set("type", "RequestRedirect").
		set("requestRedirect", newMapping().set("scheme", "https").set("statusCode", 301))
	spec := newMapping().
		set("parentRefs", parents).
		set("hostnames", s.Hosts).
		set("rules", []*mapping{newMapping().set("name", "https-redirect").set("filters", []*mapping{filter})})
	return gatewayAPIObject(rs.gp, "HTTPRoute", rs.gateway+"-"+s.Name+"-redirect", spec)
}

// backendRef is a reference to the Service host names (validation made sure it names one),
// noting its namespace for the ReferenceGrants.
func (rs *ingressRoutes) backendRef(kind, host string, port uint32) *mapping {
	name, ns, _ := krm.ServiceOf(host, rs.gp.Metadata.Namespace)
	ref := newMapping().set("group", "").set("kind", "Service").set("name", name)
	if ns != rs.gp.Metadata.Namespace {
		ref.set("namespace", ns)
		if !slices.Contains(rs.backendNamespaces[ns], kind) {
			rs.backendNamespaces[ns] = append(rs.backendNamespaces[ns], kind)
		}
	}
	return ref.set("port", int64(port))
}

// referenceGrants: one per backend namespace other than the gateway's, named after the gateway,
// letting the route kinds of the gateway's namespace that refer there reach its Services.
func (rs *ingressRoutes) referenceGrants() []*mapping {
	var out []*mapping
	for _, ns := range slices.Sorted(maps.Keys(rs.backendNamespaces)) {
		kinds := rs.backendNamespaces[ns]
		slices.Sort(kinds)
		var from []*mapping
		for _, kind := range kinds {
			from = append(from, newMapping().set("group", gatewayAPIGroup).set("kind", kind).set("namespace", rs.gp.Metadata.Namespace))
		}
		spec := newMapping().
			set("from", from).
			set("to", []*mapping{newMapping().set("group", "").set("kind", "Service")})
		meta := newMapping().set("name", rs.gateway).set("namespace", ns)
		out = append(out, object(gatewayAPIGroup+"/v1beta1", "ReferenceGrant", meta).set("spec", spec))
	}
	return out
}

// httpRule is a route as a Gateway API rule: its name, matches, filters (header modifiers,
// rewrite, mirrors, CORS), backendRefs and timeout. krm refuses what has no Gateway API form.
func (rs *ingressRoutes) httpRule(r krm.IngressRoute) *mapping {
	rule := newMapping()
	h := r.Istio
	if h == nil {
		h = &networking.HTTPRoute{}
	}
	rule.setIf("name", h.Name)
	var matches []*mapping
	if len(h.Match) == 0 {
		matches = append(matches, newMapping().set("path", pathMatch("PathPrefix", r.Prefix)))
	}
	for _, m := range h.Match {
		matches = append(matches, httpMatch(m))
	}
	rule.set("matches", matches)

	var filters []*mapping
	if hs := h.Headers; hs != nil {
		if hs.Request != nil {
			filters = append(filters, newMapping().set("type", "RequestHeaderModifier").set("requestHeaderModifier", headerModifier(hs.Request)))
		}
		if hs.Response != nil {
			filters = append(filters, newMapping().set("type", "ResponseHeaderModifier").set("responseHeaderModifier", headerModifier(hs.Response)))
		}
	}
	if rw := h.Rewrite; rw != nil {
		u := newMapping()
		if rw.Uri != "" {
			if len(h.Match) == 1 && uriIsExact(h.Match[0]) {
				u.set("path", newMapping().set("type", "ReplaceFullPath").set("replaceFullPath", rw.Uri))
			} else {
				u.set("path", newMapping().set("type", "ReplacePrefixMatch").set("replacePrefixMatch", rw.Uri))
			}
		}
		u.setIf("hostname", rw.Authority)
		filters = append(filters, newMapping().set("type", "URLRewrite").set("urlRewrite", u))
	}
	if h.Mirror != nil {
		filters = append(filters, rs.mirror(h.Mirror, h.MirrorPercentage))
	}
	for _, m := range h.Mirrors {
		filters = append(filters, rs.mirror(m.Destination, m.Percentage))
	}
	if c := h.CorsPolicy; c != nil {
		filters = append(filters, newMapping().set("type", "CORS").set("cors", corsFilter(c)))
	}
	rule.setIf("filters", filters)

	var backends []*mapping
	if len(h.Route) == 0 {
		backends = append(backends, rs.backendRef("HTTPRoute", r.Destination.Host, uint32(r.Destination.Port)))
	}
	for _, d := range h.Route {
		ref := rs.backendRef("HTTPRoute", d.Destination.Host, d.Destination.GetPort().GetNumber())
		if len(h.Route) > 1 {
			ref.set("weight", d.Weight)
		}
		backends = append(backends, ref)
	}
	rule.set("backendRefs", backends)
	if h.Timeout != nil {
		d, _ := krm.GatewayAPIDuration(h.Timeout.AsDuration())
		rule.set("timeouts", newMapping().set("request", d))
	}
	return rule
}

func (rs *ingressRoutes) mirror(d *networking.Destination, percent *networking.Percent) *mapping {
	m := newMapping().set("backendRef", rs.backendRef("HTTPRoute", d.Host, d.GetPort().GetNumber()))
	if percent != nil {
		m.set("percent", int(percent.GetValue()))
	}
	return newMapping().set("type", "RequestMirror").set("requestMirror", m)
}

func uriIsExact(m *networking.HTTPMatchRequest) bool {
	_, exact := m.GetUri().GetMatchType().(*networking.StringMatch_Exact)
	return exact
}

func pathMatch(kind, value string) *mapping {
	return newMapping().set("type", kind).set("value", value)
}

// httpMatch is an Istio match as a Gateway API one (krm checked it has only a path, exact or
// regex headers and query parameters, and an exact method).
func httpMatch(m *networking.HTTPMatchRequest) *mapping {
	out := newMapping()
	switch u := m.GetUri().GetMatchType().(type) {
	case *networking.StringMatch_Exact:
		out.set("path", pathMatch("Exact", u.Exact))
	case *networking.StringMatch_Prefix:
		out.set("path", pathMatch("PathPrefix", u.Prefix))
	case *networking.StringMatch_Regex:
		out.set("path", pathMatch("RegularExpression", u.Regex))
	}
	out.setIf("headers", stringMatches(m.Headers))
	out.setIf("queryParams", stringMatches(m.QueryParams))
	if m.Method != nil {
		out.set("method", m.Method.GetExact())
	}
	return out
}

func stringMatches(in map[string]*networking.StringMatch) []*mapping {
	var out []*mapping
	for _, name := range slices.Sorted(maps.Keys(in)) {
		m := newMapping().set("name", name)
		if re := in[name].GetRegex(); re != "" {
			m.set("type", "RegularExpression").set("value", re)
		} else {
			m.set("type", "Exact").set("value", in[name].GetExact())
		}
		out = append(out, m)
	}
	return out
}

func headerModifier(ops *networking.Headers_HeaderOperations) *mapping {
	pairs := func(in map[string]string) []*mapping {
		var out []*mapping
		for _, name := range slices.Sorted(maps.Keys(in)) {
			out = append(out, newMapping().set("name", name).set("value", in[name]))
		}
		return out
	}
	return newMapping().
		setIf("set", pairs(ops.Set)).
		setIf("add", pairs(ops.Add)).
		setIf("remove", ops.Remove)
}

// corsFilter is Istio's corsPolicy as the Gateway API's CORS filter; Istio converts an origin
// ending in * back to a prefix match, any other to an exact one.
func corsFilter(c *networking.CorsPolicy) *mapping {
	var origins []string
	for _, o := range c.AllowOrigins {
		if p := o.GetPrefix(); p != "" {
			origins = append(origins, p+"*")
		} else {
			origins = append(origins, o.GetExact())
		}
	}
	out := newMapping().setIf("allowOrigins", origins)
	if c.AllowCredentials != nil {
		out.set("allowCredentials", c.AllowCredentials.GetValue())
	}
	out.setIf("allowMethods", c.AllowMethods).
		setIf("allowHeaders", c.AllowHeaders).
		setIf("exposeHeaders", c.ExposeHeaders)
	if c.MaxAge != nil {
		out.set("maxAge", int64(c.MaxAge.AsDuration().Seconds()))
	}
	return out
}
