package explain

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Gateway API objects (spec.api: GatewayAPI) are explained the way istiod serves them: Istio's
// Gateway API controller converts each Gateway into an Istio Gateway (a listener becomes a
// server) and the routes attached to it into VirtualServices, and the proxies get those. Explain
// does the same conversion into its own views of Gateways and VirtualServices, for the fields
// that decide where traffic goes, and follows them with the same code as the Istio API's objects;
// the lines name the Gateway API objects and fields (listener http, HTTPRoute ... rules[0]).

const gatewayAPIGroup = "gateway.networking.k8s.io"

// Istio's options on a listener's tls (gateway.istio.io/...), documented in Istio's Gateway API
// reference: how a Terminate listener terminates, and a Passthrough listener that routes by the
// SNI alone (AUTO_PASSTHROUGH, east-west).
const (
	optionTerminateMode    = "gateway.istio.io/tls-terminate-mode"
	optionListenerProtocol = "gateway.istio.io/listener-protocol"
)

type apiGateway struct {
	obj  *object
	spec struct {
		GatewayClassName string `yaml:"gatewayClassName"`
		Addresses        []struct {
			Type  string `yaml:"type"`
			Value string `yaml:"value"`
		} `yaml:"addresses"`
		Listeners []struct {
			Name     string `yaml:"name"`
			Hostname string `yaml:"hostname"`
			Port     int32  `yaml:"port"`
			Protocol string `yaml:"protocol"`
			TLS      *struct {
				Mode            string `yaml:"mode"`
				CertificateRefs []struct {
					Name string `yaml:"name"`
				} `yaml:"certificateRefs"`
				Options map[string]string `yaml:"options"`
			} `yaml:"tls"`
		} `yaml:"listeners"`
	}
}

type parentRef struct {
	Group       string `yaml:"group"`
	Kind        string `yaml:"kind"`
	Name        string `yaml:"name"`
	Namespace   string `yaml:"namespace"`
	SectionName string `yaml:"sectionName"`
	Port        int32  `yaml:"port"`
}

type backendRef struct {
	Group     string `yaml:"group"`
	Kind      string `yaml:"kind"`
	Name      string `yaml:"name"`
	Namespace string `yaml:"namespace"`
	Port      int32  `yaml:"port"`
	Weight    *int32 `yaml:"weight"`
}

type apiRoute struct {
	obj  *object
	spec struct {
		ParentRefs []parentRef `yaml:"parentRefs"`
		Hostnames  []string    `yaml:"hostnames"`
		Rules      []struct {
			Matches []struct {
				Path *struct {
					Type  string `yaml:"type"`
					Value string `yaml:"value"`
				} `yaml:"path"`
				Headers     []yaml.Node `yaml:"headers"`
				QueryParams []yaml.Node `yaml:"queryParams"`
				Method      string      `yaml:"method"`
			} `yaml:"matches"`
			Filters []struct {
				Type            string `yaml:"type"`
				RequestRedirect *struct {
					Scheme     string `yaml:"scheme"`
					Hostname   string `yaml:"hostname"`
					StatusCode int32  `yaml:"statusCode"`
				} `yaml:"requestRedirect"`
			} `yaml:"filters"`
			BackendRefs []backendRef `yaml:"backendRefs"`
		} `yaml:"rules"`
	}
}

// indexGatewayAPI converts the Gateway API objects among the emitted ones, after the Istio ones
// are indexed (a route attached to a ServiceEntry needs its hosts).
func (x *index) indexGatewayAPI(objects []*object) {
	var gateways []*apiGateway
	var routes []*apiRoute
	for _, o := range objects {
		var spec any
		switch o.Kind {
		case "Gateway":
			g := &apiGateway{obj: o}
			gateways, spec = append(gateways, g), &g.spec
		case "HTTPRoute", "TLSRoute", "TCPRoute", "GRPCRoute":
			r := &apiRoute{obj: o}
			routes, spec = append(routes, r), &r.spec
		default:
			continue // ReferenceGrant and the like: they allow, they do not route
		}
		if o.spec == nil {
			continue
		}
		if err := o.spec.Decode(spec); err != nil {
			x.unreadable = append(x.unreadable, cannot(o.ref(), "its spec cannot be read: "+err.Error()))
		}
	}
	converted := map[*apiGateway]*gateway{}
	for _, g := range gateways {
		if g.spec.GatewayClassName == "istio-waypoint" {
			// ztunnel sends an ambient workload's traffic to a waypoint over HBONE, which this
			// explanation does not follow (nor does Istio's traffic simulator); saying so beats
			// reading the HBONE listener as a gateway server that routes nothing.
			x.unreadable = append(x.unreadable, cannot(g.obj.ref(), "the paths through a waypoint (ambient mode: ztunnel sends to it over HBONE, for the ServiceEntries labelled istio.io/use-waypoint: "+g.obj.Metadata.Name+") are not explained yet"))
			continue
		}
		converted[g] = x.convertGateway(g)
	}
	for _, r := range routes {
		x.convertRoute(r, gateways, converted)
	}
}

// convertGateway is the Istio Gateway istiod makes of a Gateway API Gateway: a server per listener,
// on the pods of the Service its address names (the chart's workload), or, deployed by Istio,
// on the pods and Service Istio creates (<gateway>-<class>, a port per listener port).
func (x *index) convertGateway(g *apiGateway) *gateway {
	ig := &gateway{obj: g.obj}
	for _, l := range g.spec.Listeners {
		s := server{listener: true}
		s.Port.Number, s.Port.Name, s.Port.Protocol = l.Port, l.Name, l.Protocol
		host := l.Hostname
		if host == "" {
			host = "*"
		}
		s.Hosts = []string{host}
		if t := l.TLS; t != nil {
			s.TLS = &serverTLS{}
			switch {
			case t.Mode == "Passthrough" && t.Options[optionListenerProtocol] == "auto-passthrough":
				s.TLS.Mode = "AUTO_PASSTHROUGH"
			case t.Mode == "Passthrough":
				s.TLS.Mode = "PASSTHROUGH"
			case t.Options[optionTerminateMode] != "":
				s.TLS.Mode = t.Options[optionTerminateMode]
			default:
				s.TLS.Mode = "SIMPLE"
			}
			for i, ref := range t.CertificateRefs {
				if i == 0 {
					s.TLS.CredentialName = ref.Name
				} else {
					s.TLS.CredentialNames = append(s.TLS.CredentialNames, ref.Name)
				}
			}
		}
		ig.spec.Servers = append(ig.spec.Servers, s)
	}
	for _, a := range g.spec.Addresses {
		if a.Type != "Hostname" {
			continue
		}
		if svc := x.serviceNamed(a.Value); svc != nil {
			ig.spec.Selector = svc.spec.Selector
		}
	}
	if len(g.spec.Addresses) == 0 {
		// Deployed by Istio: what its deployment controller creates.
		name, ns := g.obj.Metadata.Name, g.obj.Metadata.Namespace
		labels := map[string]string{"gateway.networking.k8s.io/gateway-name": name}
		svcName := name + "-" + g.spec.GatewayClassName
		if g.spec.GatewayClassName == "istio-waypoint" || g.spec.GatewayClassName == "istio-east-west" {
			svcName = name // Istio names these classes' objects after the Gateway alone
		}
		ig.spec.Selector = labels
		x.workloads = append(x.workloads, &workload{
			obj:       &object{APIVersion: "apps/v1", Kind: "Deployment", Metadata: meta{Name: svcName, Namespace: ns}},
			podLabels: labels,
		})
		svc := &service{obj: &object{APIVersion: "v1", Kind: "Service", Metadata: meta{Name: svcName, Namespace: ns}}}
		svc.spec.Selector = labels
		seen := map[int32]bool{}
		for _, l := range g.spec.Listeners {
			if !seen[l.Port] {
				seen[l.Port] = true
				svc.spec.Ports = append(svc.spec.Ports, serviceSpecPort{Name: l.Name, Port: l.Port})
			}
		}
		x.services = append(x.services, svc)
	}
	x.gateways = append(x.gateways, ig)
	return ig
}

// convertRoute is the VirtualService istiod makes of a route: bound to the Gateways it is
// attached to (a ServiceEntry parent makes it a mesh route for the ServiceEntry's hosts, which
// sidecars use), its rules in Istio's order for Gateway API matches (exact paths first, then
// longer prefixes, then matches with more conditions), its backends as destinations.
func (x *index) convertRoute(r *apiRoute, gateways []*apiGateway, converted map[*apiGateway]*gateway) {
	vs := &virtualService{obj: r.obj, gatewayAPI: true}
	ns := r.obj.Metadata.Namespace
	var ports []int32 // the listener ports a parentRef's sectionName or port narrows to
	// The hostnames of the listeners a parentRef names: a route without hostnames of its own (a
	// TCPRoute) serves those, and on a TLS listener the client's SNI must name one.
	var listenerHosts []string
	for _, p := range r.spec.ParentRefs {
		pns := cmp.Or(p.Namespace, ns)
		switch {
		case p.Kind == "ServiceEntry":
			for _, se := range x.serviceEntries {
				if se.obj.Metadata.Name == p.Name && se.obj.Metadata.Namespace == pns {
					vs.spec.Gateways = append(vs.spec.Gateways, "mesh")
					vs.spec.Hosts = append(vs.spec.Hosts, se.spec.Hosts...)
					// Only the sidecars that see the ServiceEntry have the host to route.
					vs.spec.ExportTo = se.spec.ExportTo
					if p.Port != 0 {
						// Istio matches the ServiceEntry's port only (augmentPortMatch).
						ports = append(ports, p.Port)
					}
				}
			}
		case p.Kind == "" || p.Kind == "Gateway":
			for _, g := range gateways {
				if g.obj.Metadata.Name != p.Name || g.obj.Metadata.Namespace != pns {
					continue
				}
				if !slices.Contains(vs.spec.Gateways, pns+"/"+p.Name) {
					// Once per Gateway: a route on several of its listeners is one route there.
					vs.spec.Gateways = append(vs.spec.Gateways, pns+"/"+p.Name)
				}
				for _, l := range g.spec.Listeners {
					named := (p.SectionName == "" || p.SectionName == l.Name) && (p.Port == 0 || p.Port == l.Port) &&
						(p.SectionName != "" || p.Port != 0)
					if named && l.Hostname != "" && !slices.Contains(listenerHosts, l.Hostname) {
						listenerHosts = append(listenerHosts, l.Hostname)
					}
					if named && !slices.Contains(ports, l.Port) {
						// Once per port: two listeners of a port (one per hostname) are one
						// Envoy listener, and a route on both is tried once there.
						ports = append(ports, l.Port)
					}
				}
			}
		}
	}
	if len(vs.spec.Hosts) == 0 {
		vs.spec.Hosts = r.spec.Hostnames
		if len(vs.spec.Hosts) == 0 {
			vs.spec.Hosts = listenerHosts
		}
		if len(vs.spec.Hosts) == 0 {
			vs.spec.Hosts = []string{"*"}
		}
	}
	type entry struct {
		route vsRoute
		exact bool
		path  int
		conds int
	}
	var entries []entry
	for i, rule := range r.spec.Rules {
		var dests []weightedDestination
		for _, b := range rule.BackendRefs {
			var d weightedDestination
			d.Destination.Host = backendHost(b, ns)
			d.Destination.Port.Number = b.Port
			if b.Weight != nil {
				d.Weight = *b.Weight
			}
			dests = append(dests, d)
		}
		var redir *redirect
		for _, f := range rule.Filters {
			if f.RequestRedirect != nil {
				redir = &redirect{Scheme: f.RequestRedirect.Scheme, Authority: f.RequestRedirect.Hostname, RedirectCode: f.RequestRedirect.StatusCode}
			}
		}
		matches := rule.Matches
		if len(matches) == 0 {
			// A rule without matches takes every request.
			entries = append(entries, entry{route: vsRoute{label: fmt.Sprintf("rules[%d]", i), Route: dests, Redirect: redir,
				Match: x.portMatches(r.obj.Kind, r.spec.Hostnames, routeMatch{}, ports)}})
			continue
		}
		for j, m := range matches {
			rm := routeMatch{}
			e := entry{}
			if m.Path != nil {
				rm.URI = &struct {
					Prefix string `yaml:"prefix"`
					Exact  string `yaml:"exact"`
					Regex  string `yaml:"regex"`
				}{}
				switch m.Path.Type {
				case "Exact":
					rm.URI.Exact, e.exact = m.Path.Value, true
				case "RegularExpression":
					rm.URI.Regex = m.Path.Value
				default:
					rm.URI.Prefix, rm.segments = m.Path.Value, true
				}
				e.path = len(m.Path.Value)
			}
			if len(m.Headers) > 0 || len(m.QueryParams) > 0 || m.Method != "" {
				rm.Other = map[string]yaml.Node{}
				if len(m.Headers) > 0 {
					rm.Other["headers"] = yaml.Node{}
				}
				if len(m.QueryParams) > 0 {
					rm.Other["queryParams"] = yaml.Node{}
				}
				if m.Method != "" {
					rm.Other["method"] = yaml.Node{}
				}
				e.conds = len(rm.Other)
			}
			label := fmt.Sprintf("rules[%d]", i)
			if len(rule.Matches) > 1 {
				label += fmt.Sprintf(".matches[%d]", j)
			}
			e.route = vsRoute{label: label, Route: dests, Redirect: redir, Match: x.portMatches(r.obj.Kind, r.spec.Hostnames, rm, ports)}
			entries = append(entries, e)
		}
	}
	if r.obj.Kind == "HTTPRoute" || r.obj.Kind == "GRPCRoute" {
		slices.SortStableFunc(entries, func(a, b entry) int {
			switch {
			case a.exact != b.exact:
				if a.exact {
					return -1
				}
				return 1
			case a.path != b.path:
				return b.path - a.path
			}
			return b.conds - a.conds
		})
	}
	for _, e := range entries {
		switch r.obj.Kind {
		case "TLSRoute":
			vs.spec.TLS = append(vs.spec.TLS, e.route)
		case "TCPRoute":
			vs.spec.TCP = append(vs.spec.TCP, e.route)
		default:
			vs.spec.HTTP = append(vs.spec.HTTP, e.route)
		}
	}
	x.virtualServices = append(x.virtualServices, vs)
}

// portMatches makes a route's match apply on the listener ports its parentRefs narrow it to (all
// of the parent's when they name none); a TLSRoute matches on the SNI of its hostnames.
func (x *index) portMatches(kind string, hostnames []string, m routeMatch, ports []int32) []routeMatch {
	if kind == "TLSRoute" {
		m.SNIHosts = hostnames
	}
	if len(ports) == 0 {
		if m.URI == nil && m.Other == nil && m.SNIHosts == nil {
			return nil // no match: everything
		}
		return []routeMatch{m}
	}
	var out []routeMatch
	for _, p := range ports {
		pm := m
		pm.Port = p
		out = append(out, pm)
	}
	return out
}

// backendHost is the host a backendRef names for Istio: a Service's cluster-local name, or,
// for Istio's Hostname kind (group networking.istio.io), the host itself (an external host).
func backendHost(b backendRef, namespace string) string {
	if b.Kind == "Hostname" || (b.Kind == "ServiceEntry" && strings.Contains(b.Name, ".")) {
		return b.Name
	}
	return b.Name + "." + cmp.Or(b.Namespace, namespace) + ".svc.cluster.local"
}
