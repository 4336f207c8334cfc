package traffic

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	corev1 "k8s.io/api/core/v1"

	meshconfig "istio.io/api/mesh/v1alpha1"
	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/pkg/simulation"
	"istio.io/istio/pilot/test/xds"
	"istio.io/istio/pilot/test/xdstest"
	"istio.io/istio/pkg/config/mesh"
)

// golden is one output to check and where its expectations live.
type golden struct {
	name, output, expectations string
}

// objects reads the golden's output.
func (g golden) objects(t *testing.T) []object {
	t.Helper()
	data, err := os.ReadFile(g.output)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := readObjects(data)
	if err != nil {
		t.Fatalf("%s: %v", g.output, err)
	}
	return objs
}

// goldens finds every successful golden output: testdata/<case>/expected.yaml whose run did not fail,
// and examples/<name>/.expected/kustomize.yaml (a failing example has none: only kustomize.stderr).
func goldens(t *testing.T) []golden {
	var (
		found  []golden
		failed []string
	)
	cases, err := filepath.Glob("../../testdata/*/expected.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range cases {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Dir(f)
		if failedRun.Match(data) {
			failed = append(failed, filepath.Base(dir))
			continue
		}
		found = append(found, golden{"testdata/" + filepath.Base(dir), f, filepath.Join(dir, "traffic.yaml")})
	}
	t.Logf("%d golden cases are failed runs, nothing generated to route: %s", len(failed), strings.Join(failed, ", "))
	examples, err := filepath.Glob("../../examples/*/.expected")
	if err != nil {
		t.Fatal(err)
	}
	failed = failed[:0]
	for _, dir := range examples {
		name := filepath.Base(filepath.Dir(dir))
		f := filepath.Join(dir, "kustomize.yaml")
		if _, err := os.Stat(f); errors.Is(err, fs.ErrNotExist) {
			failed = append(failed, name) // a failing example has no kustomize.yaml, only kustomize.stderr
			continue
		}
		found = append(found, golden{"examples/" + name, f, filepath.Join(dir, "traffic.yaml")})
	}
	t.Logf("%d examples fail by design (no kustomize.yaml), nothing generated to route: %s", len(failed), strings.Join(failed, ", "))
	sort.Slice(found, func(i, j int) bool { return found[i].name < found[j].name })
	return found
}

// failedRun matches the error results of a ResourceList as kyaml writes them.
var failedRun = regexp.MustCompile(`(?m)^  severity: error$`)

// tally counts what was proven, for the summary line.
type tally struct {
	goldens, calls, defects, proxies int
	twins, twinCalls                 int // Gateway API renderings checked against their Istio twin
}

func TestTraffic(t *testing.T) {
	gs := goldens(t)
	if len(gs) == 0 {
		t.Fatal("no golden output found (testdata/*/expected.yaml, examples/*/.expected/kustomize.yaml): nothing was routed")
	}
	var total tally
	for _, g := range gs {
		t.Run(g.name, func(t *testing.T) {
			n := checkGolden(t, g)
			total.goldens++
			total.calls += n.calls
			total.defects += n.defects
			total.proxies += n.proxies
			total.twinCalls += n.twinCalls
			if n.twinCalls > 0 {
				total.twins++
			}
		})
	}
	t.Logf("traffic: %d golden outputs, %d calls simulated (%d of them known defects, asserting today's wrong result), %d proxies' xDS validated",
		total.goldens, total.calls, total.defects, total.proxies)
	t.Logf("twins: %d Gateway API renderings answered %d of their Istio twins' calls", total.twins, total.twinCalls)
	if total.calls == 0 {
		t.Fatal("not one call was simulated")
	}
}

func checkGolden(t *testing.T, g golden) tally {
	var n tally
	exp, err := ReadExpectations(g.expectations)
	if errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("%s has no traffic expectations: write %s (see the package documentation)", g.name, g.expectations)
	}
	if err != nil {
		t.Fatal(err)
	}
	fromTwin, err := twinCalls(g, exp)
	if err != nil {
		t.Fatal(err)
	}
	if fromTwin > 0 {
		n.twinCalls += fromTwin
		t.Logf("twin %s: its %d calls run here too", exp.Twin, fromTwin)
	}
	objs := g.objects(t)
	w, err := buildWorld(objs, exp.Services)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("loaded: %s", strings.Join(w.loaded, ", "))
	t.Logf("not used by the simulation: %s", strings.Join(w.notLoaded, ", "))

	// Half-written expectations are refused: a generated gateway gets calls at its pods, and a
	// golden that declares external hosts (egress) gets calls from a sidecar as well.
	calls := map[string]int{}
	for _, c := range exp.Calls {
		calls[c.Proxy]++
	}
	if len(w.gateways) > 0 && calls[proxyGateway] == 0 {
		t.Errorf("%s: no call at the gateway pods", g.expectations)
	}
	if w.istioKinds["ServiceEntry"] > 0 && calls[proxySidecar] == 0 {
		t.Errorf("%s: external hosts are declared but no call comes from a sidecar (egress is two hops)", g.expectations)
	}

	// One fake istiod per mesh outbound traffic policy the calls need, made here (not in a subtest)
	// because it belongs to the whole golden.
	servers := map[bool]*xds.FakeDiscoveryServer{}
	for _, c := range exp.Calls {
		if servers[c.RegistryOnly] != nil {
			continue
		}
		m := mesh.DefaultMeshConfig()
		if c.RegistryOnly {
			m.OutboundTrafficPolicy = &meshconfig.MeshConfig_OutboundTrafficPolicy{Mode: meshconfig.MeshConfig_OutboundTrafficPolicy_REGISTRY_ONLY}
		}
		servers[c.RegistryOnly] = newFakeIstiod(t, w, m)
	}

	// The calls, grouped by the proxy that makes them, in file order.
	type proxyKey struct {
		kind, namespace string
		registryOnly    bool
	}
	var order []proxyKey
	byProxy := map[proxyKey][]Call{}
	for _, c := range exp.Calls {
		k := proxyKey{c.Proxy, c.Namespace, c.RegistryOnly}
		if k.kind == proxySidecar && k.namespace == "" {
			k.namespace = "default"
		}
		if _, ok := byProxy[k]; !ok {
			order = append(order, k)
		}
		byProxy[k] = append(byProxy[k], c)
	}

	for _, k := range order {
		name := k.kind
		if k.kind == proxySidecar {
			name += " in " + k.namespace
		}
		if k.registryOnly {
			name += ", REGISTRY_ONLY"
		}
		t.Run(name, func(t *testing.T) {
			s := servers[k.registryOnly]
			var (
				p   *model.Proxy
				svc *corev1.Service
			)
			switch k.kind {
			case proxyGateway:
				p = gatewayProxy(t, w, exp.Gateway)
				var err error
				if svc, err = gatewayService(w, p.ConfigNamespace, p.Labels); err != nil {
					t.Fatal(err)
				}
			default:
				p = sidecarProxy(k.namespace)
			}
			sim := simulation.NewSimulation(t, s, s.SetupProxy(p))
			t.Run("xDS validation", func(t *testing.T) {
				xdstest.ValidateListeners(t, addressed(sim.Listeners))
				xdstest.ValidateClusters(t, sim.Clusters)
				xdstest.ValidateRouteConfigurations(t, sim.Routes)
			})
			wholeSegmentPrefixes(sim.Routes)
			n.proxies++
			clusters := xdstest.ExtractClusters(sim.Clusters)
			for _, c := range byProxy[k] {
				n.calls++
				if c.KnownDefect != "" {
					n.defects++
				}
				var got observed
				if c.Proxy == proxyGateway && c.PodPort == 0 {
					target, ok, err := podPort(svc, c.Port)
					if err != nil {
						t.Fatalf("call %q: %v", c.Name, err)
					}
					if ok {
						c.PodPort = target
					} else {
						got.Error = errNotExposed
					}
				}
				if got.Error == "" {
					got = run(t, sim, clusters, c)
				}
				if diff := compare(c.Want, got); diff != "" {
					msg := fmt.Sprintf("call %q:\n%s\n  got: %s", c.Name, diff, got)
					if c.KnownDefect != "" {
						msg += fmt.Sprintf("\n  this call records a KNOWN DEFECT (%s) and its result changed", c.KnownDefect)
						if compare(*c.Intended, got) == "" {
							msg += ": it now reaches what the config means; move `intended` to `want` and drop `knownDefect`"
						}
					}
					t.Error(msg)
				}
			}
			if t.Failed() {
				t.Logf("listeners: %v", xdstest.ExtractListenerNames(sim.Listeners))
				t.Logf("clusters: %v", sortedKeys(clusters))
			}
		})
	}
	return n
}

// observed is what the simulator reports for a call, plus the reached cluster's upstream TLS.
type observed struct {
	Want
}

func (o observed) String() string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, fmt.Sprintf("%s: %q", k, v))
		}
	}
	add("error", o.Error)
	add("listener", o.Listener)
	add("filterChain", o.FilterChain)
	add("routeConfig", o.RouteConfig)
	add("virtualHost", o.VirtualHost)
	add("route", o.Route)
	add("cluster", o.Cluster)
	add("upstreamTLS", o.UpstreamTLS)
	add("upstreamSNI", o.UpstreamSNI)
	add("downstreamTLS", o.DownstreamTLS)
	add("routeAction", o.RouteAction)
	return "{" + strings.Join(parts, ", ") + "}"
}

func run(t *testing.T, sim *simulation.Simulation, clusters map[string]*cluster.Cluster, c Call) observed {
	port := c.Port
	if c.PodPort != 0 {
		port = c.PodPort
	}
	call := simulation.Call{
		Address:    c.Address,
		Port:       port,
		Path:       c.Path,
		Protocol:   simulation.HTTP,
		TLS:        simulation.Plaintext,
		HostHeader: c.Host,
		Sni:        c.SNI,
		CallMode:   simulation.CallModeGateway,
	}
	if c.Proxy == proxySidecar {
		call.CallMode = simulation.CallModeOutbound
		if call.Address == "" {
			// An address no listener binds: the call is matched on its port (0.0.0.0_<port>), as
			// for a host without a VIP, or falls through to the outbound catch-all.
			call.Address = "240.240.240.240"
		}
	}
	if c.Protocol != "" {
		call.Protocol = simulation.Protocol(c.Protocol)
	}
	if c.TLS != "" {
		call.TLS = simulation.TLSMode(c.TLS)
	}
	r := sim.Run(call)
	o := observed{Want{
		Listener:    r.ListenerMatched,
		FilterChain: r.FilterChainMatched,
		RouteConfig: r.RouteConfigMatched,
		VirtualHost: r.VirtualHostMatched,
		Route:       r.RouteMatched,
		Cluster:     r.ClusterMatched,
	}}
	if r.Error != nil {
		o.Error = r.Error.Error()
		return o
	}
	if c.Want.RouteAction != "" {
		o.RouteAction = routeAction(sim, o.RouteConfig, o.VirtualHost, o.Route)
	}
	if c.Want.DownstreamTLS != "" {
		o.DownstreamTLS = downstreamTLS(t, sim, o.Listener, o.FilterChain, cmp.Or(c.SNI, c.Host))
	}
	if o.Cluster != "" {
		cl, ok := clusters[o.Cluster]
		if !ok {
			o.Error = errClusterMissing
			return o
		}
		if isDynamicForwardProxy(cl) && !dynamicForwardProxyFilterFor(t, sim, o.Listener, o.Cluster) {
			o.Error = errNoDFPFilter
			return o
		}
		o.UpstreamTLS, o.UpstreamSNI = upstreamTLS(cl)
	}
	return o
}

// isDynamicForwardProxy says whether the cluster is Envoy's dynamic forward proxy, whose hosts are
// resolved from the request (SNI or Host) by a filter in front of it.
func isDynamicForwardProxy(c *cluster.Cluster) bool {
	return c.GetClusterType().GetName() == "envoy.clusters.dynamic_forward_proxy"
}

// dynamicForwardProxyFilterFor says whether the listener's filter chains that lead to the cluster carry
// the filter that fills the dynamic forward proxy's DNS cache: without it Envoy has no host to send to.
func dynamicForwardProxyFilterFor(t *testing.T, sim *simulation.Simulation, listenerName, clusterName string) bool {
	l := xdstest.ExtractListener(listenerName, sim.Listeners)
	for _, fc := range l.GetFilterChains() {
		tcp := xdstest.ExtractTCPProxy(t, fc)
		hcm := xdstest.ExtractHTTPConnectionManager(t, fc)
		network, http := xdstest.ExtractFilterNames(t, fc)
		switch {
		case tcp != nil && tcp.GetCluster() == clusterName:
			if slices.Contains(network, "envoy.filters.network.sni_dynamic_forward_proxy") {
				return true
			}
		case hcm != nil:
			if slices.Contains(http, "envoy.filters.http.dynamic_forward_proxy") {
				return true
			}
		}
	}
	return false
}

// compare lists every field of want that got does not match. An empty want.Error means no error.
func compare(want Want, got observed) string {
	var diffs []string
	check := func(field, w, g string, always bool) {
		if (w != "" || always) && w != g {
			diffs = append(diffs, fmt.Sprintf("  want %s %q, got %q", field, w, g))
		}
	}
	check("error", want.Error, got.Error, true)
	check("listener", want.Listener, got.Listener, false)
	check("filterChain", want.FilterChain, got.FilterChain, false)
	check("routeConfig", want.RouteConfig, got.RouteConfig, false)
	check("virtualHost", want.VirtualHost, got.VirtualHost, false)
	check("route", want.Route, got.Route, false)
	check("cluster", want.Cluster, got.Cluster, want.Error == "")
	check("upstreamTLS", want.UpstreamTLS, got.UpstreamTLS, false)
	check("upstreamSNI", want.UpstreamSNI, got.UpstreamSNI, false)
	check("downstreamTLS", want.DownstreamTLS, got.DownstreamTLS, false)
	check("routeAction", want.RouteAction, got.RouteAction, false)
	return strings.Join(diffs, "\n")
}

// downstreamTLS says how the filter chain a call matched terminates TLS, from its
// DownstreamTlsContext: the SDS certificates (kubernetes:// dropped), the TLS versions min..max,
// the cipher suites, and for mutual TLS whether a client certificate is required and the
// subject alternative names it must carry. The chain is found by name, or by the call's SNI
// where gateway chains share a name.
func downstreamTLS(t *testing.T, sim *simulation.Simulation, listenerName, chainName, sni string) string {
	l := xdstest.ExtractListener(listenerName, sim.Listeners)
	var chain *listener.FilterChain
	for _, fc := range l.GetFilterChains() {
		if fc.GetName() == chainName && slices.Contains(fc.GetFilterChainMatch().GetServerNames(), sni) {
			chain = fc
		}
	}
	if chain == nil || chain.GetTransportSocket() == nil {
		return "no TLS"
	}
	ctx := &tlsv3.DownstreamTlsContext{}
	if err := chain.GetTransportSocket().GetTypedConfig().UnmarshalTo(ctx); err != nil {
		return "unreadable: " + err.Error()
	}
	common := ctx.GetCommonTlsContext()
	var certs []string
	for _, sds := range common.GetTlsCertificateSdsSecretConfigs() {
		certs = append(certs, strings.TrimPrefix(sds.GetName(), "kubernetes://"))
	}
	params := common.GetTlsParams()
	parts := []string{
		"certs: " + strings.Join(certs, ", "),
		params.GetTlsMinimumProtocolVersion().String() + ".." + params.GetTlsMaximumProtocolVersion().String(),
	}
	if ciphers := params.GetCipherSuites(); len(ciphers) > 0 {
		parts = append(parts, "ciphers: "+strings.Join(ciphers, ", "))
	}
	if ctx.GetRequireClientCertificate().GetValue() {
		parts = append(parts, "client certificate required")
	}
	var sans []string
	validation := common.GetCombinedValidationContext().GetDefaultValidationContext()
	for _, m := range validation.GetMatchTypedSubjectAltNames() {
		sans = append(sans, m.GetMatcher().GetExact())
	}
	for _, m := range validation.GetMatchSubjectAltNames() { //nolint:staticcheck // what Istio writes for a gateway
		sans = append(sans, m.GetExact())
	}
	if len(sans) > 0 {
		parts = append(parts, "SANs: "+strings.Join(sans, ", "))
	}
	return strings.Join(parts, "; ")
}

// upstreamTLS says how a cluster talks to its endpoints: DISABLE, SIMPLE, MUTUAL, ISTIO_MUTUAL (the
// workload certificate, SDS secret "default"), or AUTO (Istio's automatic mTLS: transport socket
// matches decided per endpoint).
func upstreamTLS(c *cluster.Cluster) (mode, sni string) {
	if ts := c.GetTransportSocket(); ts != nil {
		ctx := &tlsv3.UpstreamTlsContext{}
		if err := ts.GetTypedConfig().UnmarshalTo(ctx); err != nil {
			return "unreadable: " + err.Error(), ""
		}
		return tlsMode(ctx), ctx.GetSni()
	}
	if len(c.GetTransportSocketMatches()) > 0 {
		for _, m := range c.GetTransportSocketMatches() {
			if m.GetTransportSocket() == nil {
				continue
			}
			ctx := &tlsv3.UpstreamTlsContext{}
			if err := m.GetTransportSocket().GetTypedConfig().UnmarshalTo(ctx); err == nil {
				if tlsMode(ctx) == "ISTIO_MUTUAL" {
					return "AUTO", ctx.GetSni()
				}
				return "AUTO " + tlsMode(ctx), ctx.GetSni()
			}
		}
		return "AUTO", ""
	}
	return "DISABLE", ""
}

func tlsMode(ctx *tlsv3.UpstreamTlsContext) string {
	certs := ctx.GetCommonTlsContext().GetTlsCertificateSdsSecretConfigs()
	switch {
	case len(certs) > 0 && certs[0].GetName() == "default":
		return "ISTIO_MUTUAL"
	case len(certs) > 0 || len(ctx.GetCommonTlsContext().GetTlsCertificates()) > 0:
		return "MUTUAL"
	default:
		return "SIMPLE"
	}
}

// proxyVersion is the proxies' Istio version: the same as the control plane in go.mod (its VERSION
// file), as after an upgrade. Istio's fake would otherwise take 1.23, which changes some config.
const proxyVersion = "1.31.0"

// gatewayProxy is a gateway pod: a Router proxy with the generated pod template's labels, in the
// generated workload's namespace.
func gatewayProxy(t *testing.T, w *world, name string) *model.Proxy {
	t.Helper()
	var gw *object
	for i, o := range w.gateways {
		if name == "" || o.Metadata.Name == name {
			if gw != nil {
				t.Fatalf("more than one generated gateway workload (%s, %s): name one with `gateway:` in traffic.yaml", gw, o)
			}
			gw = &w.gateways[i]
		}
	}
	if gw == nil {
		t.Fatalf("no generated Deployment or DaemonSet named %q among %v", name, w.gateways)
	}
	proxy, err := genGatewayProxy(*gw)
	if err != nil {
		t.Fatal(err)
	}
	return proxy
}

// sidecarProxy is an application pod with a sidecar in namespace.
func sidecarProxy(namespace string) *model.Proxy {
	labels := map[string]string{"app": "client"}
	return &model.Proxy{
		Type:            model.SidecarProxy,
		ID:              "client-pod." + namespace,
		ConfigNamespace: namespace,
		Labels:          labels,
		IPAddresses:     []string{"10.244.1.20"},
		Metadata: &model.NodeMetadata{
			IstioVersion: proxyVersion,
			Namespace:    namespace,
			Labels:       labels,
		},
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// routeAction says what the route a call matched does besides naming one cluster, which the
// simulator leaves out of its result: the path rewrite, the timeout, the retries, and for a
// weighted route its clusters and weights. The route is found by its route configuration,
// virtual host and name (Istio's HTTPRoute name).
func routeAction(sim *simulation.Simulation, routeConfig, virtualHost, name string) string {
	rc := xdstest.ExtractRouteConfigurations(sim.Routes)[routeConfig]
	for _, vh := range rc.GetVirtualHosts() {
		if vh.GetName() != virtualHost {
			continue
		}
		for _, r := range vh.GetRoutes() {
			if r.GetName() != name {
				continue
			}
			a := r.GetRoute()
			var parts []string
			if a.GetPrefixRewrite() != "" {
				parts = append(parts, "rewrite "+a.GetPrefixRewrite())
			}
			if a.GetRegexRewrite() != nil {
				parts = append(parts, "regex rewrite "+a.GetRegexRewrite().GetPattern().GetRegex()+" to "+a.GetRegexRewrite().GetSubstitution())
			}
			if a.GetTimeout() != nil {
				parts = append(parts, "timeout "+a.GetTimeout().AsDuration().String())
			}
			if p := a.GetRetryPolicy(); p != nil && p.GetNumRetries().GetValue() > 0 {
				parts = append(parts, fmt.Sprintf("retries %d (per try %s, on %s)", p.GetNumRetries().GetValue(), p.GetPerTryTimeout().AsDuration(), p.GetRetryOn()))
			}
			if w := a.GetWeightedClusters(); w != nil {
				var split []string
				for _, c := range w.GetClusters() {
					split = append(split, fmt.Sprintf("%s: %d", c.GetName(), c.GetWeight().GetValue()))
				}
				parts = append(parts, "weighted: "+strings.Join(split, ", "))
			}
			return strings.Join(parts, "; ")
		}
	}
	return "no route " + name + " in " + routeConfig + " " + virtualHost
}

// addressed are the listeners with a socket address: xdstest's listener checks read every
// listener's address, and a waypoint proxy (Istio's ambient east-west gateway) also has internal
// listeners (the HBONE tunnel's inner side), which have none.
func addressed(listeners []*listener.Listener) []*listener.Listener {
	var out []*listener.Listener
	for _, l := range listeners {
		if l.GetAddress() != nil {
			out = append(out, l)
		}
	}
	return out
}
