package render

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/gatewaypattern/gateway-pattern/krm"
	"github.com/gatewaypattern/gateway-pattern/krm/istioapi"
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
		if s.TLS.Istio != nil && istioapi.Len(s.TLS.Istio, "credentialNames") > 0 {
			credentials = istioapi.Strings(s.TLS.Istio, "credentialNames")
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
		if s.TLS.Istio != nil && istioapi.Len(s.TLS.Istio, "cipherSuites") > 0 {
			options.set(tlsCipherSuitesOption, strings.Join(istioapi.Strings(s.TLS.Istio, "cipherSuites"), ","))
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

// referenceGrants: one per backend namespace other than the gateway's (see referenceGrant),
// letting the route kinds of the gateway's namespace that refer there reach its Services.
func (rs *ingressRoutes) referenceGrants() []*mapping {
	var out []*mapping
	for _, ns := range slices.Sorted(maps.Keys(rs.backendNamespaces)) {
		kinds := slices.Sorted(slices.Values(rs.backendNamespaces[ns]))
		out = append(out, referenceGrant(rs.gateway, rs.gp.Metadata.Namespace, ns, kinds, ""))
	}
	return out
}

// httpRule is a route as a Gateway API rule: its name, matches, filters (header modifiers,
// rewrite, mirrors, CORS), backendRefs and timeout. krm refuses what has no Gateway API form.
func (rs *ingressRoutes) httpRule(r krm.IngressRoute) *mapping {
	if r.Istio == nil {
		// The short form (no Istio field, so Istio's descriptors stay unbuilt): a prefix to one
		// destination.
		return newMapping().
			set("matches", []*mapping{newMapping().set("path", pathMatch("PathPrefix", r.Prefix))}).
			set("backendRefs", []*mapping{rs.backendRef("HTTPRoute", r.Destination.Host, uint32(r.Destination.Port))})
	}
	rule, h := newMapping(), r.Istio
	rule.setIf("name", istioapi.String(h, "name"))
	var matches []*mapping
	istioMatches := istioapi.Messages(h, "match")
	if len(istioMatches) == 0 {
		matches = append(matches, newMapping().set("path", pathMatch("PathPrefix", r.Prefix)))
	}
	for _, m := range istioMatches {
		matches = append(matches, httpMatch(m))
	}
	rule.set("matches", matches)

	var filters []*mapping
	if istioapi.Has(h, "headers") {
		hs := istioapi.Sub(h, "headers")
		if istioapi.Has(hs, "request") {
			filters = append(filters, newMapping().set("type", "RequestHeaderModifier").set("requestHeaderModifier", headerModifier(istioapi.Sub(hs, "request"))))
		}
		if istioapi.Has(hs, "response") {
			filters = append(filters, newMapping().set("type", "ResponseHeaderModifier").set("responseHeaderModifier", headerModifier(istioapi.Sub(hs, "response"))))
		}
	}
	if istioapi.Has(h, "rewrite") {
		rw, u := istioapi.Sub(h, "rewrite"), newMapping()
		if uri := istioapi.String(rw, "uri"); uri != "" {
			if len(istioMatches) == 1 && uriIsExact(istioMatches[0]) {
				u.set("path", newMapping().set("type", "ReplaceFullPath").set("replaceFullPath", uri))
			} else {
				u.set("path", newMapping().set("type", "ReplacePrefixMatch").set("replacePrefixMatch", uri))
			}
		}
		u.setIf("hostname", istioapi.String(rw, "authority"))
		filters = append(filters, newMapping().set("type", "URLRewrite").set("urlRewrite", u))
	}
	if istioapi.Has(h, "mirror") {
		filters = append(filters, rs.mirror(istioapi.Sub(h, "mirror"), h, "mirrorPercentage"))
	}
	for _, m := range istioapi.Messages(h, "mirrors") {
		filters = append(filters, rs.mirror(istioapi.Sub(m, "destination"), m, "percentage"))
	}
	if istioapi.Has(h, "corsPolicy") {
		filters = append(filters, newMapping().set("type", "CORS").set("cors", corsFilter(istioapi.Sub(h, "corsPolicy"))))
	}
	rule.setIf("filters", filters)

	var backends []*mapping
	split := istioapi.Messages(h, "route")
	if len(split) == 0 {
		backends = append(backends, rs.backendRef("HTTPRoute", r.Destination.Host, uint32(r.Destination.Port)))
	}
	for _, d := range split {
		ref := rs.destinationRef(istioapi.Sub(d, "destination"))
		if len(split) > 1 {
			ref.set("weight", istioapi.Int(d, "weight"))
		}
		backends = append(backends, ref)
	}
	rule.set("backendRefs", backends)
	if istioapi.Has(h, "timeout") {
		d, _ := krm.GatewayAPIDuration(istioapi.Duration(h, "timeout"))
		rule.set("timeouts", newMapping().set("request", d))
	}
	return rule
}

// destinationRef is the backendRef of an Istio Destination (host and port.number).
func (rs *ingressRoutes) destinationRef(d protoreflect.Message) *mapping {
	return rs.backendRef("HTTPRoute", istioapi.String(d, "host"), uint32(istioapi.Int(istioapi.Sub(d, "port"), "number")))
}

// mirror is a RequestMirror filter to the Istio Destination d, of the percentage in the Percent
// field percentField of m when set.
func (rs *ingressRoutes) mirror(d, m protoreflect.Message, percentField string) *mapping {
	out := newMapping().set("backendRef", rs.destinationRef(d))
	if istioapi.Has(m, percentField) {
		out.set("percent", int(istioapi.Float(istioapi.Sub(m, percentField), "value")))
	}
	return newMapping().set("type", "RequestMirror").set("requestMirror", out)
}

func uriIsExact(m protoreflect.Message) bool {
	kind, _ := krm.URIMatch(m)
	return kind == "exact"
}

func pathMatch(kind, value string) *mapping {
	return newMapping().set("type", kind).set("value", value)
}

// gatewayAPIPathTypes are the Gateway API's path match types of Istio's StringMatch kinds.
var gatewayAPIPathTypes = map[string]string{"exact": "Exact", "prefix": "PathPrefix", "regex": "RegularExpression"}

// httpMatch is an Istio match as a Gateway API one (krm checked it has only a path, exact or
// regex headers and query parameters, and an exact method).
func httpMatch(m protoreflect.Message) *mapping {
	out := newMapping()
	if kind, value := krm.URIMatch(m); kind != "" {
		out.set("path", pathMatch(gatewayAPIPathTypes[kind], value))
	}
	out.setIf("headers", stringMatches(istioapi.MessageMap(m, "headers")))
	out.setIf("queryParams", stringMatches(istioapi.MessageMap(m, "queryParams")))
	if istioapi.Has(m, "method") {
		out.set("method", istioapi.String(istioapi.Sub(m, "method"), "exact"))
	}
	return out
}

func stringMatches(in map[string]protoreflect.Message) []*mapping {
	var out []*mapping
	for _, name := range slices.Sorted(maps.Keys(in)) {
		m := newMapping().set("name", name)
		if re := istioapi.String(in[name], "regex"); re != "" {
			m.set("type", "RegularExpression").set("value", re)
		} else {
			m.set("type", "Exact").set("value", istioapi.String(in[name], "exact"))
		}
		out = append(out, m)
	}
	return out
}

// headerModifier is Istio's HeaderOperations as a Gateway API header modifier.
func headerModifier(ops protoreflect.Message) *mapping {
	pairs := func(in map[string]string) []*mapping {
		var out []*mapping
		for _, name := range slices.Sorted(maps.Keys(in)) {
			out = append(out, newMapping().set("name", name).set("value", in[name]))
		}
		return out
	}
	return newMapping().
		setIf("set", pairs(istioapi.StringMap(ops, "set"))).
		setIf("add", pairs(istioapi.StringMap(ops, "add"))).
		setIf("remove", istioapi.Strings(ops, "remove"))
}

// corsFilter is Istio's corsPolicy as the Gateway API's CORS filter; Istio converts an origin
// ending in * back to a prefix match, any other to an exact one.
func corsFilter(c protoreflect.Message) *mapping {
	var origins []string
	for _, o := range istioapi.Messages(c, "allowOrigins") {
		if p := istioapi.String(o, "prefix"); p != "" {
			origins = append(origins, p+"*")
		} else {
			origins = append(origins, istioapi.String(o, "exact"))
		}
	}
	out := newMapping().setIf("allowOrigins", origins)
	if istioapi.Has(c, "allowCredentials") {
		out.set("allowCredentials", istioapi.Bool(istioapi.Sub(c, "allowCredentials"), "value"))
	}
	out.setIf("allowMethods", istioapi.Strings(c, "allowMethods")).
		setIf("allowHeaders", istioapi.Strings(c, "allowHeaders")).
		setIf("exposeHeaders", istioapi.Strings(c, "exposeHeaders"))
	if istioapi.Has(c, "maxAge") {
		out.set("maxAge", int64(istioapi.Duration(c, "maxAge").Seconds()))
	}
	return out
}
