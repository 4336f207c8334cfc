// Package traffic proves that gateway-pattern's outputs route traffic as their GatewayPattern says:
// every successful golden output (testdata/<case>/expected.yaml) and every example output
// (examples/<name>/.expected/kustomize.yaml) is loaded into Istio's own fake istiod
// (istio.io/istio/pilot/test/xds), and the calls listed beside it in traffic.yaml are followed through
// the Envoy configuration istiod generates, by Istio's traffic simulator
// (istio.io/istio/pilot/pkg/simulation). Every proxy's generated configuration also goes through Istio's
// xDS checks (istio.io/istio/pilot/test/xdstest).
//
// TestExplainedPaths (explain_test.go) also simulates every hop of every path the function explains
// (fn/explain: its info results and --explain) for the same outputs, and TestGeneratedConfigs does so
// for every generated config it accepts: each must reach what its line says.
//
// It is a separate Go module so that istio.io/istio never reaches the function's own module.
//
// # The expectations file: traffic.yaml
//
// Beside each golden output sits traffic.yaml (decoded strictly: a misspelled field is an error):
//
//	twin: testdata/seed-ingress    # for a Gateway API rendering: the golden of the same GatewayPattern
//	                               # rendered with the Istio API, whose calls run here too (twin.go)
//	differences:                   # optional: twin calls that reach something else here, on purpose
//	- {call: <twin call name>, why: ..., want: {...}}
//	gateway: istio-egressgateway   # optional: the generated Deployment/DaemonSet whose pods are the
//	                               # gateway proxy (default: the only generated one)
//	services:                      # the application Services the config routes to, as they exist in
//	- name: web                    # the cluster (the golden only refers to them); each port's name is
//	  namespace: shop              # its protocol for Istio (default http-<port>)
//	  ports: [{port: 8080}, {port: 5432, name: tcp-pg}]
//	calls:
//	- name: sidecar in shop sends HTTP to google.com, it goes to the egress gateway
//	  proxy: sidecar               # gateway (a Router proxy with the gateway pods' labels and namespace)
//	                               # | sidecar (a sidecar proxy in `namespace`, default "default")
//	  namespace: shop
//	  registryOnly: true           # optional: the mesh's outboundTrafficPolicy is REGISTRY_ONLY
//	  port: 80                     # the port the client connects to. For a gateway call it is a port of the
//	                               # generated gateway Service (the one selecting the gateway pods): the
//	                               # call arrives at the pods on that port's targetPort
//	  podPort: 8443                # instead of port, gateway calls only: straight to the pods' port
//	  protocol: http               # http (default) | http2 | tcp
//	  tls: plaintext               # plaintext (default) | tls | mtls (Istio mutual TLS, as a sidecar sends it)
//	  sni: google.com              # optional: for tls, defaults to host
//	  host: google.com             # the Host/:authority header
//	  path: /                      # default /
//	  address: 240.240.0.1         # optional destination IP (default: one no listener binds)
//	  want:                        # what the call must reach; every field given is compared
//	    error: ""                  # "" (it reaches a cluster) or one of the simulator's errors, verbatim:
//	                               # "no listener matched" (port closed), "no filter chains matched"
//	                               # (TLS/SNI refused), "no virtual host matched" (404), "no route matched"
//	                               # (404), "tls required, sending 301" (HTTPS redirect), "protocol error"
//	                               # (TLS or TCP into an HTTP listener), "invalid TLS", "invalid mTLS";
//	                               # or this harness's "cluster not found (503)": the route names a cluster
//	                               # the proxy does not have; or "dynamic forward proxy cluster without its
//	                               # filter (no upstream host)": a DYNAMIC_DNS host reached through a filter
//	                               # chain without the filter that resolves it; or "port not exposed by
//	                               # the gateway Service": the Service has no such port
//	    listener: 0.0.0.0_80
//	    filterChain: ...
//	    routeConfig: http.80
//	    virtualHost: google.com:80
//	    route: ...
//	    cluster: outbound|80||istio-egressgateway.istio-system.svc.cluster.local
//	    upstreamTLS: ISTIO_MUTUAL  # the cluster's TLS towards its endpoints: DISABLE | SIMPLE | MUTUAL |
//	                               # ISTIO_MUTUAL | AUTO (automatic mTLS: Istio mTLS to endpoints with a
//	                               # sidecar, plain otherwise)
//	    upstreamSNI: google.com
//	    routeAction: "rewrite /v1; timeout 5s"  # what the matched route does beyond its cluster:
//	                               # rewrite, timeout, retries, weighted clusters (see routeAction)
//	  knownDefect: "issue 13 item 6: ..."  # optional: `want` records today's WRONG result, so the test
//	  intended:                            # fails when it changes; `intended` (required with it) is what
//	    cluster: ...                       # the config means. Fixing the defect means moving intended to want.
//
// Every call must say what it reaches: want.error or want.cluster (for a direct response such as
// REGISTRY_ONLY's block_all, which reaches no cluster, its virtualHost or route). Error and, when
// there is no error, cluster are always compared: an empty cluster means the call must reach none.
// A golden with a generated gateway needs calls at its pods; one with external hosts (egress) needs
// calls from a sidecar too: egress is two hops, and each is checked.
//
// Expectations are written from the GatewayPattern (input.yaml) and Istio's documentation, never
// copied from what the function emits.
//
// Not simulated (Istio's simulator does not model them): AuthorizationPolicy decisions, client
// certificates (a "tls" call is taken to present what MUTUAL asks for; only Istio mTLS is told apart),
// header/method matches, endpoints (so automatic mTLS shows as AUTO: the gateway pods carry no
// security.istio.io/tlsMode label, Istio's gateway injection template sets none, so a sidecar
// reaches them in plain text unless a DestinationRule says ISTIO_MUTUAL), multi-network endpoint
// discovery.
package traffic

import (
	"bytes"
	"fmt"
	"os"

	"sigs.k8s.io/yaml"
)

// Expectations is one traffic.yaml.
type Expectations struct {
	// Twin and Differences: see twin.go.
	Twin        string       `json:"twin,omitempty"`
	Differences []Difference `json:"differences,omitempty"`
	Gateway     string       `json:"gateway,omitempty"`
	Services    []AppService `json:"services,omitempty"`
	Calls       []Call       `json:"calls"`
}

// AppService is an application Service that exists in the cluster beside the generated objects.
type AppService struct {
	Name      string    `json:"name"`
	Namespace string    `json:"namespace"`
	Ports     []AppPort `json:"ports"`
}

// AppPort is one port of an AppService; Name defaults to http-<port>.
type AppPort struct {
	Port int    `json:"port"`
	Name string `json:"name,omitempty"`
}

// Call is one simulated request and what it must reach.
type Call struct {
	Name         string `json:"name"`
	Proxy        string `json:"proxy"`
	Namespace    string `json:"namespace,omitempty"`
	RegistryOnly bool   `json:"registryOnly,omitempty"`
	Port         int    `json:"port,omitempty"`
	PodPort      int    `json:"podPort,omitempty"`
	Protocol     string `json:"protocol,omitempty"`
	TLS          string `json:"tls,omitempty"`
	SNI          string `json:"sni,omitempty"`
	Host         string `json:"host,omitempty"`
	Path         string `json:"path,omitempty"`
	Address      string `json:"address,omitempty"`
	Want         Want   `json:"want"`
	KnownDefect  string `json:"knownDefect,omitempty"`
	Intended     *Want  `json:"intended,omitempty"`
}

// Want is what a call reaches. Empty fields are not compared.
type Want struct {
	Error       string `json:"error,omitempty"`
	Listener    string `json:"listener,omitempty"`
	FilterChain string `json:"filterChain,omitempty"`
	RouteConfig string `json:"routeConfig,omitempty"`
	VirtualHost string `json:"virtualHost,omitempty"`
	Route       string `json:"route,omitempty"`
	Cluster     string `json:"cluster,omitempty"`
	UpstreamTLS string `json:"upstreamTLS,omitempty"`
	UpstreamSNI string `json:"upstreamSNI,omitempty"`
	// DownstreamTLS is how the matched filter chain terminates TLS (see downstreamTLS):
	// "certs: shop-rsa, shop-ecdsa; TLSv1_2..TLS_AUTO; ciphers: A, B".
	DownstreamTLS string `json:"downstreamTLS,omitempty"`
	// RouteAction is what the matched Envoy route does besides choosing a cluster, which the
	// simulator does not report (see routeAction): "rewrite /v1; timeout 5s; retries 3 (per try
	// 2s, on 5xx,reset)" or "weighted: outbound|8080||a...: 90, outbound|8080||b...: 10".
	RouteAction string `json:"routeAction,omitempty"`
}

const (
	proxyGateway = "gateway"
	proxySidecar = "sidecar"
)

var (
	protocols      = map[string]bool{"http": true, "http2": true, "tcp": true}
	tlsModes       = map[string]bool{"plaintext": true, "tls": true, "mtls": true}
	upstreamModes  = map[string]bool{"DISABLE": true, "SIMPLE": true, "MUTUAL": true, "ISTIO_MUTUAL": true, "AUTO": true}
	simulatorError = map[string]bool{
		"no listener matched": true, "no filter chains matched": true, "no virtual host matched": true,
		"no route matched": true, "tls required, sending 301": true, "protocol error": true,
		"invalid TLS": true, "invalid mTLS": true, "multiple filter chains matched": true,
		errClusterMissing: true, errNoDFPFilter: true, errNotExposed: true,
	}
)

const (
	// errClusterMissing is reported when a call reaches a cluster the proxy does not have (a 503 in Envoy).
	errClusterMissing = "cluster not found (503)"
	// errNoDFPFilter is reported when a call reaches a dynamic forward proxy cluster (a DYNAMIC_DNS
	// ServiceEntry) through a filter chain without the filter that resolves its host: Envoy has no
	// host to send to.
	errNoDFPFilter = "dynamic forward proxy cluster without its filter (no upstream host)"
	// errNotExposed is reported when a gateway call's port is not a port of the gateway's Service.
	errNotExposed = "port not exposed by the gateway Service"
)

// ReadExpectations reads and checks one traffic.yaml.
func ReadExpectations(path string) (*Expectations, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var e Expectations
	if err := yaml.UnmarshalStrict(data, &e); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(e.Calls) == 0 && e.Twin == "" {
		return nil, fmt.Errorf("%s: no calls", path)
	}
	var problems []string
	names := map[string]bool{}
	for i, c := range e.Calls {
		p := func(format string, a ...any) {
			problems = append(problems, fmt.Sprintf("calls[%d] (%s): %s", i, c.Name, fmt.Sprintf(format, a...)))
		}
		if c.Name == "" {
			p("name is required")
		}
		if names[c.Name] {
			p("duplicate name")
		}
		names[c.Name] = true
		switch c.Proxy {
		case proxyGateway:
			if c.Namespace != "" {
				p("namespace is only for sidecar calls (the gateway's comes from its Deployment)")
			}
		case proxySidecar:
		default:
			p("proxy must be %q or %q, not %q", proxyGateway, proxySidecar, c.Proxy)
		}
		switch {
		case c.PodPort != 0 && c.Proxy != proxyGateway:
			p("podPort is for gateway calls only")
		case c.PodPort != 0 && c.Port != 0:
			p("give port (a gateway Service port) or podPort, not both")
		case c.PodPort != 0 && (c.PodPort < 1 || c.PodPort > 65535):
			p("podPort %d out of range", c.PodPort)
		case c.PodPort == 0 && (c.Port < 1 || c.Port > 65535):
			p("port %d out of range", c.Port)
		}
		if c.Protocol != "" && !protocols[c.Protocol] {
			p("protocol %q: want http, http2 or tcp", c.Protocol)
		}
		if c.TLS != "" && !tlsModes[c.TLS] {
			p("tls %q: want plaintext, tls or mtls", c.TLS)
		}
		checkWant := func(field string, w Want) {
			if w.Error == "" && w.Cluster == "" && w.VirtualHost == "" && w.Route == "" {
				p("%s must give error or cluster (or, for a direct response, its virtualHost or route)", field)
			}
			if w.Error != "" && !simulatorError[w.Error] {
				p("%s.error %q is not one of the simulator's errors", field, w.Error)
			}
			if w.UpstreamTLS != "" && !upstreamModes[w.UpstreamTLS] {
				p("%s.upstreamTLS %q: want DISABLE, SIMPLE, MUTUAL, ISTIO_MUTUAL or AUTO", field, w.UpstreamTLS)
			}
			if w.Error != "" && (w.UpstreamTLS != "" || w.UpstreamSNI != "") {
				p("%s: upstreamTLS/upstreamSNI need a cluster, not an error", field)
			}
		}
		checkWant("want", c.Want)
		switch {
		case c.KnownDefect != "" && c.Intended == nil:
			p("knownDefect needs intended: what the config means the call to reach")
		case c.KnownDefect == "" && c.Intended != nil:
			p("intended is only for a knownDefect")
		case c.Intended != nil:
			checkWant("intended", *c.Intended)
			if *c.Intended == c.Want {
				p("intended equals want: not a defect")
			}
		}
	}
	for i, s := range e.Services {
		if s.Name == "" || s.Namespace == "" || len(s.Ports) == 0 {
			problems = append(problems, fmt.Sprintf("services[%d]: name, namespace and ports are required", i))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s:\n  %s", path, joinLines(problems))
	}
	return &e, nil
}

func joinLines(s []string) string {
	var b bytes.Buffer
	for i, l := range s {
		if i > 0 {
			b.WriteString("\n  ")
		}
		b.WriteString(l)
	}
	return b.String()
}
