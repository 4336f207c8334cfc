package krm

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"
	networking "istio.io/api/networking/v1alpha3"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The Ingress pattern with api GatewayAPI (fn/render/gatewayapi_ingress.go renders it). What the
// Istio fields of a route or a server's tls say is mapped to the standard channel of the Gateway
// API, as Istio's Gateway API controller converts it back (pilot/pkg/config/kube/gateway,
// conversion.go); what has no equivalent there is refused here, naming the field and why.

// gatewayAPIRouteFields are the fields of Istio's HTTPRoute a route maps to the Gateway API:
// name (the rule's name), match (matches), route (weighted backendRefs), rewrite (URLRewrite),
// timeout (timeouts.request), headers (Request/ResponseHeaderModifier), corsPolicy (CORS),
// mirror, mirrorPercentage and mirrors (RequestMirror).
var gatewayAPIRouteFields = []string{"name", "match", "route", "rewrite", "timeout", "headers", "corsPolicy", "mirror", "mirrorPercentage", "mirrors"}

// gatewayAPIRouteRefusals say why an HTTPRoute field has no Gateway API form.
var gatewayAPIRouteRefusals = map[string]string{
	"retries":       "the standard channel of the Gateway API has no retry policy (HTTPRoute retry is experimental); remove retries, or use api: Istio",
	"fault":         "the Gateway API has no fault injection; remove fault, or use api: Istio",
	"mirrorPercent": "deprecated by Istio; use mirrorPercentage",
}

// gatewayAPIMatchFields are the fields of Istio's HTTPMatchRequest with a Gateway API form:
// uri (path), headers, queryParams and method.
var gatewayAPIMatchFields = []string{"uri", "headers", "queryParams", "method"}

// gatewayAPIServerTLSFields are the ServerTLSSettings fields besides mode and credentialName with a
// Gateway API form: credentialNames (two certificateRefs) and cipherSuites (the listener's
// gateway.istio.io/tls-cipher-suites option, which Istio reads).
var gatewayAPIServerTLSFields = []string{"credentialNames", "cipherSuites"}

// GatewayAPIMethods are the HTTP methods a Gateway API match takes.
var GatewayAPIMethods = []string{"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}

// maxListeners is the Gateway API's limit on a Gateway's listeners.
const maxListeners = 64

// ServiceOf returns the Kubernetes Service a destination host names, as Istio resolves the host
// of a route in the gateway's namespace: name.namespace.svc.cluster.local, or a short name (no
// dot) in that namespace. ok is false for any other host (a ServiceEntry's, say: Istio takes
// web.shop as that name, not as a Service): a Gateway API backendRef names a Service.
func ServiceOf(host, namespace string) (name, ns string, ok bool) {
	if !strings.Contains(host, ".") {
		return host, namespace, true
	}
	parts := strings.Split(host, ".")
	if len(parts) == 5 && strings.HasSuffix(host, ".svc.cluster.local") {
		return parts[0], parts[1], true
	}
	return "", "", false
}

func validateGatewayAPIIngress(in *IngressSpec, path *field.Path, r *Problems) {
	listeners := 0
	lowerCase := func(hosts []string, p *field.Path) {
		for j, h := range hosts {
			if h != strings.ToLower(h) {
				r.errorf(p.Index(j), h, "a Gateway API listener's hostname and a route's hostnames are lower case; write %s", strings.ToLower(h))
			}
		}
	}
	for i, route := range in.Routes {
		lowerCase(route.Hosts, path.Child("routes").Index(i).Child("hosts"))
	}
	for i, s := range in.Servers {
		listeners += len(s.Hosts)
		lowerCase(s.Hosts, path.Child("servers").Index(i).Child("hosts"))
		if s.TLS == nil || s.TLS.Istio == nil {
			continue
		}
		p := path.Child("servers").Index(i).Child("tls")
		forEachSetField(s.TLS.Istio.ProtoReflect(), func(name string) {
			if !slices.Contains(gatewayAPIServerTLSFields, name) {
				r.Errors = append(r.Errors, field.Forbidden(p.Child(name), serverTLSRefusal(name)))
			}
		})
	}
	if listeners > maxListeners {
		r.errorf(path.Child("servers"), fmt.Sprintf("%d listeners", listeners), "the Gateway API takes at most %d listeners in a Gateway, one per server and host", maxListeners)
	}
	for i, route := range in.Routes {
		validateGatewayAPIRoute(route, path.Child("routes").Index(i), r)
	}
	validateGatewayAPIRouteOrder(in, path, r)
}

func serverTLSRefusal(name string) string {
	switch name {
	case "minProtocolVersion", "maxProtocolVersion":
		return "a Gateway API listener has no TLS version setting, and Istio's Gateway API controller reads none from its options; remove " + name + ", or use api: Istio"
	case "subjectAltNames", "verifyCertificateSpki", "verifyCertificateHash":
		return "Istio's Gateway API controller has no way to check a client certificate's " + name + "; remove it, or use api: Istio"
	case "caCertCredentialName":
		return "Istio's Gateway API form of a CA is the Gateway's spec.tls.frontend validation, which this function does not write yet; remove caCertCredentialName (MUTUAL reads the CA from credentialName's ca.crt), or use api: Istio"
	}
	return "a Gateway API listener takes its certificate from Secrets (certificateRefs); Istio's Gateway API controller reads no " + name + "; remove it, or use api: Istio"
}

// forEachSetField calls f with the JSON name of every field set in m, in the order the .proto
// declares them (protobuf's Range has no stable order, and errors must come out the same every
// run).
func forEachSetField(m protoreflect.Message, f func(name string)) {
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		if fd := fields.Get(i); m.Has(fd) {
			f(fd.JSONName())
		}
	}
}

func validateGatewayAPIRoute(route IngressRoute, p *field.Path, r *Problems) {
	if route.Istio == nil {
		validateBackendHost(route.Destination.Host, p.Child("destination", "host"), r)
		return
	}
	h := route.Istio
	forEachSetField(h.ProtoReflect(), func(name string) {
		if why, refused := gatewayAPIRouteRefusals[name]; refused {
			r.Errors = append(r.Errors, field.Forbidden(p.Child(name), why))
		} else if !slices.Contains(gatewayAPIRouteFields, name) {
			r.Errors = append(r.Errors, field.Forbidden(p.Child(name), "the Gateway API's HTTPRoute has no form of Istio's "+name+"; remove it, or use api: Istio"))
		}
	})
	if h.Name != "" {
		for _, msg := range validation.IsDNS1123Subdomain(h.Name) {
			r.errorf(p.Child("name"), h.Name, "becomes the name of the Gateway API rule, a DNS name: %s", msg)
		}
	}
	for i, m := range h.Match {
		validateGatewayAPIMatch(m, p.Child("match").Index(i), r)
	}
	if len(h.Route) == 0 {
		validateBackendHost(route.Destination.Host, p.Child("destination", "host"), r)
	}
	for i, d := range h.Route {
		dp := p.Child("route").Index(i)
		validateBackendDestination(d.Destination, dp.Child("destination"), r)
		if d.Headers != nil {
			r.Errors = append(r.Errors, field.Forbidden(dp.Child("headers"), "headers per destination are not mapped to the Gateway API (backendRef filters); set headers on the route"))
		}
	}
	if rw := h.Rewrite; rw != nil {
		if rw.UriRegexRewrite != nil {
			r.Errors = append(r.Errors, field.Forbidden(p.Child("rewrite", "uriRegexRewrite"), "the Gateway API's URLRewrite replaces a path prefix or the full path, never by regex; remove uriRegexRewrite, or use api: Istio"))
		}
		if rw.Uri != "" {
			kinds := map[string]bool{}
			for _, m := range h.Match {
				kinds[uriKind(m)] = true
			}
			if len(h.Match) == 0 {
				kinds["prefix"] = true
			}
			if len(h.Match) > 1 || kinds["regex"] || kinds[""] {
				r.errorf(p.Child("rewrite", "uri"), rw.Uri, "the Gateway API rewrites the path of a rule with one match, on a prefix (ReplacePrefixMatch) or an exact path (ReplaceFullPath); give this route one prefix or exact uri match")
			}
		}
	}
	if h.Timeout != nil {
		if _, ok := GatewayAPIDuration(h.Timeout.AsDuration()); !ok {
			r.errorf(p.Child("timeout"), h.Timeout.AsDuration().String(), "a Gateway API timeout is a whole number of hours, minutes, seconds or milliseconds (such as 1500ms)")
		}
	}
	if c := h.CorsPolicy; c != nil {
		cp := p.Child("corsPolicy")
		if c.UnmatchedPreflights != networking.CorsPolicy_IGNORE {
			r.errorf(cp.Child("unmatchedPreflights"), c.UnmatchedPreflights.String(), "Istio answers the preflight requests of origins the Gateway API's CORS filter does not allow itself (IGNORE), where the Istio API forwards them (FORWARD, the default); set unmatchedPreflights: IGNORE to keep the same behaviour with both APIs")
		}
		for i, o := range c.AllowOrigins {
			if o.GetRegex() != "" {
				r.errorf(cp.Child("allowOrigins").Index(i), o.GetRegex(), "the Gateway API's CORS origins are exact, or end in a * wildcard; write exact or prefix")
			}
		}
		if c.MaxAge != nil && c.MaxAge.AsDuration()%time.Second != 0 {
			r.errorf(cp.Child("maxAge"), c.MaxAge.AsDuration().String(), "the Gateway API's CORS maxAge is whole seconds")
		}
		forEachSetField(c.ProtoReflect(), func(name string) {
			if name == "allowOrigin" {
				r.Errors = append(r.Errors, field.Forbidden(cp.Child(name), "deprecated by Istio; use allowOrigins"))
			}
		})
	}
	if h.Mirror != nil {
		validateBackendDestination(h.Mirror, p.Child("mirror"), r)
	}
	if h.MirrorPercentage != nil {
		validateMirrorPercent(h.MirrorPercentage.GetValue(), p.Child("mirrorPercentage", "value"), r)
	}
	for i, m := range h.Mirrors {
		mp := p.Child("mirrors").Index(i)
		validateBackendDestination(m.Destination, mp.Child("destination"), r)
		if m.Percentage != nil {
			validateMirrorPercent(m.Percentage.GetValue(), mp.Child("percentage", "value"), r)
		}
	}
}

func validateMirrorPercent(v float64, p *field.Path, r *Problems) {
	if v != math.Trunc(v) {
		r.errorf(p, v, "the Gateway API mirrors a whole percentage of requests")
	}
}

// uriKind is the kind of a match's uri: exact, prefix, regex, or "" when it has none.
func uriKind(m *networking.HTTPMatchRequest) string {
	switch m.GetUri().GetMatchType().(type) {
	case *networking.StringMatch_Exact:
		return "exact"
	case *networking.StringMatch_Prefix:
		return "prefix"
	case *networking.StringMatch_Regex:
		return "regex"
	}
	return ""
}

func validateGatewayAPIMatch(m *networking.HTTPMatchRequest, p *field.Path, r *Problems) {
	forEachSetField(m.ProtoReflect(), func(name string) {
		if !slices.Contains(gatewayAPIMatchFields, name) {
			r.Errors = append(r.Errors, field.Forbidden(p.Child(name), "a Gateway API match has a path, headers, query parameters and a method only; remove "+name+", or use api: Istio"))
		}
	})
	for _, name := range sortedKeys(m.Headers) {
		if m.Headers[name].GetPrefix() != "" {
			r.errorf(p.Child("headers").Key(name), "prefix", "a Gateway API header match is exact or regex; write it as regex")
		}
	}
	for _, name := range sortedKeys(m.QueryParams) {
		if m.QueryParams[name].GetPrefix() != "" {
			r.errorf(p.Child("queryParams").Key(name), "prefix", "a Gateway API query parameter match is exact or regex; write it as regex")
		}
	}
	if m.Method != nil {
		if method := m.Method.GetExact(); method == "" || !slices.Contains(GatewayAPIMethods, method) {
			r.Errors = append(r.Errors, field.NotSupported(p.Child("method"), m.Method.String(), slices.Collect(func(yield func(string) bool) {
				for _, method := range GatewayAPIMethods {
					if !yield("{exact: " + method + "}") {
						return
					}
				}
			})))
		}
	}
}

func validateBackendDestination(d *networking.Destination, p *field.Path, r *Problems) {
	if d == nil {
		return
	}
	validateBackendHost(d.Host, p.Child("host"), r)
	if d.Subset != "" {
		r.Errors = append(r.Errors, field.Forbidden(p.Child("subset"), "a Gateway API backendRef names a Service, not a DestinationRule subset; route to a Service per version, or use api: Istio"))
	}
	if d.Port == nil || d.Port.Number == 0 {
		r.Errors = append(r.Errors, field.Required(p.Child("port", "number"), "a Gateway API backendRef to a Service names its port"))
	}
}

func validateBackendHost(host string, p *field.Path, r *Problems) {
	if host == "" {
		return // required, and said so by the Istio API's checks
	}
	if _, _, ok := ServiceOf(host, ""); !ok {
		r.errorf(p, host, "a Gateway API backendRef names a Kubernetes Service: name.namespace.svc.cluster.local, or a short name in the gateway's namespace")
	}
}

// GatewayAPIDuration writes d as a Gateway API Duration (GEP-2257: up to four whole numbers of
// h, m, s or ms, each of at most five digits); ok is false when it cannot.
func GatewayAPIDuration(d time.Duration) (string, bool) {
	if d < 0 || d%time.Millisecond != 0 {
		return "", false
	}
	var b strings.Builder
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}, {time.Millisecond, "ms"}} {
		if n := d / u.unit; n > 0 {
			if n > 99999 {
				return "", false
			}
			fmt.Fprintf(&b, "%d%s", n, u.name)
			d -= n * u.unit
		}
	}
	if b.Len() == 0 {
		return "0s", true
	}
	return b.String(), true
}

// gatewayAPIMatchKey is where Istio's Gateway API controller sorts a match among a host's routes
// (conversion.go, sortHTTPRoutes): exact path, then prefix, then regex; the longer path first;
// then a method; then more headers; then more query parameters.
type gatewayAPIMatchKey struct {
	rank, length, method, headers, queries int
	path                                   string // the path matched: exact value, prefix, or regex
}

func gatewayAPIKey(m *networking.HTTPMatchRequest, prefix string) gatewayAPIMatchKey {
	// A route's short form is a prefix match; so is a match without a path (prefix "/").
	k := gatewayAPIMatchKey{rank: 2, path: prefix}
	if m != nil {
		k.path = "/"
		switch u := m.GetUri().GetMatchType().(type) {
		case *networking.StringMatch_Exact:
			k.rank, k.path = 3, u.Exact
		case *networking.StringMatch_Prefix:
			k.path = u.Prefix
		case *networking.StringMatch_Regex:
			k.rank, k.path = 1, u.Regex
		}
		if m.Method != nil {
			k.method = 1
		}
		k.headers, k.queries = len(m.Headers), len(m.QueryParams)
	}
	k.length = len(k.path)
	if k.rank == 2 && k.path != "/" {
		k.length = len(strings.TrimSuffix(k.path, "/")) // Istio drops a prefix's trailing "/"
	}
	return k
}

// mayOverlap reports whether a request may match both paths: a regex may match anything; an exact
// path or a prefix falls under a prefix it starts with.
func (a gatewayAPIMatchKey) mayOverlap(b gatewayAPIMatchKey) bool {
	under := func(x, prefix gatewayAPIMatchKey) bool {
		return prefix.rank == 2 && strings.HasPrefix(x.path, strings.TrimSuffix(prefix.path, "/"))
	}
	switch {
	case a.rank == 1 || b.rank == 1:
		return true
	case a.rank == 3 && b.rank == 3:
		return a.path == b.path
	}
	return under(a, b) || under(b, a)
}

func (a gatewayAPIMatchKey) before(b gatewayAPIMatchKey) bool {
	switch {
	case a.rank != b.rank:
		return a.rank > b.rank
	case a.length != b.length:
		return a.length > b.length
	case a.method != b.method:
		return a.method > b.method
	case a.headers != b.headers:
		return a.headers > b.headers
	}
	return a.queries > b.queries
}

// validateGatewayAPIRouteOrder refuses the routes the Gateway API would try in another order than
// the Istio API rendering: Istio tries a VirtualService's routes in the order written (routes with
// match first, then prefixes, longest first), while the Gateway API orders every match of a host
// by its precedence (see gatewayAPIMatchKey), so a regex written before a prefix that covers it
// would never be reached. Each host's routes are checked in the order the Istio API tries them.
func validateGatewayAPIRouteOrder(in *IngressSpec, path *field.Path, r *Problems) {
	type entry struct {
		route int
		key   gatewayAPIMatchKey
	}
	reported := map[int]bool{}
	var hosts []string
	for _, route := range in.Routes {
		for _, h := range route.Hosts {
			if !slices.Contains(hosts, strings.ToLower(h)) {
				hosts = append(hosts, strings.ToLower(h))
			}
		}
	}
	for _, host := range hosts {
		var order []int
		for i, route := range in.Routes {
			if slices.ContainsFunc(route.Hosts, func(h string) bool { return strings.EqualFold(h, host) }) {
				order = append(order, i)
			}
		}
		// The Istio API's order: match routes as written, then prefixes, longest first.
		slices.SortStableFunc(order, func(a, b int) int {
			ra, rb := in.Routes[a], in.Routes[b]
			switch {
			case ra.HasMatch() && rb.HasMatch():
				return 0
			case ra.HasMatch():
				return -1
			case rb.HasMatch():
				return 1
			}
			return len(rb.Prefix) - len(ra.Prefix)
		})
		var entries []entry
		for _, i := range order {
			route := in.Routes[i]
			if !route.HasMatch() {
				entries = append(entries, entry{i, gatewayAPIKey(nil, route.Prefix)})
				continue
			}
			for _, m := range route.Istio.Match {
				entries = append(entries, entry{i, gatewayAPIKey(m, "")})
			}
		}
		for a := range entries {
			for b := a + 1; b < len(entries); b++ {
				ea, eb := entries[a], entries[b]
				if ea.route == eb.route || !eb.key.before(ea.key) || !ea.key.mayOverlap(eb.key) || reported[eb.route] {
					continue
				}
				reported[eb.route] = true
				r.errorf(path.Child("routes").Index(eb.route), host, "the Gateway API tries this route before routes[%d] for this host (its precedence: an exact path, then the longest prefix, then a regex; then a method, more headers, more query parameters), where the Istio API tries routes[%d] first, in the order written; a request both match would go elsewhere: make them match different paths, or use api: Istio", ea.route, ea.route)
			}
		}
	}
}
