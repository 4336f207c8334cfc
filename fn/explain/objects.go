package explain

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	yn "github.com/gatewaypattern/gateway-pattern/fn/internal/yamlnode"
)

// The views below hold the fields of the Istio and Kubernetes objects that decide where traffic
// goes, decoded from the emitted YAML with yaml.v3 (fields not listed are ignored). They are ours
// rather than istio.io/api's and k8s.io/api's types because the function's binary links neither
// (see the README's Performance section), and only these few fields are read.

type meta struct {
	Name, Namespace string
}

type object struct {
	APIVersion string
	Kind       string
	Metadata   meta
	spec       *yaml.Node
}

// readObject reads the identity of an emitted object by hand rather than with yaml.v3's decoder,
// which would allocate for every key of the large workload objects it passes over.
func readObject(node *yaml.Node) *object {
	return &object{
		APIVersion: yn.StringAt(node, "apiVersion"),
		Kind:       yn.StringAt(node, "kind"),
		Metadata: meta{
			Name:      yn.StringAt(node, "metadata", "name"),
			Namespace: yn.StringAt(node, "metadata", "namespace"),
		},
		spec: yn.Lookup(node, "spec"),
	}
}

// labelsAt reads a mapping of strings, such as a pod template's labels.
func labelsAt(node *yaml.Node, path ...string) map[string]string {
	m := yn.Lookup(node, path...)
	if !yn.IsMapping(m) {
		return nil
	}
	labels := make(map[string]string, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		labels[m.Content[i].Value] = m.Content[i+1].Value
	}
	return labels
}

func (o *object) ref() Ref {
	return Ref{APIVersion: o.APIVersion, Kind: o.Kind, Namespace: o.Metadata.Namespace, Name: o.Metadata.Name}
}

// named is how a line names an object other than the one it is about: "Gateway istio-egress".
func (o *object) named() string { return o.Kind + " " + o.Metadata.Name }

type gateway struct {
	obj  *object
	spec struct {
		Selector map[string]string `yaml:"selector"`
		Servers  []server          `yaml:"servers"`
	}
}

type server struct {
	// listener: converted from a Gateway API listener (see gatewayapi.go).
	listener bool
	Port     struct {
		Number   int32  `yaml:"number"`
		Name     string `yaml:"name"`
		Protocol string `yaml:"protocol"`
	} `yaml:"port"`
	Hosts []string   `yaml:"hosts"`
	TLS   *serverTLS `yaml:"tls"`
}

type serverTLS struct {
	Mode            string   `yaml:"mode"`
	CredentialName  string   `yaml:"credentialName"`
	CredentialNames []string `yaml:"credentialNames"`
	HTTPSRedirect   bool     `yaml:"httpsRedirect"`
}

func (s server) mode() string {
	if s.TLS == nil {
		return ""
	}
	return s.TLS.Mode
}

// routesBy says which section of a VirtualService Istio applies on a server: tls routes (by SNI)
// on PASSTHROUGH and AUTO_PASSTHROUGH servers, tcp routes on TLS servers that terminate and on TCP
// servers, http routes on HTTP servers and on HTTPS servers that terminate.
func (s server) routesBy() string {
	switch {
	case s.mode() == "PASSTHROUGH" || s.mode() == "AUTO_PASSTHROUGH":
		return "tls"
	case strings.EqualFold(s.Port.Protocol, "TLS") || strings.EqualFold(s.Port.Protocol, "TCP") || strings.EqualFold(s.Port.Protocol, "MONGO"):
		return "tcp"
	}
	return "http"
}

// label names a server in a line: its port name, or its index when it has none.
func (s server) label(i int) string {
	if s.listener {
		return "listener " + s.Port.Name
	}
	if s.Port.Name != "" {
		return "server " + s.Port.Name
	}
	return fmt.Sprintf("servers[%d]", i)
}

func (s server) serves(host string) bool { return s.specificity(host) > 0 }

// specificity is how closely s's hosts take host, 0 when none does: an exact name before a
// wildcard, a longer wildcard before a shorter one ("*" last), as Envoy picks a filter chain by
// server name.
func (s server) specificity(host string) int {
	best := 0
	for _, h := range s.Hosts {
		if _, name, namespaced := strings.Cut(h, "/"); namespaced {
			h = name // namespace/host: which namespaces' VirtualServices may bind; the host is after it
		}
		if !hostsMatch(h, host) {
			continue
		}
		score := 1 + len(h)
		if !strings.Contains(h, "*") {
			score += 1 << 16
		}
		best = max(best, score)
	}
	return best
}

type virtualService struct {
	obj *object
	// gatewayAPI: converted from a Gateway API route (see gatewayapi.go).
	gatewayAPI bool
	spec       struct {
		Hosts    []string  `yaml:"hosts"`
		Gateways []string  `yaml:"gateways"`
		HTTP     []vsRoute `yaml:"http"`
		TLS      []vsRoute `yaml:"tls"`
		TCP      []vsRoute `yaml:"tcp"`
		ExportTo []string  `yaml:"exportTo"`
	}
}

// sidecarNamespaces are the namespaces whose sidecars see vs (its exportTo, "." being its own
// namespace), or nil for every namespace.
func (vs *virtualService) sidecarNamespaces() []string {
	if len(vs.spec.ExportTo) == 0 || slices.Contains(vs.spec.ExportTo, "*") {
		return nil
	}
	var out []string
	for _, ns := range vs.spec.ExportTo {
		if ns == "." {
			ns = vs.obj.Metadata.Namespace
		}
		if !slices.Contains(out, ns) {
			out = append(out, ns)
		}
	}
	return out
}

// section returns the routes of one section: "http", "tls" or "tcp".
func (vs *virtualService) section(name string) []vsRoute {
	switch name {
	case "http":
		return vs.spec.HTTP
	case "tls":
		return vs.spec.TLS
	}
	return vs.spec.TCP
}

// vsRoute is an entry of a VirtualService's http, tls or tcp section; its matches hold the fields
// of all three kinds.
type vsRoute struct {
	// label names a route converted from a Gateway API rule (rules[0]); "" for a VirtualService's.
	label    string
	Match    []routeMatch          `yaml:"match"`
	Route    []weightedDestination `yaml:"route"`
	Redirect *redirect             `yaml:"redirect"`
}

// weightedDestination is one destination of a route, with its share of the requests.
type weightedDestination struct {
	Destination destination `yaml:"destination"`
	Weight      int32       `yaml:"weight"`
}

// routeMatch holds the match fields of the three kinds of route.
type routeMatch struct {
	URI *struct {
		Prefix string `yaml:"prefix"`
		Exact  string `yaml:"exact"`
		Regex  string `yaml:"regex"`
	} `yaml:"uri"`
	// segments: a Gateway API PathPrefix, which matches whole path segments (/api takes /api and
	// /api/v1, not /apis), where Istio's uri.prefix matches any string prefix.
	segments bool
	Port     int32    `yaml:"port"`
	Gateways []string `yaml:"gateways"`
	SNIHosts []string `yaml:"sniHosts"`
	// Other holds the conditions not read here (headers, method, ...): a match with any of them
	// does not take every request of its path.
	Other map[string]yaml.Node `yaml:",inline"`
}

type redirect struct {
	URI          string `yaml:"uri"`
	Authority    string `yaml:"authority"`
	Scheme       string `yaml:"scheme"`
	RedirectCode int32  `yaml:"redirectCode"`
}

type destination struct {
	Host   string `yaml:"host"`
	Subset string `yaml:"subset"`
	Port   struct {
		Number int32 `yaml:"number"`
	} `yaml:"port"`
}

type clientTLS struct {
	Mode string `yaml:"mode"`
	SNI  string `yaml:"sni"`
}

type trafficPolicy struct {
	TLS               *clientTLS `yaml:"tls"`
	PortLevelSettings []struct {
		Port struct {
			Number int32 `yaml:"number"`
		} `yaml:"port"`
		TLS *clientTLS `yaml:"tls"`
	} `yaml:"portLevelSettings"`
}

// tlsOn is the TLS the policy sets for a port: its port-level setting, else its own.
func (p *trafficPolicy) tlsOn(port int32) *clientTLS {
	if p == nil {
		return nil
	}
	for _, s := range p.PortLevelSettings {
		if s.Port.Number == port && s.TLS != nil {
			return s.TLS
		}
	}
	return p.TLS
}

type destinationRule struct {
	obj  *object
	spec struct {
		Host          string         `yaml:"host"`
		TrafficPolicy *trafficPolicy `yaml:"trafficPolicy"`
		Subsets       []struct {
			Name          string         `yaml:"name"`
			TrafficPolicy *trafficPolicy `yaml:"trafficPolicy"`
		} `yaml:"subsets"`
		WorkloadSelector *struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		} `yaml:"workloadSelector"`
	}
}

type serviceEntry struct {
	obj  *object
	spec struct {
		Hosts     []string `yaml:"hosts"`
		Addresses []string `yaml:"addresses"`
		Ports     []struct {
			Number   int32  `yaml:"number"`
			Name     string `yaml:"name"`
			Protocol string `yaml:"protocol"`
		} `yaml:"ports"`
		Resolution string   `yaml:"resolution"`
		ExportTo   []string `yaml:"exportTo"`
	}
}

type authorizationPolicy struct {
	obj  *object
	spec struct {
		Selector *struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		} `yaml:"selector"`
		TargetRefs []struct {
			Group string `yaml:"group"`
			Kind  string `yaml:"kind"`
			Name  string `yaml:"name"`
		} `yaml:"targetRefs"`
		Action string `yaml:"action"`
		Rules  []struct {
			From []struct {
				Source struct {
					Principals []string `yaml:"principals"`
					Namespaces []string `yaml:"namespaces"`
				} `yaml:"source"`
			} `yaml:"from"`
			To   []yaml.Node `yaml:"to"`
			When []yaml.Node `yaml:"when"`
		} `yaml:"rules"`
	}
}

type service struct {
	obj  *object
	spec struct {
		Type     string            `yaml:"type"`
		Selector map[string]string `yaml:"selector"`
		Ports    []serviceSpecPort `yaml:"ports"`
	}
}

// serviceSpecPort is one entry of a Service's spec.ports.
type serviceSpecPort struct {
	Name       string    `yaml:"name"`
	Port       int32     `yaml:"port"`
	TargetPort yaml.Node `yaml:"targetPort"`
	NodePort   int32     `yaml:"nodePort"`
}

// fqdn is the cluster-local name of the Service.
func (s *service) fqdn() string {
	return s.obj.Metadata.Name + "." + s.obj.Metadata.Namespace + ".svc.cluster.local"
}

// servicePort is one port of the Service: the port clients call, the pods' port it reaches (a
// number, or a port name), and its node port.
type servicePort struct {
	port       int32
	targetPort string
	nodePort   int32
}

func (s *service) port(number int32) (servicePort, bool) {
	for _, p := range s.spec.Ports {
		if p.Port != number {
			continue
		}
		target := p.TargetPort.Value
		if p.TargetPort.Kind == 0 {
			target = strconv.Itoa(int(p.Port)) // Kubernetes' default: the same number
		}
		return servicePort{port: p.Port, targetPort: target, nodePort: p.NodePort}, true
	}
	return servicePort{}, false
}

// workload is a generated Deployment or DaemonSet: the pods a Gateway selects.
type workload struct {
	obj       *object
	podLabels map[string]string
}

// index holds the generated objects by kind, in the order they were emitted.
type index struct {
	gateways         []*gateway
	virtualServices  []*virtualService
	destinationRules []*destinationRule
	serviceEntries   []*serviceEntry
	policies         []*authorizationPolicy
	services         []*service
	workloads        []*workload
	// build are the Services of the build the function did not generate, first of each
	// namespace/name kept.
	build []*service
	// unreadable are objects of a kind that routes traffic whose fields could not be read.
	unreadable []Path
}

func newIndex(objects []*yaml.Node) *index {
	x := &index{}
	var gatewayAPI []*object
	for _, node := range objects {
		o := readObject(node)
		if strings.HasPrefix(o.APIVersion, gatewayAPIGroup+"/") {
			gatewayAPI = append(gatewayAPI, o)
			continue
		}
		var spec any
		switch o.Kind {
		case "Gateway":
			g := &gateway{obj: o}
			x.gateways, spec = append(x.gateways, g), &g.spec
		case "VirtualService":
			vs := &virtualService{obj: o}
			x.virtualServices, spec = append(x.virtualServices, vs), &vs.spec
		case "DestinationRule":
			dr := &destinationRule{obj: o}
			x.destinationRules, spec = append(x.destinationRules, dr), &dr.spec
		case "ServiceEntry":
			se := &serviceEntry{obj: o}
			x.serviceEntries, spec = append(x.serviceEntries, se), &se.spec
		case "AuthorizationPolicy":
			ap := &authorizationPolicy{obj: o}
			x.policies, spec = append(x.policies, ap), &ap.spec
		case "Service":
			s := &service{obj: o}
			x.services, spec = append(x.services, s), &s.spec
		case "Deployment", "DaemonSet":
			x.workloads = append(x.workloads, &workload{obj: o, podLabels: labelsAt(o.spec, "template", "metadata", "labels")})
			continue
		default:
			continue
		}
		if o.spec == nil {
			continue
		}
		if err := o.spec.Decode(spec); err != nil {
			x.unreadable = append(x.unreadable, cannot(o.ref(), "its spec cannot be read: "+err.Error()))
		}
	}
	x.indexGatewayAPI(gatewayAPI)
	return x
}

// name is how a line names the route: section[j] of a VirtualService, or its Gateway API rule.
func (r vsRoute) name(section string, j int) string {
	if r.label != "" {
		return r.label
	}
	return fmt.Sprintf("%s[%d]", section, j)
}

// indexBuild adds the build's Services. One whose spec cannot be read is left out, as if absent:
// its routes are then followed as to a Service that has the port (the API server would refuse
// such a Service anyway).
func (x *index) indexBuild(services []*yaml.Node) {
	seen := map[string]bool{}
	for _, node := range services {
		o := readObject(node)
		key := namespaceOrDefault(o.Metadata.Namespace) + "/" + o.Metadata.Name
		if o.APIVersion != "v1" || o.Kind != "Service" || seen[key] {
			continue
		}
		s := &service{obj: o}
		if o.spec != nil && o.spec.Decode(&s.spec) != nil {
			continue
		}
		seen[key] = true
		x.build = append(x.build, s)
	}
}

// namespaceOrDefault is the namespace of a Service of the build without one: where kubectl and
// istioctl analyze put it when it is applied from local files, "default".
func namespaceOrDefault(namespace string) string {
	if namespace == "" {
		return "default"
	}
	return namespace
}

// destinationService returns the Service, of the build or generated, a route's destination host
// names the way Istio resolves it: a short name (no dot) is a Service in the VirtualService's
// namespace, <name>.<namespace>.svc.cluster.local a Service of that namespace. Any other host
// (api.shop, an external name) names no Service here.
func (x *index) destinationService(host, namespace string) *service {
	if !strings.Contains(host, ".") {
		host += "." + namespace + ".svc.cluster.local"
	}
	for _, s := range append(slices.Clip(x.build), x.services...) {
		if strings.EqualFold(host, s.obj.Metadata.Name+"."+namespaceOrDefault(s.obj.Metadata.Namespace)+".svc.cluster.local") {
			return s
		}
	}
	return nil
}

// podsOf returns the generated workload whose pods carry every label of selector.
func (x *index) podsOf(selector map[string]string) *workload {
	if len(selector) == 0 {
		return nil
	}
	for _, w := range x.workloads {
		if hasLabels(w.podLabels, selector) {
			return w
		}
	}
	return nil
}

// serviceOf returns the generated Service whose selector picks the workload's pods: the one named
// like the workload (the chart's, or the one Istio deploys for a Gateway) where others select the
// same pods (an egress host's hop Service).
func (x *index) serviceOf(w *workload) *service {
	var found *service
	for _, s := range x.services {
		if x.leadsTo(s, w) {
			if s.obj.Metadata.Name == w.obj.Metadata.Name {
				return s
			}
			if found == nil {
				found = s
			}
		}
	}
	return found
}

// leadsTo reports whether Service svc sends to the workload's pods: the workload's own Service,
// or another of its namespace selecting the same pods (an egress host's hop Service).
func (x *index) leadsTo(svc *service, w *workload) bool {
	return w != nil && svc != nil && len(svc.spec.Selector) > 0 &&
		svc.obj.Metadata.Namespace == w.obj.Metadata.Namespace && hasLabels(w.podLabels, svc.spec.Selector)
}

// serviceNamed returns the generated Service a destination host names (its FQDN, or the short
// forms name.namespace.svc and name.namespace).
func (x *index) serviceNamed(host string) *service {
	for _, s := range x.services {
		name := s.obj.Metadata.Name + "." + s.obj.Metadata.Namespace
		if host == name || host == name+".svc" || host == s.fqdn() {
			return s
		}
	}
	return nil
}

// gatewayNamed resolves a VirtualService's gateways entry ("name" in its own namespace, or
// "namespace/name").
func (x *index) gatewayNamed(ref, namespace string) *gateway {
	if ns, name, ok := strings.Cut(ref, "/"); ok {
		namespace, ref = ns, name
	}
	for _, g := range x.gateways {
		if g.obj.Metadata.Name == ref && g.obj.Metadata.Namespace == namespace {
			return g
		}
	}
	return nil
}

// serviceEntryFor returns the ServiceEntry that declares host, and its port's protocol.
func (x *index) serviceEntryFor(host string, port int32) (*serviceEntry, string) {
	for _, se := range x.serviceEntries {
		for _, h := range se.spec.Hosts {
			if !strings.EqualFold(h, host) {
				continue
			}
			for _, p := range se.spec.Ports {
				if p.Number == port {
					return se, p.Protocol
				}
			}
			return se, ""
		}
	}
	return nil, ""
}

// destinationRuleFor returns the DestinationRule for host that applies to a proxy with the given
// pod labels (nil: a sidecar, which a workloadSelector does not pick).
func (x *index) destinationRuleFor(host string, podLabels map[string]string) *destinationRule {
	for _, dr := range x.destinationRules {
		if dr.spec.Host != host {
			continue
		}
		if sel := dr.spec.WorkloadSelector; sel != nil && !hasLabels(podLabels, sel.MatchLabels) {
			continue
		}
		return dr
	}
	return nil
}

func hasLabels(labels, want map[string]string) bool {
	for k, v := range want {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// hostsMatch reports whether two Istio host names overlap: equal, or one a wildcard (*.example.com,
// or * alone) covering the other, as Istio matches a Gateway server's hosts and a VirtualService's.
func hostsMatch(a, b string) bool {
	covers := func(wild, host string) bool {
		if wild == "*" {
			return true
		}
		suffix, ok := strings.CutPrefix(wild, "*")
		return ok && strings.HasSuffix(strings.ToLower(host), strings.ToLower(suffix))
	}
	return strings.EqualFold(a, b) || covers(a, b) || covers(b, a)
}
