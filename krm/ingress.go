package krm

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// defaultIngress fills in each server's protocol and port name.
func defaultIngress(in *IngressSpec) {
	for i := range in.Servers {
		s := &in.Servers[i]
		if s.Protocol == "" {
			s.Protocol = defaultServerProtocol(*s)
		}
	}
	for i := range in.Servers {
		if in.Servers[i].Name == "" {
			in.Servers[i].Name = derivedPortName(in.Servers, i)
		}
	}
	for i := range in.Routes {
		if in.Routes[i].Prefix == "" && !in.Routes[i].HasMatch() {
			in.Routes[i].Prefix = "/"
		}
	}
	if in.Certificates != nil {
		defaultCertificates(in.Certificates)
	}
}

func defaultServerProtocol(s IngressServer) ServerProtocol {
	switch {
	case s.Port == 80:
		return ProtocolHTTP
	case s.Port == 443:
		return ProtocolHTTPS
	case s.TLS != nil && s.TLS.Mode == TLSPassthrough:
		return ProtocolTLS
	case s.TLS != nil:
		return ProtocolHTTPS
	}
	return ProtocolHTTP
}

// derivedPortName names servers[i]'s port: the protocol; with the port number when the protocol
// is served on more than one port; with the first host when several servers share the port.
func derivedPortName(servers []IngressServer, i int) string {
	s := servers[i]
	sameProtocol, samePort := 0, 0
	for _, o := range servers {
		if o.Protocol == s.Protocol {
			sameProtocol++
			if o.Port == s.Port {
				samePort++
			}
		}
	}
	name := strings.ToLower(string(s.Protocol))
	if sameProtocol > samePort {
		name += "-" + strconv.Itoa(int(s.Port))
	}
	if samePort > 1 && len(s.Hosts) > 0 {
		name += "-" + HostSlug(s.Hosts[0])
	}
	return name
}

// HostSlug turns a host into a name part: shop.example.com -> shop-example-com,
// *.example.com -> wildcard-example-com.
func HostSlug(host string) string {
	host = strings.ToLower(strings.Replace(host, "*", "wildcard", 1))
	return strings.ReplaceAll(host, ".", "-")
}

// HostServes reports whether a server host accepts requests for host: the same name, or a
// wildcard server host (*.example.com) covering it.
func HostServes(serverHost, host string) bool {
	if strings.EqualFold(serverHost, host) {
		return true
	}
	suffix, wildcard := strings.CutPrefix(serverHost, "*")
	return wildcard && !strings.HasPrefix(host, "*") && strings.HasSuffix(strings.ToLower(host), strings.ToLower(suffix))
}

// sharedHost returns a host that a server with hosts a and one with hosts b both answer.
func sharedHost(a, b []string) (string, bool) {
	for _, x := range a {
		for _, y := range b {
			switch {
			case HostServes(x, y):
				return y, true
			case HostServes(y, x):
				return x, true
			}
		}
	}
	return "", false
}

// ingressServicePorts are the Service ports the Ingress pattern asks for when the user gives no
// service.ports: the chart's defaults plus every server port they lack.
func ingressServicePorts(in *IngressSpec) []any {
	ports := []any{servicePort("status-port", StatusPort), servicePort("http2", 80), servicePort("https", 443)}
	seen := map[int32]bool{StatusPort: true, 80: true, 443: true}
	for _, s := range in.Servers {
		if !seen[s.Port] && s.Port > 0 && s.Port <= 65535 {
			seen[s.Port] = true
			ports = append(ports, servicePort(fmt.Sprintf("%s-%d", strings.ToLower(string(s.Protocol)), s.Port), int(s.Port)))
		}
	}
	return ports
}

func validateIngress(in *IngressSpec, path *field.Path, r *Problems) {
	servers := path.Child("servers")
	names := map[string]int{}
	type hostOnPort struct {
		host string
		port int32
	}
	hostsSeen := map[hostOnPort]int{}
	for i, s := range in.Servers {
		p := servers.Index(i)
		validatePort(s.Port, p.Child("port"), r)
		if !slices.Contains(ServerProtocols, s.Protocol) {
			r.Errors = append(r.Errors, field.NotSupported(p.Child("protocol"), s.Protocol, ServerProtocols))
		}
		if len(s.Hosts) == 0 {
			r.Errors = append(r.Errors, field.Required(p.Child("hosts"), "the hosts this server accepts, such as shop.example.com"))
		}
		duplicateHost := false
		for j, h := range s.Hosts {
			validateHost(h, p.Child("hosts").Index(j), r)
			key := hostOnPort{strings.ToLower(h), s.Port}
			if first, dup := hostsSeen[key]; dup {
				r.errorf(p.Child("hosts").Index(j), h, "servers[%d] already serves this host on port %d; one server per host and port", first, s.Port)
				duplicateHost = true
			}
			hostsSeen[key] = i
		}
		// A duplicate host also duplicates the port name derived from it; one error says it.
		if first, dup := names[s.Name]; dup && !duplicateHost {
			r.errorf(p.Child("name"), s.Name, "servers[%d] has the same port name; port names must be unique in a Gateway: set name", first)
		}
		names[s.Name] = i
		validateServerTLS(s, p, r)
		for j, o := range in.Servers[:i] {
			if o.Port == s.Port && (o.Protocol == ProtocolTCP || s.Protocol == ProtocolTCP) {
				// Istio merges the servers of a port only for HTTP (by host) and TLS (by SNI); of a
				// TCP server and another on its port it keeps the first and drops the other.
				r.errorf(p.Child("port"), s.Port, "servers[%d] listens on port %d too; a TCP server has its port to itself: a plain TCP stream carries no host and no SNI to tell servers apart (Istio keeps the first server of the port and drops this one)", j, s.Port)
				break
			}
			if o.Port == s.Port && (o.Protocol == ProtocolHTTP) != (s.Protocol == ProtocolHTTP) {
				r.errorf(p.Child("protocol"), s.Protocol, "port %d is already plain %s in servers[%d]; one port cannot carry both plain HTTP and TLS", s.Port, o.Protocol, j)
				break
			}
			if o.Port == s.Port && o.TLS != nil && s.TLS != nil && (o.TLS.Mode == TLSPassthrough) != (s.TLS.Mode == TLSPassthrough) {
				if host, ok := sharedHost(o.Hosts, s.Hosts); ok {
					r.errorf(p.Child("hosts"), host, "servers[%d] on the same port %d also answers %s, one passing its TLS through and the other terminating it: Istio's filter chains for the two both match that SNI (multiple filter chains matched, in Istio's traffic simulation); give them hosts that do not overlap, or different ports", j, s.Port, host)
					break
				}
			}
			if o.Port == s.Port && s.Protocol == ProtocolHTTP && o.Protocol == ProtocolHTTP && o.HTTPSRedirect != s.HTTPSRedirect {
				if host, ok := sharedHost(o.Hosts, s.Hosts); ok {
					r.errorf(p.Child("httpsRedirect"), s.HTTPSRedirect, "servers[%d] on the same port %d also answers %s, one redirecting it to HTTPS and the other serving it: Istio merges the servers of a port into one route table, so the host would be redirected; give them hosts that do not overlap, or the same httpsRedirect", j, s.Port, host)
					break
				}
			}
		}
	}
	validateIngressRoutes(in, path, r)
}

func validateServerTLS(s IngressServer, p *field.Path, r *Problems) {
	if s.HTTPSRedirect && s.Protocol != ProtocolHTTP {
		r.errorf(p.Child("httpsRedirect"), true, "only a plain HTTP server redirects to HTTPS (this one is %s)", s.Protocol)
	}
	if s.TLS == nil {
		if s.Protocol == ProtocolHTTPS || s.Protocol == ProtocolTLS {
			r.Errors = append(r.Errors, field.Required(p.Child("tls"),
				fmt.Sprintf("the %s server needs tls, such as {mode: SIMPLE, credentialName: <secret>} or {mode: PASSTHROUGH}", s.Protocol)))
		}
		return
	}
	mode := p.Child("tls", "mode")
	switch {
	case s.Protocol == ProtocolTCP:
		r.errorf(p.Child("tls"), string(s.TLS.Mode), "a TCP server forwards the stream as it comes; to terminate TLS and forward the stream use protocol TLS with mode SIMPLE (or MUTUAL), to route TLS untouched by SNI protocol TLS with mode PASSTHROUGH; or remove tls")
		return
	case !slices.Contains(IngressTLSModes, s.TLS.Mode):
		r.Errors = append(r.Errors, field.NotSupported(mode, s.TLS.Mode, IngressTLSModes))
		return
	case s.Protocol == ProtocolHTTP && s.TLS.Mode == TLSPassthrough:
		r.errorf(mode, s.TLS.Mode, "PASSTHROUGH forwards TLS untouched and cannot be on an HTTP server; use protocol TLS or HTTPS")
		return
	case s.Protocol == ProtocolHTTP:
		r.errorf(p.Child("tls"), string(s.TLS.Mode), "an HTTP server does not terminate TLS; use protocol HTTPS (or port 443), or remove tls")
		return
	}
	validateServerTLSSources(s.TLS, p.Child("tls"), r)
}

// RoutesTCP reports whether the server routes a TCP stream, with a VirtualService's tcp
// section: a TCP server, or a TLS server that terminates TLS (SIMPLE, MUTUAL, OPTIONAL_MUTUAL)
// and forwards the decrypted stream. Istio applies tcp routes on exactly these servers.
func (s IngressServer) RoutesTCP() bool {
	return s.Protocol == ProtocolTCP || (s.Protocol == ProtocolTLS && s.TLS != nil && s.TLS.Mode != TLSPassthrough)
}

// describe names a server for a message: its protocol and port, and its TLS mode when it has one.
func (s IngressServer) describe() string {
	if s.TLS != nil && s.TLS.Mode != "" {
		return fmt.Sprintf("%s %s on port %d", s.Protocol, s.TLS.Mode, s.Port)
	}
	return fmt.Sprintf("%s on port %d", s.Protocol, s.Port)
}

// TCPServers are the servers (their indexes) that route host as a TCP stream, or nil when host
// is routed over HTTP or by SNI: see tcpClaim.
func (in *IngressSpec) TCPServers(host string) []int {
	tcp, _, _ := in.tcpClaim(host)
	return tcp
}

// tcpClaim says how a route host is routed. A TCP stream carries no host, so a host is either
// a TCP host, its route a tcp entry on the TCP servers that serve it, or routed by the other
// servers, which ignore tcp entries (and the TCP servers its http and tls entries). The servers
// that name the host outright decide, before the ones that cover it with a wildcard, as Envoy
// picks an exact SNI before a wildcard one: a host is a TCP host when a TCP server names it and
// no other server does, or when only TCP servers serve it at all. When a TCP server and another
// server both name it, it is neither: tcp is nil and conflict, other are those two servers.
func (in *IngressSpec) tcpClaim(host string) (tcp []int, conflict, other int) {
	var tcpNamed, tcpAny, otherNamed, otherAny []int
	for i, s := range in.Servers {
		if !slices.ContainsFunc(s.Hosts, func(sh string) bool { return HostServes(sh, host) }) {
			continue
		}
		// Named when any of its hosts is the host, whatever wildcard comes before it.
		named := slices.ContainsFunc(s.Hosts, func(sh string) bool { return strings.EqualFold(sh, host) })
		switch {
		case s.RoutesTCP() && named:
			tcpNamed = append(tcpNamed, i)
		case s.RoutesTCP():
			tcpAny = append(tcpAny, i)
		case named:
			otherNamed = append(otherNamed, i)
		default:
			otherAny = append(otherAny, i)
		}
	}
	switch {
	case len(tcpNamed) > 0 && len(otherNamed) > 0:
		return nil, tcpNamed[0], otherNamed[0]
	case len(tcpNamed) > 0 || (len(tcpAny) > 0 && len(otherNamed) == 0 && len(otherAny) == 0):
		return slices.Sorted(slices.Values(append(tcpNamed, tcpAny...))), -1, -1
	}
	return nil, -1, -1
}

// isPassthrough reports whether a server forwards TLS untouched (routed by SNI).
func (s IngressServer) isPassthrough() bool {
	return s.TLS != nil && s.TLS.Mode == TLSPassthrough
}

func validateIngressRoutes(in *IngressSpec, path *field.Path, r *Problems) {
	type hostPrefix struct{ host, prefix string }
	seen := map[hostPrefix]int{}
	passthroughRoutes := map[string]int{}
	// Hosts served both by a PASSTHROUGH server and over HTTP, with no route for "/" yet: where
	// the first of their routes names them.
	mixedWithoutRoot := map[string]*field.Path{}
	// The route that each TCP server (by index) sends its streams to.
	tcpRouteOf := map[int]int{}
	for i, route := range in.Routes {
		p := path.Child("routes").Index(i)
		if len(route.Hosts) == 0 {
			r.Errors = append(r.Errors, field.Required(p.Child("hosts"), "the hosts this route serves"))
		}
		prefixRefused := false
		for j, h := range route.Hosts {
			hp := p.Child("hosts").Index(j)
			validateHost(h, hp, r)
			tcp, conflict, other := in.tcpClaim(h)
			if conflict >= 0 {
				r.errorf(hp, h, "servers[%d] (%s) and servers[%d] (%s) both name this host, and a route is either a TCP stream or routed by request: give the TCP server a host of its own (a TCP client sends none; there it only ties the route to the server)",
					conflict, in.Servers[conflict].describe(), other, in.Servers[other].describe())
				continue
			}
			if len(tcp) > 0 {
				validateTCPRoute(in, route, i, h, p, hp, tcp, tcpRouteOf, &prefixRefused, r)
				continue
			}
			// overHTTP: a server that sees requests (plain HTTP, or TLS it terminates, and not
			// only redirecting) serves the host, so its prefix routes are reached there.
			served, passthrough, overHTTP := false, false, false
			for _, s := range in.Servers {
				if s.RoutesTCP() {
					continue // it does not route this host: tcpClaim
				}
				if slices.ContainsFunc(s.Hosts, func(sh string) bool { return HostServes(sh, h) }) {
					served = true
					passthrough = passthrough || s.isPassthrough()
					overHTTP = overHTTP || (!s.isPassthrough() && !s.HTTPSRedirect)
				}
			}
			if !served && len(in.Servers) > 0 {
				r.errorf(hp, h, "no server serves this host, so the Gateway would never route it; add it to the hosts of a server")
			}
			key := hostPrefix{strings.ToLower(h), route.Prefix}
			if first, dup := seen[key]; dup && !route.HasMatch() {
				r.errorf(hp, h, "routes[%d] already routes this host and prefix %s", first, route.Prefix)
			}
			if !route.HasMatch() {
				seen[key] = i
			}
			if passthrough && route.Istio != nil {
				// The SNI route takes only a destination; the HTTP fields would be dropped for
				// the PASSTHROUGH server without a word.
				r.errorf(hp, h, "a PASSTHROUGH server serves this host and routes its TLS by SNI, never seeing the request; a route for it takes only hosts, prefix and destination")
				continue
			}
			if passthrough && overHTTP {
				// The HTTP servers use every route; the PASSTHROUGH server sends the host's SNI to
				// its route for "/", which must exist (checked below).
				if route.Prefix == "/" {
					passthroughRoutes[strings.ToLower(h)] = i
				} else if _, ok := mixedWithoutRoot[strings.ToLower(h)]; !ok {
					mixedWithoutRoot[strings.ToLower(h)] = hp
				}
			} else if passthrough {
				if route.Prefix != "/" {
					r.errorf(p.Child("prefix"), route.Prefix, "%s is served by a PASSTHROUGH server, which routes by SNI and never sees the path; remove prefix", h)
				}
				if first, dup := passthroughRoutes[strings.ToLower(h)]; dup {
					r.errorf(hp, h, "routes[%d] already routes this PASSTHROUGH host; SNI routing sends a host to one destination", first)
				}
				passthroughRoutes[strings.ToLower(h)] = i
			}
		}
		if !route.HasMatch() && !strings.HasPrefix(route.Prefix, "/") {
			r.errorf(p.Child("prefix"), route.Prefix, "must start with /")
		}
		validateRouteIstio(route, p, r)
	}
	for _, host := range slices.Sorted(maps.Keys(mixedWithoutRoot)) {
		if _, ok := passthroughRoutes[host]; !ok {
			r.errorf(mixedWithoutRoot[host], host, "a PASSTHROUGH server serves this host too and sends its TLS, by SNI, to the host's route with prefix /; add a route for / (the HTTP servers use the other prefixes)")
		}
	}
	if len(in.Servers) == 0 && len(in.Routes) > 0 {
		r.Errors = append(r.Errors, field.Required(path.Child("servers"), "routes need servers that accept their hosts"))
	}
	for i, s := range in.Servers {
		if s.HTTPSRedirect {
			continue // a redirecting server answers every request itself
		}
		if s.RoutesTCP() {
			if _, routed := tcpRouteOf[i]; !routed && len(s.Hosts) > 0 {
				r.warnf(path.Child("servers").Index(i).Child("hosts"), strings.Join(s.Hosts, ", "), "no route is a TCP route through this server, so nothing listens for it on port %d (Istio builds no filter chain without a tcp route); add a route for one of its hosts", s.Port)
			}
			continue
		}
		for j, sh := range s.Hosts {
			routed := slices.ContainsFunc(in.Routes, func(route IngressRoute) bool {
				return slices.ContainsFunc(route.Hosts, func(h string) bool {
					return (HostServes(sh, h) || HostServes(h, sh)) && in.TCPServers(h) == nil
				})
			})
			if !routed {
				r.warnf(path.Child("servers").Index(i).Child("hosts").Index(j), sh, "no route sends this host anywhere: the gateway accepts it and answers 404; add a route")
			}
		}
	}
}

// validateTCPRoute checks route i for host h, which the TCP servers tcp route as a stream (a
// tcp entry): the stream has no path and no request, and a TCP server sends every stream it
// accepts to one route, since Istio takes the first tcp route bound to the server and ignores the
// others. tcpRouteOf records the route of each TCP server.
func validateTCPRoute(in *IngressSpec, route IngressRoute, i int, h string, p, hp *field.Path, tcp []int, tcpRouteOf map[int]int, prefixRefused *bool, r *Problems) {
	s := in.Servers[tcp[0]]
	if route.Istio != nil {
		r.errorf(hp, h, "servers[%d] (%s) routes this host as a TCP stream, which has no path, headers or request to act on; a route for it takes only hosts and destination", tcp[0], s.describe())
		return
	}
	if route.Prefix != "/" && !*prefixRefused {
		*prefixRefused = true
		r.errorf(p.Child("prefix"), route.Prefix, "%s is routed as a TCP stream by servers[%d] (%s), which has no path; remove prefix (or give the host a route of its own)", h, tcp[0], s.describe())
	}
	for _, k := range tcp {
		first, taken := tcpRouteOf[k]
		switch {
		case !taken:
			tcpRouteOf[k] = i
		case first != i:
			why := "a plain TCP stream carries no host and no SNI to choose a route by"
			if in.Servers[k].Protocol != ProtocolTCP {
				why = "the SNI chooses the server, and after TLS is terminated the stream carries nothing to choose a route by; a host that goes elsewhere needs a server of its own (the same port is fine)"
			}
			r.errorf(hp, h, "routes[%d] already routes the streams of servers[%d] (%s), which sends them all to one destination: %s", first, k, in.Servers[k].describe(), why)
			return
		}
	}
}

// validateIngressServicePorts checks that the gateway Service exposes every server port.
func validateIngressServicePorts(in *IngressSpec, values *ChartValues, valuesPath *field.Path, r *Problems) {
	if values.Service.Type == "None" {
		if len(in.Servers) > 0 {
			r.warnf(valuesPath.Child("service", "type"), "None", "no Service is generated, so nothing reaches the servers' ports unless you provide a Service")
		}
		return
	}
	exposed := ServicePortNumbers(values)
	for i, s := range in.Servers {
		if s.Port > 0 && !slices.Contains(exposed, s.Port) {
			where := valuesPath.Child("service", "ports")
			if values.NetworkGateway != "" {
				where = valuesPath.Child("networkGatewayPorts")
			}
			r.errorf(where, s.Port, "spec.ingress.servers[%d] listens on port %d, which the gateway Service does not expose; add {name: %s, port: %d, targetPort: %d}, or leave service.ports out to have it added",
				i, s.Port, s.Name, s.Port, s.Port)
		}
	}
}

// ServicePortNumbers are the port numbers of the gateway Service the values produce.
func ServicePortNumbers(values *ChartValues) []int32 {
	var ports []int32
	if values.NetworkGateway != "" {
		for _, name := range NetworkGatewayPortNames {
			if p := values.NetworkGatewayPorts[name].Port; p != nil {
				ports = append(ports, *p)
			}
		}
		return ports
	}
	for _, p := range values.Service.Ports {
		if p.Port != nil {
			ports = append(ports, *p.Port)
		}
	}
	return ports
}

func validateDestination(d Destination, path *field.Path, r *Problems) {
	if d.Host == "" {
		r.Errors = append(r.Errors, field.Required(path.Child("host"), "the service, such as api.shop.svc.cluster.local"))
	} else {
		for _, msg := range validation.IsDNS1123Subdomain(d.Host) {
			r.errorf(path.Child("host"), d.Host, "%s", msg)
		}
	}
	validatePort(d.Port, path.Child("port"), r)
}
