package traffic

import (
	"regexp"

	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	matcher "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
)

// wholeSegmentPrefixes makes Istio's traffic simulator match Envoy's path_separated_prefix as Envoy
// does: the path itself, or the path followed by "/" (or a query or fragment), never a longer
// segment. The simulator takes it for a plain string prefix (simulation/traffic.go, matchRoute),
// which would hide the one place where the Gateway API (PathPrefix, which Istio converts to
// path_separated_prefix) and the Istio API (uri.prefix, a string prefix) route differently:
// /apiary is under Istio's prefix /api, not under the Gateway API's. Each such match becomes the
// equivalent anchored regex, which the simulator does evaluate; run after the xDS validation, so
// that what is validated is what istiod generated.
func wholeSegmentPrefixes(routes []*route.RouteConfiguration) {
	for _, rc := range routes {
		for _, vh := range rc.GetVirtualHosts() {
			for _, r := range vh.GetRoutes() {
				p, ok := r.GetMatch().GetPathSpecifier().(*route.RouteMatch_PathSeparatedPrefix)
				if !ok {
					continue
				}
				r.Match.PathSpecifier = &route.RouteMatch_SafeRegex{SafeRegex: &matcher.RegexMatcher{
					Regex: "^" + regexp.QuoteMeta(p.PathSeparatedPrefix) + "([/?#].*)?$",
				}}
			}
		}
	}
}
