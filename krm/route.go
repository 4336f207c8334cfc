package krm

import (
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/gatewaypattern/gateway-pattern/krm/internal/fielderr"
	"github.com/gatewaypattern/gateway-pattern/krm/istioapi"
)

// routeOwnFields are the keys of a route that this package decodes, defaults and validates
// itself (the short form); krm/istioapi checks every other key against Istio's HTTPRoute.
var routeOwnFields = []string{"hosts", "prefix", "destination"}

// routeRefusedFields are HTTPRoute fields a route does not take: each replaces the route's
// destination with something this function does not state or check (an answer written in the
// VirtualService, or another VirtualService that is not generated).
var routeRefusedFields = []string{"redirect", "directResponse", "delegate"}

// RouteFields are the JSON names of Istio's HTTPRoute that a route takes besides hosts, prefix
// and destination, in Istio's order.
func RouteFields() []string {
	fields := istioapi.Message(istioapi.HTTPRoute).Fields()
	var names []string
	for i := range fields.Len() {
		if name := fields.Get(i).JSONName(); !slices.Contains(routeRefusedFields, name) {
			names = append(names, name)
		}
	}
	return names
}

// decodeTree decodes hosts, prefix and destination as the other fields of the API, and the rest
// as Istio's HTTPRoute (krm/istioapi). A key that is neither is told the closest of both sets of
// names, so that "destinaton" is told "destination" and "rewite" "rewrite".
func (rt *IngressRoute) decodeTree(v any, path *field.Path) field.ErrorList {
	m, ok := v.(map[string]any)
	if !ok {
		return field.ErrorList{field.Invalid(path, v, "must be an object")}
	}
	var errs field.ErrorList
	own, rest := map[string]any{}, map[string]any{}
	for _, k := range sortedKeys(m) {
		switch {
		case slices.Contains(routeOwnFields, k):
			own[k] = m[k]
		case slices.Contains(routeRefusedFields, k):
			errs = append(errs, field.Forbidden(path.Child(k),
				"a route sends its requests to destination (or route); Istio's "+k+" is not taken here"))
		// Istio's names are looked up only here, for a key that is not the short form's, so that
		// a route in the short form does not build Istio's descriptors (krm/istioapi).
		case slices.Contains(istioapi.FieldNames(istioapi.Message(istioapi.HTTPRoute)), k):
			rest[k] = m[k]
		default:
			known := append(slices.Clone(routeOwnFields), RouteFields()...)
			errs = append(errs, fielderr.UnknownField(path.Child(k), k, known))
		}
	}
	type plain IngressRoute // the same fields without this method: the ordinary decoder
	var p plain
	errs = append(errs, decodeTree(own, &p, path)...)
	rt.Hosts, rt.Prefix, rt.Destination = p.Hosts, p.Prefix, p.Destination
	if len(rest) > 0 {
		rt.Istio = istioapi.New(istioapi.HTTPRoute)
		errs = append(errs, istioapi.Decode(rest, rt.Istio, path)...)
	}
	return errs
}

// HasMatch reports whether the route gives Istio's match instead of prefix.
func (rt IngressRoute) HasMatch() bool { return rt.Istio != nil && istioapi.Len(rt.Istio, "match") > 0 }

// hasRoute reports whether the route gives Istio's route (weighted destinations) instead of
// destination.
func (rt IngressRoute) hasRoute() bool { return rt.Istio != nil && istioapi.Len(rt.Istio, "route") > 0 }

// validateRouteIstio checks what a route's Istio fields change in the short form's rules: match
// replaces prefix, route replaces destination, and the weights of a split add up to 100, as
// Istio's validation of a VirtualService requires.
func validateRouteIstio(route IngressRoute, p *field.Path, r *Problems) {
	if route.Istio == nil {
		validateDestination(route.Destination, p.Child("destination"), r)
		return
	}
	if route.HasMatch() && route.Prefix != "" {
		r.errorf(p.Child("prefix"), route.Prefix, "match is given too: a route takes prefix or match, not both; write the prefix as a match condition (uri: {prefix: %s})", route.Prefix)
	}
	if !route.hasRoute() {
		validateDestination(route.Destination, p.Child("destination"), r)
		return
	}
	if route.Destination != (Destination{}) {
		r.Errors = append(r.Errors, field.Forbidden(p.Child("destination"), "route is given too: a route takes destination or route (weighted destinations), not both"))
	}
	total := int32(0)
	split := istioapi.Messages(route.Istio, "route")
	for i, d := range split {
		dp := p.Child("route").Index(i).Child("destination")
		host := istioapi.String(istioapi.Sub(d, "destination"), "host") // "" when destination is unset
		switch {
		case host == "":
			r.Errors = append(r.Errors, field.Required(dp.Child("host"), "the service, such as api.shop.svc.cluster.local"))
		default:
			for _, msg := range validation.IsDNS1123Subdomain(host) {
				r.errorf(dp.Child("host"), host, "%s", msg)
			}
		}
		weight := int32(istioapi.Int(d, "weight"))
		if weight < 0 {
			r.errorf(p.Child("route").Index(i).Child("weight"), weight, "must not be negative")
		}
		total += weight
	}
	if len(split) > 1 && total != 100 {
		r.errorf(p.Child("route"), fmt.Sprintf("weights add up to %d", total), "the weights of a split must add up to 100")
	}
}
