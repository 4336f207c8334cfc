package explain

import (
	"fmt"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// meshPaths are the paths of a VirtualService bound to the mesh: an application's sidecar sends
// the host to a destination, and when that destination is a generated gateway, the gateway's
// server and route bound to it send the host on (an egress gateway's two hops).
func (x *index) meshPaths(vs *virtualService) []Path {
	var out []Path
	for _, section := range []string{"http", "tls", "tcp"} {
		for j, r := range vs.section(section) {
			for _, m := range r.matches("mesh", 0) {
				hosts := vs.spec.Hosts
				if section == "tls" {
					hosts = m.SNIHosts
				}
				for _, h := range hosts {
					out = append(out, x.meshPath(vs, section, j, r, m, h))
				}
			}
		}
	}
	return out
}

func (x *index) meshPath(vs *virtualService, section string, j int, r vsRoute, m routeMatch, host string) Path {
	p := Path{About: vs.obj.ref()}
	port := m.Port
	se, protocol := x.serviceEntryFor(host, port)
	entry := url(appScheme(protocol, section), host, port, "")
	if port == 0 {
		entry += " (any port)"
	}
	first := Hop{Proxy: Sidecar, Port: port, Host: host, Path: "/", Protocol: "http", Namespaces: vs.sidecarNamespaces()}
	sidecar := "sidecar"
	if first.Namespaces != nil {
		sidecar = "sidecar in " + strings.Join(first.Namespaces, ", ")
	}
	if section != "http" {
		first.Protocol, first.Path = "tcp", ""
	}
	if section == "tls" {
		first.TLS, first.SNI = "tls", host
	}
	if se != nil && len(se.spec.Addresses) > 0 {
		// Sidecars listen for the host on its addresses only (address_port): it is reached by
		// dialling one of them, not by its name alone.
		first.Address = se.spec.Addresses[0]
		entry += " dialled at " + strings.Join(se.spec.Addresses, ", ")
	}
	why := []string{fmt.Sprintf("%s (mesh, port %d)", r.name(section, j), port)}
	route := []string{entry, sidecar}
	// end ends the path at its last step, with the hops that could be followed.
	end := func(last string, hops ...Hop) Path {
		p.Route, p.Why, p.Hops = join(append(route, last)...), strings.Join(why, " → "), hops
		return p
	}
	if len(r.Route) != 1 {
		return end("? (the route has no single destination)")
	}
	to := destinationOf(r.Route[0].Destination)
	first.To = to
	svc := x.serviceNamed(to.Host)
	if svc == nil {
		// Not a generated gateway: the sidecar sends the host there itself.
		return end(withNotes(to.String(), subsetNote(to)), first)
	}

	// The sidecar's hop to the gateway: how the DestinationRule for the gateway Service (and the
	// route's subset) says to carry it.
	next := Hop{Proxy: Gateway, Port: to.Port, Host: host, Path: first.Path, Protocol: first.Protocol, TLS: first.TLS, SNI: first.SNI}
	hopNote := map[string]string{"http": "plain HTTP", "tls": "the app's TLS, SNI " + host, "tcp": "TCP"}[section]
	if dr := x.destinationRuleFor(to.Host, nil); dr != nil {
		tls, where := dr.tlsFor(to.Subset, to.Port)
		if tls != nil && tls.Mode != "" && tls.Mode != "DISABLE" {
			first.UpstreamTLS, first.UpstreamSNI = tls.Mode, tls.SNI
			next.TLS, next.SNI = "mtls", tls.SNI
			if tls.Mode != "ISTIO_MUTUAL" {
				next.TLS = "tls"
			}
			hopNote = tlsNote(tls)
		}
		why = append(why, dr.obj.named()+where)
	} else if to.Subset != "" {
		return end(to.String() + " (subset " + to.Subset + ": no generated DestinationRule defines it)")
	}
	authzSNI := next.SNI
	if authzSNI == "" && next.TLS == "mtls" {
		// Istio mutual TLS without an SNI of the DestinationRule's: Istio's own for the cluster.
		authzSNI = fmt.Sprintf("outbound_.%d_.%s_.%s", to.Port, to.Subset, svc.fqdn())
	}
	route = []string{entry + " from " + x.sources(svc, authzSNI, host), sidecar, servicePortNode(svc, to.Port, hopNote)}
	if reason := closed(svc, to.Port); reason != "" {
		return end("refused ("+reason+")", first, withAnswer(next, AnswerClosed))
	}

	// At the gateway: the Gateway bound to vs whose pods the Service leads to, its server on the
	// port for the host (by SNI when the hop is TLS), and the route bound to it.
	g, name := x.gatewayBehind(vs, svc)
	if g == nil {
		return end("? (no Gateway bound to " + vs.obj.Metadata.Name + " selects the pods of Service " + svc.obj.Metadata.Name + ")")
	}
	if port := x.gatewayPort(svc, to.Port, g); port != to.Port {
		// A hop Service of its own (an egress host's): the Gateway listens on the port of its
		// own Service that leads to the same pods' port.
		to.Port, next.Port = port, port
	}
	pickedBy := host // a TLS server is picked by the SNI, an HTTP one by the host
	if next.SNI != "" {
		pickedBy = next.SNI
	}
	i, s, ok := serverFor(g, to.Port, pickedBy)
	if !ok {
		return end(fmt.Sprintf("refused (no server of Gateway %s takes %s on %d)", g.obj.Metadata.Name, pickedBy, to.Port),
			first, withAnswer(next, AnswerNotFound))
	}
	why = append(why, g.obj.named()+" "+s.label(i))
	if refusal := acceptsHop(s, next.TLS); refusal != "" {
		return end("refused ("+refusal+")", first, withAnswer(next, AnswerNotFound))
	}
	onGateway := s.routesBy()
	owner, k, r2, found := x.gatewayRoute(vs, g, name, onGateway, to.Port, host, next.SNI)
	if !found {
		return end(fmt.Sprintf("404 (no %s route bound to Gateway %s for %s on %d)", onGateway, g.obj.Metadata.Name, host, to.Port),
			first, withAnswer(next, AnswerNotFound))
	}
	routeRef := fmt.Sprintf("%s[%d] (%s, port %d)", onGateway, k, name, to.Port)
	if owner != vs {
		routeRef = owner.obj.named() + " " + routeRef
	}
	why = append(why, routeRef)
	if len(r2.Route) != 1 {
		return end("? (the gateway's route has no single destination)")
	}
	last := destinationOf(r2.Route[0].Destination)
	next.To = last
	lastNote := ""
	switch onGateway {
	case "http":
		lastNote = "HTTP"
		if dr := x.destinationRuleFor(last.Host, x.podsLabels(g)); dr != nil {
			if tls, where := dr.tlsFor(last.Subset, last.Port); tls != nil && tls.Mode != "" && tls.Mode != "DISABLE" {
				next.UpstreamTLS, next.UpstreamSNI = tls.Mode, tls.SNI
				lastNote = "TLS originated by the gateway"
				if tls.Mode == "MUTUAL" {
					lastNote = "mutual TLS originated by the gateway, with its client certificate"
				}
				if tls.SNI != "" {
					lastNote += ", SNI " + tls.SNI
				}
				why = append(why, dr.obj.named()+where)
			}
		}
	case "tls":
		lastNote = "the app's TLS passed through"
	default:
		lastNote = "TCP"
		if appScheme(protocol, section) == "https" || appScheme(protocol, section) == "tls" {
			lastNote = "the app's TLS passed through"
		}
	}
	if se2, _ := x.serviceEntryFor(last.Host, last.Port); se2 != nil {
		why = append(why, se2.obj.named()+" ("+se2.spec.Resolution+")")
	} else if se != nil {
		why = append(why, se.obj.named()+" ("+se.spec.Resolution+")")
	}
	p = end(withNotes(last.String(), subsetNote(last), lastNote), first, next)
	if ap := x.policiesFor(svc); len(ap) > 0 {
		p.Why += "; sources admitted by " + strings.Join(ap, ", ")
	}
	return p
}

// acceptsHop says why server s refuses a hop carried as tls ("" plain, "tls", "mtls"), or "".
func acceptsHop(s server, tls string) string {
	switch mode := s.mode(); {
	case mode == "ISTIO_MUTUAL" && tls != "mtls":
		return "the server expects Istio mTLS, the hop is not"
	case mode != "" && mode != "ISTIO_MUTUAL" && tls == "":
		return "the server expects TLS, the hop is plain text"
	case mode == "" && tls != "" && s.routesBy() == "http":
		return "the server expects plain HTTP, the hop is TLS"
	}
	return ""
}

func withAnswer(h Hop, answer string) Hop {
	h.Answer = answer
	return h
}

// appScheme is what the application speaks to the external host: from the ServiceEntry's port
// protocol, or the route's section when no ServiceEntry declares the port.
func appScheme(protocol, section string) string {
	switch strings.ToUpper(protocol) {
	case "HTTP", "HTTP2", "GRPC":
		return "http"
	case "HTTPS":
		return "https"
	case "TLS":
		return "tls"
	case "TCP", "MONGO":
		return "tcp"
	}
	return section
}

func tlsNote(tls *clientTLS) string {
	mode := map[string]string{"ISTIO_MUTUAL": "Istio mTLS", "SIMPLE": "TLS", "MUTUAL": "mutual TLS"}[tls.Mode]
	if mode == "" {
		mode = tls.Mode
	}
	if tls.SNI == "" {
		return mode
	}
	return mode + ", SNI " + tls.SNI
}

// tlsFor is the TLS the rule sets for a subset's port, and where it sets it, for the why.
func (dr *destinationRule) tlsFor(subset string, port int32) (*clientTLS, string) {
	if subset != "" {
		for _, s := range dr.spec.Subsets {
			if s.Name == subset {
				if tls := s.TrafficPolicy.tlsOn(port); tls != nil {
					return tls, " subset " + subset + " (" + tls.Mode + ")"
				}
			}
		}
	}
	if tls := dr.spec.TrafficPolicy.tlsOn(port); tls != nil {
		return tls, " (" + tls.Mode + " on " + fmt.Sprint(port) + ")"
	}
	return nil, ""
}

// gatewayBehind is the Gateway bound to vs whose pods the Service leads to, and its name as vs
// binds it.
func (x *index) gatewayBehind(vs *virtualService, svc *service) (*gateway, string) {
	for _, name := range vs.spec.Gateways {
		if name == "mesh" {
			continue
		}
		g := x.gatewayNamed(name, vs.obj.Metadata.Namespace)
		if g != nil && x.leadsTo(svc, x.podsOf(g.spec.Selector)) {
			return g, name
		}
	}
	if vs.gatewayAPI {
		// A Gateway API mesh route is bound to the mesh alone: it sends to the gateway's Service,
		// where the Gateway serving the Service's pods takes the traffic, by its own routes.
		for _, g := range x.gateways {
			if x.leadsTo(svc, x.podsOf(g.spec.Selector)) {
				return g, g.obj.Metadata.Namespace + "/" + g.obj.Metadata.Name
			}
		}
	}
	return nil, ""
}

// gatewayPort is the port of g's own Service that leads to the pods' port behind port of svc
// (another Service selecting g's pods), or port itself.
func (x *index) gatewayPort(svc *service, port int32, g *gateway) int32 {
	own := x.serviceOf(x.podsOf(g.spec.Selector))
	sp, ok := svc.port(port)
	if own == nil || own == svc || !ok {
		return port
	}
	for _, p := range own.spec.Ports {
		if gp, _ := own.port(p.Port); gp.targetPort == sp.targetPort {
			return p.Port
		}
	}
	return port
}

// serverFor is the server of g on port that takes name (the SNI, or the HTTP host): the most
// specific one, as Envoy picks filter chains (a Gateway API listener with the host as hostname
// before one without).
func serverFor(g *gateway, port int32, name string) (int, server, bool) {
	found, best := -1, 0
	for i, s := range g.spec.Servers {
		if score := s.specificity(name); s.Port.Number == port && score > best {
			found, best = i, score
		}
	}
	if found < 0 {
		return 0, server{}, false
	}
	return found, g.spec.Servers[found], true
}

// gatewayRoute finds the route bound to gateway g (as name) for host on port, in the section the
// server applies: first in vs, then in any other VirtualService bound to g.
func (x *index) gatewayRoute(vs *virtualService, g *gateway, name, section string, port int32, host, sni string) (*virtualService, int, vsRoute, bool) {
	candidates := append([]*virtualService{vs}, x.virtualServices...)
	for _, c := range candidates {
		if !x.binds(c, g) || !slices.ContainsFunc(c.spec.Hosts, func(h string) bool { return hostsMatch(h, host) }) {
			continue
		}
		gwName := name
		if c != vs {
			gwName = bindingName(x, c, g)
		}
		for k, r := range c.section(section) {
			for _, m := range r.matches(gwName, port) {
				if len(m.Gateways) == 0 && slices.Contains(c.spec.Gateways, "mesh") {
					continue // a route for every gateway of a mesh-bound VirtualService is the sidecar's
				}
				if section == "tls" && !slices.ContainsFunc(m.SNIHosts, func(h string) bool { return hostsMatch(h, sni) }) {
					continue
				}
				return c, k, r, true
			}
		}
	}
	return nil, 0, vsRoute{}, false
}

func bindingName(x *index, vs *virtualService, g *gateway) string {
	for _, name := range vs.spec.Gateways {
		if x.gatewayNamed(name, vs.obj.Metadata.Namespace) == g {
			return name
		}
	}
	return ""
}

func (x *index) podsLabels(g *gateway) map[string]string {
	if w := x.podsOf(g.spec.Selector); w != nil {
		return w.podLabels
	}
	return g.spec.Selector
}

// sources says who may use the gateway behind svc for a hop that arrives with SNI sni ("" when
// the hop is not TLS): the callers the ALLOW AuthorizationPolicies on its pods admit
// (namespace/serviceaccount, namespace/* for a namespace), any workload, or no workload. A rule's
// connection.sni conditions are decided here against sni; any other condition is noted.
func (x *index) sources(svc *service, sni, host string) string {
	var who []string
	policies := x.policiesOn(svc)
	for _, ap := range policies {
		for _, rule := range ap.spec.Rules {
			applies, other := sniConditions(rule.When, sni)
			toApplies, toOther := hostConditions(rule.To, host)
			if !applies || !toApplies {
				continue
			}
			other = other || toOther
			if len(rule.From) == 0 && !other {
				return "any workload"
			}
			if len(rule.From) == 0 {
				who = append(who, "any workload")
			}
			for _, from := range rule.From {
				for _, p := range from.Source.Principals {
					who = append(who, principal(p))
				}
				for _, ns := range from.Source.Namespaces {
					who = append(who, ns+"/*")
				}
			}
			if other {
				who[len(who)-1] += " (with conditions)"
			}
		}
	}
	switch {
	case len(who) > 0:
		return strings.Join(who, ", ")
	case len(policies) > 0:
		return "no workload (no rule of " + strings.Join(x.policiesFor(svc), ", ") + " admits this host)"
	}
	return "any workload"
}

// sniConditions decides a rule's connection.sni conditions for a hop with SNI sni: applies is
// false when one excludes it; other is true when the rule has conditions it cannot decide (other
// keys, or SNI conditions for a hop without SNI).
// hostConditions reads a rule's to: whether it admits requests for host by their Host header
// (operation hosts and notHosts, with Istio's "*" prefix and suffix matches), and whether it has
// other conditions (those this line does not follow).
func hostConditions(to []yaml.Node, host string) (applies, other bool) {
	if len(to) == 0 {
		return true, false
	}
	applies = false
	for _, n := range to {
		var t struct {
			Operation map[string]yaml.Node `yaml:"operation"`
		}
		var hosts, notHosts []string
		if err := n.Decode(&t); err != nil || host == "" {
			return true, true
		}
		for key, v := range t.Operation {
			switch key {
			case "hosts":
				_ = v.Decode(&hosts)
			case "notHosts":
				_ = v.Decode(&notHosts)
			default:
				other = true
			}
		}
		if (len(hosts) == 0 || slices.ContainsFunc(hosts, func(h string) bool { return authzHostMatch(h, host) })) &&
			!slices.ContainsFunc(notHosts, func(h string) bool { return authzHostMatch(h, host) }) {
			applies = true
		}
	}
	return applies, other
}

// authzHostMatch is Istio's string match of an AuthorizationPolicy host: exact, or a prefix or
// suffix match with "*" (the request's host here carries no port).
func authzHostMatch(pattern, host string) bool {
	switch {
	case strings.HasSuffix(pattern, "*"):
		return strings.HasPrefix(host, strings.TrimSuffix(pattern, "*"))
	case strings.HasPrefix(pattern, "*"):
		return strings.HasSuffix(host, strings.TrimPrefix(pattern, "*"))
	}
	return strings.EqualFold(pattern, host)
}

func sniConditions(when []yaml.Node, sni string) (applies, other bool) {
	for _, n := range when {
		var c struct {
			Key       string   `yaml:"key"`
			Values    []string `yaml:"values"`
			NotValues []string `yaml:"notValues"`
		}
		if err := n.Decode(&c); err != nil || c.Key != "connection.sni" || sni == "" {
			other = true
			continue
		}
		if (len(c.Values) > 0 && !slices.Contains(c.Values, sni)) || slices.Contains(c.NotValues, sni) {
			return false, false
		}
	}
	return true, other
}

// principal writes a SPIFFE-style principal trust-domain/ns/<namespace>/sa/<account> as
// namespace/account.
func principal(p string) string {
	parts := strings.Split(p, "/")
	if len(parts) == 5 && parts[1] == "ns" && parts[3] == "sa" {
		return parts[2] + "/" + parts[4]
	}
	return p
}

// policiesOn returns the ALLOW AuthorizationPolicies that select the pods svc leads to.
func (x *index) policiesOn(svc *service) []*authorizationPolicy {
	var out []*authorizationPolicy
	for _, ap := range x.policies {
		if ap.spec.Action != "" && ap.spec.Action != "ALLOW" {
			continue
		}
		if ap.obj.Metadata.Namespace != svc.obj.Metadata.Namespace {
			continue
		}
		var selectors []map[string]string
		if ap.spec.Selector != nil {
			selectors = append(selectors, ap.spec.Selector.MatchLabels)
		}
		for _, ref := range ap.spec.TargetRefs {
			if ref.Kind == "Gateway" && ref.Group == gatewayAPIGroup {
				// Istio applies it to the pods it labels with the Gateway's name.
				selectors = append(selectors, map[string]string{gatewayAPIGroup + "/gateway-name": ref.Name})
			}
		}
		for _, w := range x.workloads {
			if x.leadsTo(svc, w) && slices.ContainsFunc(selectors, func(s map[string]string) bool { return hasLabels(w.podLabels, s) }) {
				out = append(out, ap)
				break
			}
		}
	}
	return out
}

func (x *index) policiesFor(svc *service) []string {
	var names []string
	for _, ap := range x.policiesOn(svc) {
		names = append(names, ap.obj.named())
	}
	return names
}
