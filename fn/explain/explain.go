// Package explain says where traffic goes through the objects the function generates: for every
// host and route, the proxies a request passes (a sidecar, the gateway), how it is carried on
// each hop, where it ends, and the objects and fields that send it there.
//
// It reads the emitted objects (Gateways, VirtualServices, DestinationRules, ServiceEntries,
// AuthorizationPolicies, the gateway's Service and workload) and, when the function runs as a
// transformer, the Services of the build it was given (the ones a route may send to), never the
// GatewayPattern, and follows them the way Istio does, so what it says is what the objects do: it
// cannot drift from them. Where the objects do not lead anywhere it knows (a shape the function
// never emits), the line says so instead of guessing.
package explain

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Ref names the object a Path is about.
type Ref struct {
	APIVersion, Kind, Namespace, Name string
}

// Path is one way traffic takes: the structured hops, and the line that states them.
type Path struct {
	// About is the object that routes the traffic: the VirtualService whose routes carry it, or
	// the Gateway when its server answers itself (an HTTPS redirect, a host no VirtualService
	// routes, AUTO_PASSTHROUGH by SNI).
	About Ref
	// Route is the path, client first: "https://shop.example.com/api → istio-ingressgateway:443
	// (SIMPLE, shop-tls) → api.shop.svc.cluster.local:8080".
	Route string
	// Why names the servers, routes (by their field path in About) and other objects that take
	// the traffic along Route, in the order it passes them.
	Why string
	// Hops are what each proxy on the way receives and where it sends it: a sidecar then the
	// gateway (egress), or the gateway alone. Empty when the path could not be followed.
	Hops []Hop
}

// String is the line: the route, then why.
func (p Path) String() string {
	if p.Why == "" {
		return p.Route
	}
	return p.Route + "; by " + p.Why
}

// The proxies a Hop arrives at.
const (
	Sidecar = "sidecar" // an application pod's sidecar, sending to an external host
	Gateway = "gateway" // the generated gateway's pods, reached through its Service
)

// What a proxy answers itself, instead of sending the request on.
const (
	AnswerRedirect = "301"    // HTTPS redirect
	AnswerNotFound = "404"    // no route for the host (HTTP), or no filter chain for the SNI (TLS)
	AnswerClosed   = "closed" // nothing listens: the Service lacks the port, or no Gateway selects the pods
	// The route's destination is a Service (of the build, or generated) without the routed
	// port: the proxy has no cluster for it, and answers HTTP with 503 (a TCP or TLS connection
	// is closed).
	AnswerNoCluster = "503"
)

// Hop is one proxy's part of a Path.
type Hop struct {
	Proxy string // Sidecar or Gateway
	// Namespaces: for a sidecar, the namespaces whose sidecars see the route (its
	// VirtualService's exportTo); nil for every namespace.
	Namespaces []string
	// What arrives: the port called (a gateway is called on its Service's port), how it is
	// carried ("" plain text, "tls" the client's TLS, "mtls" Istio mutual TLS), the SNI, the HTTP
	// host and path (path: the route's prefix), and whether the client speaks HTTP ("http") or
	// another protocol ("tcp") inside.
	Port     int32
	TLS      string
	SNI      string
	Host     string
	Path     string
	Protocol string
	// Address: for a sidecar, the address the application dials when the host's ServiceEntry
	// lists addresses (a TCP host then has its own listener there, not 0.0.0.0); the first.
	Address string
	// Where it goes: a destination, or an answer (with AnswerNoCluster, To is the destination
	// the route names, which has no cluster); BySNI: AUTO_PASSTHROUGH, to the service the
	// SNI names (Host and SNI are then patterns, not names).
	To     Destination
	Answer string
	BySNI  bool
	// How it leaves: "ISTIO_MUTUAL" or "SIMPLE" (TLS the proxy opens, with UpstreamSNI), or ""
	// (as it came: plain text, or the client's TLS untouched).
	UpstreamTLS string
	UpstreamSNI string
}

// Destination is a service host, port and subset a route sends to.
type Destination struct {
	Host   string
	Subset string
	Port   int32
}

func (d Destination) String() string {
	if d.Port == 0 {
		return d.Host
	}
	return fmt.Sprintf("%s:%d", d.Host, d.Port)
}

// Paths follows the objects the function emitted: every path through its gateways, in the order
// of the objects that route them (Gateways' own answers, then each VirtualService's routes).
// services are the build's Services the function did not generate (nil when it runs as a
// generator): a route to one of them that lacks the routed port ends in a 503, as in Istio. A
// destination that is not among them is followed as a Service that has the port.
func Paths(objects, services []*yaml.Node) []Path {
	x := newIndex(objects)
	x.indexBuild(services)
	out := append(x.unreadable, x.unselected()...)
	for _, g := range x.gateways {
		out = append(out, x.gatewayAnswers(g)...)
	}
	for _, vs := range x.virtualServices {
		switch {
		case slices.Contains(vs.spec.Gateways, "mesh"):
			out = append(out, x.meshPaths(vs)...)
		case x.egressHop(vs):
			// Its hop is the second of a mesh route's path, explained there with both hops.
		default:
			out = append(out, x.gatewayPaths(vs)...)
		}
	}
	return out
}

// egressHop reports whether vs is a Gateway API route on a gateway that carries an egress mesh
// route's traffic on: a Gateway API mesh route (attached to a ServiceEntry) exists for one of its
// hosts.
func (x *index) egressHop(vs *virtualService) bool {
	if !vs.gatewayAPI {
		return false
	}
	for _, mesh := range x.virtualServices {
		if mesh.gatewayAPI && slices.Contains(mesh.spec.Gateways, "mesh") &&
			slices.ContainsFunc(vs.spec.Hosts, func(h string) bool { return slices.Contains(mesh.spec.Hosts, h) }) {
			return true
		}
	}
	return false
}

// unselected are the generated workloads no Gateway selects: their Service leads to proxies with
// no listener but the status port's, so nothing reaches past them (the chart alone, without a
// pattern's servers).
func (x *index) unselected() []Path {
	var out []Path
	for _, w := range x.workloads {
		selected := false
		for _, g := range x.gateways {
			selected = selected || x.podsOf(g.spec.Selector) == w
		}
		svc := x.serviceOf(w)
		if selected || svc == nil {
			continue
		}
		var (
			ports []string
			hops  []Hop
		)
		for _, p := range svc.spec.Ports {
			if p.Name != "status-port" {
				ports = append(ports, fmt.Sprint(p.Port))
				hops = append(hops, Hop{Proxy: Gateway, Port: p.Port, Host: svc.obj.Metadata.Name, Path: "/", Protocol: "http", Answer: AnswerClosed})
			}
		}
		out = append(out, Path{
			About: svc.obj.ref(),
			Route: join(withNotes(svc.obj.Metadata.Name, "ports "+strings.Join(ports, ", ")), w.obj.named(), "refused (no Gateway selects its pods)"),
			Why:   "spec.selector; no generated Gateway's selector matches the pods",
			Hops:  hops,
		})
	}
	return out
}

// cannot is a line for what could not be followed.
func cannot(about Ref, reason string) Path {
	return Path{About: about, Route: "cannot explain: " + reason}
}

// gatewayAnswers are the paths a Gateway's servers answer without a VirtualService: an HTTPS
// redirect, AUTO_PASSTHROUGH by SNI, and a host no VirtualService bound to it routes (404).
func (x *index) gatewayAnswers(g *gateway) []Path {
	var out []Path
	svc := x.serviceOf(x.podsOf(g.spec.Selector))
	for i, s := range g.spec.Servers {
		port := s.Port.Number
		if reason := closed(svc, port); reason != "" {
			for _, h := range s.Hosts {
				out = append(out, Path{
					About: g.obj.ref(),
					Route: join(url(schemeOf(s), h, port, ""), x.gatewayNode(g, svc, port, serverNotes(s)...), "refused ("+reason+")"),
					Why:   s.label(i),
					Hops:  []Hop{{Proxy: Gateway, Port: port, Host: h, Path: "/", Protocol: "http", Answer: AnswerClosed}},
				})
			}
			continue
		}
		switch {
		case s.TLS != nil && s.TLS.HTTPSRedirect:
			for _, h := range s.Hosts {
				out = append(out, Path{
					About: g.obj.ref(),
					Route: join(url("http", h, port, ""), x.gatewayNode(g, svc, port), "301 to "+url("https", h, 443, "")),
					Why:   s.label(i) + " (tls.httpsRedirect)",
					Hops:  []Hop{{Proxy: Gateway, Port: port, Host: h, Path: "/", Protocol: "http", Answer: AnswerRedirect}},
				})
			}
		case s.Port.Protocol == "HBONE":
			// Istio's ambient east-west gateway (class istio-east-west): it terminates the outer
			// HBONE tunnel with the mesh's mTLS and sends the inner one to the workload it names,
			// in this network. The simulator follows no HBONE tunnel, so the path has no hops.
			out = append(out, Path{
				About: g.obj.ref(),
				Route: join("HBONE from another network (Istio mTLS, HTTP/2 CONNECT)", x.gatewayNode(g, svc, port, "ISTIO_MUTUAL"),
					"the workload the inner tunnel names, in this network (double HBONE)"),
				Why: s.label(i) + " (HBONE, Istio's ambient east-west gateway)",
			})
		case s.mode() == "AUTO_PASSTHROUGH":
			for _, h := range s.Hosts {
				sni := "outbound_.<port>_.<subset>_.<host>"
				out = append(out, Path{
					About: g.obj.ref(),
					Route: join("Istio mTLS for "+h+", SNI "+sni, x.gatewayNode(g, svc, port, "AUTO_PASSTHROUGH"),
						"the <host>:<port> the SNI names (passed through, still encrypted)"),
					Why:  s.label(i) + " (AUTO_PASSTHROUGH, hosts " + strings.Join(s.Hosts, ", ") + "), routed by the SNI alone",
					Hops: []Hop{{Proxy: Gateway, Port: port, TLS: "mtls", SNI: sni, Host: h, Protocol: "tcp", BySNI: true}},
				})
			}
		case s.routesBy() == "tcp":
			out = append(out, x.tcpServerAnswers(g, svc, i, s)...)
		default:
			for _, h := range s.Hosts {
				if x.routed(g, h) {
					continue
				}
				scheme, carried, answer, protocol, path := schemeOf(s), "", "404, no VirtualService routes this host", "http", "/"
				switch {
				case scheme == "tcp":
					answer, protocol, path = "refused, no VirtualService routes this host", "tcp", ""
				case s.routesBy() != "http":
					carried, answer = "tls", "refused, no VirtualService routes this host"
				}
				out = append(out, Path{
					About: g.obj.ref(),
					Route: join(url(scheme, h, port, ""), x.gatewayNode(g, svc, port, serverNotes(s)...), answer),
					Why:   s.label(i) + " (hosts " + strings.Join(s.Hosts, ", ") + ")",
					Hops:  []Hop{{Proxy: Gateway, Port: port, TLS: carried, SNI: sniIf(carried, h), Host: h, Path: path, Protocol: protocol, Answer: AnswerNotFound}},
				})
			}
		}
	}
	return out
}

// tcpServerAnswers are the paths of the hosts of a server that routes a TCP stream (a TCP server,
// or a TLS server that terminates) that no VirtualService names: a stream carries no host, so
// Istio gives the whole server one tcp route, the first that applies among the VirtualServices
// sharing a host with it, and those hosts (their SNI, TLS terminated) go where it sends. Without
// such a route Istio builds no filter chain for the server: its hosts are refused, and a port
// that has only this server (a TCP server always has its port to itself) is closed.
func (x *index) tcpServerAnswers(g *gateway, svc *service, i int, s server) []Path {
	var out []Path
	port := s.Port.Number
	scheme := schemeOf(s)
	vs, j, found := x.tcpRouteOf(g, s)
	for _, h := range s.Hosts {
		if x.routed(g, h) {
			continue
		}
		hop := Hop{Proxy: Gateway, Port: port, Host: h, Protocol: "tcp"}
		note := "TCP"
		if scheme != "tcp" {
			hop.TLS, hop.SNI, note = "tls", h, "TCP, TLS terminated"
		}
		entry := join(url(scheme, h, port, ""), x.gatewayNode(g, svc, port, serverNotes(s)...))
		if !found {
			hop.Answer = AnswerNotFound
			answer := "refused, no VirtualService routes this server"
			if scheme == "tcp" {
				hop.Answer, answer = AnswerClosed, "closed, no VirtualService routes this server (Istio opens no listener for it)"
			}
			out = append(out, Path{About: g.obj.ref(), Route: join(entry, answer),
				Why: s.label(i) + " (hosts " + strings.Join(s.Hosts, ", ") + "), no tcp route", Hops: []Hop{hop}})
			continue
		}
		why := fmt.Sprintf("%s %s → tcp[%d] (port %d), the server's one tcp route, taken by every host it serves", g.obj.named(), s.label(i), j, port)
		out = append(out, x.finish(vs, vs.spec.TCP[j], hop, Path{Route: entry, Why: why}, note))
	}
	return out
}

// tcpRouteOf is the tcp route Istio applies on server s of g: of the VirtualServices bound to g
// that share a host with s, the first whose tcp route applies on the server's port (as Istio's
// buildGatewayNetworkFiltersFromTCPRoutes picks it). The function emits one such route per server.
func (x *index) tcpRouteOf(g *gateway, s server) (vs *virtualService, route int, found bool) {
	for _, vs := range x.virtualServices {
		if !slices.ContainsFunc(vs.spec.Hosts, s.serves) {
			continue
		}
		for _, name := range vs.spec.Gateways {
			if x.gatewayNamed(name, vs.obj.Metadata.Namespace) != g {
				continue
			}
			for j, r := range vs.spec.TCP {
				if len(r.Route) > 0 && len(r.matches(name, s.Port.Number)) > 0 {
					return vs, j, true
				}
			}
		}
	}
	return nil, 0, false
}

// routed reports whether a VirtualService bound to g has a host that host matches.
func (x *index) routed(g *gateway, host string) bool {
	for _, vs := range x.virtualServices {
		if !x.binds(vs, g) {
			continue
		}
		for _, h := range vs.spec.Hosts {
			if hostsMatch(h, host) {
				return true
			}
		}
	}
	return false
}

func (x *index) binds(vs *virtualService, g *gateway) bool {
	for _, name := range vs.spec.Gateways {
		if x.gatewayNamed(name, vs.obj.Metadata.Namespace) == g {
			return true
		}
	}
	return false
}

// gatewayPaths are the paths of a VirtualService bound to gateways only (not to the mesh): a
// client calls the gateway Service, a server of the Gateway accepts the host, a route sends it on.
func (x *index) gatewayPaths(vs *virtualService) []Path {
	var out []Path
	for _, name := range vs.spec.Gateways {
		g := x.gatewayNamed(name, vs.obj.Metadata.Namespace)
		if g == nil {
			out = append(out, cannot(vs.obj.ref(), "it is bound to Gateway "+name+", which is not among the generated objects"))
			continue
		}
		svc := x.serviceOf(x.podsOf(g.spec.Selector))
		for _, h := range vs.spec.Hosts {
			for i, s := range g.spec.Servers {
				if !s.serves(h) || (s.TLS != nil && s.TLS.HTTPSRedirect) || closed(svc, s.Port.Number) != "" {
					continue // a closed port is said once, by gatewayAnswers
				}
				out = append(out, x.serverPaths(vs, g, name, svc, i, s, h)...)
			}
		}
	}
	return out
}

// serverPaths are the paths of host h through server s of g: one per route of vs that applies.
func (x *index) serverPaths(vs *virtualService, g *gateway, gwName string, svc *service, i int, s server, h string) []Path {
	var out []Path
	port := s.Port.Number
	section := s.routesBy()
	scheme := schemeOf(s)
	type taken struct {
		prefix string
		index  int
		route  vsRoute
	}
	var earlier []taken // the http routes before this one, which Istio tries first
	for j, r := range vs.section(section) {
		for _, m := range r.matches(gwName, port) {
			hop := Hop{Proxy: Gateway, Port: port, Host: h, Path: "/", Protocol: "http"}
			entry := ""
			why := g.obj.named() + " " + s.label(i) + " → " + r.name(section, j)
			switch section {
			case "http":
				if scheme == "https" {
					hop.TLS, hop.SNI = "tls", h
				}
				if s.TLS != nil && s.TLS.Mode == "ISTIO_MUTUAL" {
					hop.TLS = "mtls" // the sidecars' hop to an egress gateway
				}
				hop.Path = m.path()
				entry = url(scheme, h, port, hop.Path)
				if m.path() != "/" || m.URI != nil || len(m.Other) > 0 {
					why += " (" + m.describe() + m.conditions() + ")"
				}
				shadow := slices.IndexFunc(earlier, func(e taken) bool { return strings.HasPrefix(hop.Path, e.prefix) })
				if (m.URI == nil || m.URI.Prefix != "") && len(m.Other) == 0 {
					earlier = append(earlier, taken{prefix: m.path(), index: j, route: r})
				}
				if shadow >= 0 {
					// An earlier prefix takes every request this route matches: Istio never
					// reaches it.
					e := earlier[shadow]
					out = append(out, x.finish(vs, e.route, hop, Path{
						Route: join(entry, x.gatewayNode(g, svc, port, serverNotes(s)...)),
						Why:   why + fmt.Sprintf(", never reached: %s (prefix %s) takes it first", e.route.name("http", e.index), e.prefix),
					}, ""))
					continue
				}
			case "tls":
				// Passed through: the gateway sees only the SNI, one line per SNI host it routes.
				for _, sni := range m.SNIHosts {
					if !hostsMatch(sni, h) {
						continue
					}
					hop := Hop{Proxy: Gateway, Port: port, TLS: "tls", SNI: sni, Host: sni, Protocol: "tcp"}
					out = append(out, x.finish(vs, r, hop, Path{
						Route: join(url("tls", sni, port, ""), x.gatewayNode(g, svc, port, serverNotes(s)...)),
						Why:   why + " (port " + fmt.Sprint(port) + ", sniHosts " + strings.Join(m.SNIHosts, ", ") + ")",
					}, "TLS passed through"))
				}
				continue
			default:
				// A TCP stream: plain as it came (a TCP server), or the TLS the server
				// terminates (by SNI); either way it leaves as plain TCP.
				hop.Protocol, hop.Path = "tcp", ""
				note := "TCP"
				if scheme != "tcp" {
					hop.TLS, hop.SNI, note = "tls", h, "TCP, TLS terminated"
				}
				if s.TLS != nil && s.TLS.Mode == "ISTIO_MUTUAL" {
					hop.TLS = "mtls"
				}
				if m.Port != 0 {
					why += fmt.Sprintf(" (port %d)", m.Port)
				}
				out = append(out, x.finish(vs, r, hop, Path{
					Route: join(url(scheme, h, port, ""), x.gatewayNode(g, svc, port, serverNotes(s)...)),
					Why:   why,
				}, note))
				continue
			}
			out = append(out, x.finish(vs, r, hop, Path{
				Route: join(entry, x.gatewayNode(g, svc, port, serverNotes(s)...)),
				Why:   why,
			}, ""))
		}
	}
	return out
}

// finish ends a path at the route's destination (or redirect) and makes it about vs.
func (x *index) finish(vs *virtualService, r vsRoute, hop Hop, p Path, note string) Path {
	p.About = vs.obj.ref()
	switch {
	case r.Redirect != nil:
		p.Route = join(p.Route, "redirect to "+r.Redirect.describe())
		return p // stated, not followed: the function emits no redirect routes
	case len(r.Route) == 1:
		hop.To = destinationOf(r.Route[0].Destination)
		if reason := x.noCluster(hop.To, vs.obj.Metadata.Namespace); reason != "" {
			hop.Answer = AnswerNoCluster
			answer := "503"
			if hop.Protocol != "http" {
				answer = "connection closed"
			}
			p.Route = join(p.Route, answer+" ("+reason+")")
			break
		}
		p.Route = join(p.Route, withNotes(hop.To.String(), subsetNote(hop.To), note))
	case len(r.Route) == 0:
		p.Route = join(p.Route, "? (the route has no destination)")
		return p
	default:
		var split []string
		for _, d := range r.Route {
			to := destinationOf(d.Destination)
			notes := []string{fmt.Sprintf("weight %d", d.Weight)}
			if reason := x.noCluster(to, vs.obj.Metadata.Namespace); reason != "" {
				notes = append(notes, "no cluster: "+reason)
			}
			split = append(split, withNotes(to.String(), notes...))
		}
		p.Route = join(p.Route, strings.Join(split, " + "))
		return p // a split is stated, not followed hop by hop
	}
	p.Hops = []Hop{hop}
	return p
}

// noCluster says why a proxy has no cluster for destination to of a route in namespace, or "":
// Istio names a route's cluster outbound|<port>|<subset>|<host> and makes one for each port of
// the Service, so a Service (of the build, or generated) without the routed port leaves the route
// without a cluster. A destination that is no known Service (it lives elsewhere, or the function
// runs as a generator) is taken to have its port.
func (x *index) noCluster(to Destination, namespace string) string {
	svc := x.destinationService(to.Host, namespace)
	if svc == nil || to.Port == 0 {
		return ""
	}
	if _, ok := svc.port(to.Port); ok {
		return ""
	}
	has := "it has no ports"
	if len(svc.spec.Ports) > 0 {
		var ports []string
		for _, p := range svc.spec.Ports {
			ports = append(ports, fmt.Sprint(p.Port))
		}
		has = "it has " + strings.Join(ports, ", ")
	}
	return fmt.Sprintf("Service %s/%s has no port %d; %s", namespaceOrDefault(svc.obj.Metadata.Namespace), svc.obj.Metadata.Name, to.Port, has)
}

func destinationOf(d destination) Destination {
	return Destination{Host: d.Host, Subset: d.Subset, Port: d.Port.Number}
}

func subsetNote(d Destination) string {
	if d.Subset == "" {
		return ""
	}
	return "subset " + d.Subset
}

// matches returns the route's matches that apply on gateway gwName's port (0: any port; a route
// without matches applies everywhere).
func (r vsRoute) matches(gwName string, port int32) []routeMatch {
	if len(r.Match) == 0 {
		return []routeMatch{{}}
	}
	var out []routeMatch
	for _, m := range r.Match {
		if len(m.Gateways) > 0 && !slices.Contains(m.Gateways, gwName) {
			continue
		}
		if port != 0 && m.Port != 0 && m.Port != port {
			continue
		}
		out = append(out, m)
	}
	return out
}

// path is the request path the match takes: its prefix or exact path, "/" when it has none.
func (m routeMatch) path() string {
	switch {
	case m.URI == nil:
		return "/"
	case m.URI.Prefix != "":
		return m.URI.Prefix
	case m.URI.Exact != "":
		return m.URI.Exact
	case m.URI.Regex != "":
		return "/<" + m.URI.Regex + ">"
	}
	return "/"
}

func (m routeMatch) describe() string {
	switch {
	case m.URI == nil:
		return "any path"
	case m.URI.Prefix != "" && m.segments:
		return "PathPrefix " + m.URI.Prefix
	case m.URI.Prefix != "":
		return "prefix " + m.URI.Prefix
	case m.URI.Exact != "":
		return "exact " + m.URI.Exact
	case m.URI.Regex != "":
		return "regex " + m.URI.Regex
	}
	return "any path"
}

// conditions names the match's conditions other than the path (headers, method, ...), which
// explain does not follow: the path is taken only by the requests that meet them too.
func (m routeMatch) conditions() string {
	if len(m.Other) == 0 {
		return ""
	}
	return " and " + strings.Join(slices.Sorted(maps.Keys(m.Other)), ", ")
}

func (r *redirect) describe() string {
	var parts []string
	for _, p := range []string{r.Scheme, r.Authority, r.URI} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " ")
}

// schemeOf is the scheme a client uses for a server: https for servers that terminate TLS and
// route HTTP, tls for the ones that pass it on or route TCP, http otherwise.
func schemeOf(s server) string {
	switch {
	case s.routesBy() == "tls":
		return "tls"
	case s.routesBy() == "tcp":
		if s.mode() == "" && strings.EqualFold(s.Port.Protocol, "TCP") {
			return "tcp"
		}
		return "tls"
	case s.mode() != "":
		return "https"
	}
	return "http"
}

// serverNotes say how a server takes the connection: its TLS mode and certificate (or
// certificates: credentialNames gives an RSA and an ECDSA one).
func serverNotes(s server) []string {
	if s.TLS == nil || s.TLS.Mode == "" {
		return nil
	}
	notes := []string{s.TLS.Mode}
	if s.TLS.CredentialName != "" {
		notes = append(notes, s.TLS.CredentialName)
	}
	return append(notes, s.TLS.CredentialNames...)
}

func sniIf(tls, host string) string {
	if tls == "" {
		return ""
	}
	return host
}

// closed says why a client cannot reach the gateway's server on port, or "".
func closed(svc *service, port int32) string {
	if svc == nil {
		return "no generated Service leads to the Gateway's pods"
	}
	if _, ok := svc.port(port); !ok {
		return "Service " + svc.obj.Metadata.Name + " has no port " + fmt.Sprint(port)
	}
	return ""
}

// gatewayNode is how a line names the gateway a client calls: its Service and port, with the
// pods' port and node port where they differ, and how the server takes the connection; the
// Gateway itself when no generated Service leads to its pods.
func (x *index) gatewayNode(g *gateway, svc *service, port int32, notes ...string) string {
	if svc == nil {
		return withNotes(fmt.Sprintf("Gateway %s:%d", g.obj.Metadata.Name, port), notes...)
	}
	return servicePortNode(svc, port, notes...)
}

func servicePortNode(svc *service, port int32, notes ...string) string {
	var ports []string
	if p, ok := svc.port(port); ok {
		if p.targetPort != fmt.Sprint(port) {
			ports = append(ports, "pod port "+p.targetPort)
		}
		if p.nodePort != 0 {
			ports = append(ports, fmt.Sprintf("nodePort %d", p.nodePort))
		}
	}
	return withNotes(fmt.Sprintf("%s:%d", svc.obj.Metadata.Name, port), append(notes, ports...)...)
}

// url is how a line writes what a client asks for, without the scheme's default port.
func url(scheme, host string, port int32, path string) string {
	if (scheme == "http" && port == 80) || (scheme == "https" && port == 443) || port == 0 {
		return scheme + "://" + host + path
	}
	return fmt.Sprintf("%s://%s:%d%s", scheme, host, port, path)
}

func withNotes(s string, notes ...string) string {
	var kept []string
	for _, n := range notes {
		if n != "" {
			kept = append(kept, n)
		}
	}
	if len(kept) == 0 {
		return s
	}
	return s + " (" + strings.Join(kept, ", ") + ")"
}

// join writes the steps of a path.
func join(steps ...string) string { return strings.Join(steps, " → ") }
