package traffic

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"

	yaml3 "go.yaml.in/yaml/v3"
	corev1 "k8s.io/api/core/v1"

	"istio.io/istio/pilot/pkg/simulation"
	"istio.io/istio/pilot/test/xds"
	"istio.io/istio/pkg/config/mesh"

	"github.com/gatewaypattern/gateway-pattern/fn/explain"
	"github.com/gatewaypattern/gateway-pattern/krm"
)

// explainedCall is one hop of a path the function explains (fn/explain, its info results and
// --explain), as a call to simulate, and what the line says the hop reaches.
type explainedCall struct {
	Call
	line    string // the explained path, for messages
	gateway string // the generated gateway workload a gateway hop arrives at
	// refused: the line says the proxy answers 404 or refuses the connection; any of the
	// simulator's refusals agrees. closed: nothing listens on the port.
	refused, closed bool
	// asItCame: the line says the proxy sends the connection on without TLS of its own (plain,
	// or the client's TLS untouched): the cluster's upstream TLS must be DISABLE, or Istio's
	// automatic mTLS (AUTO), which the gateway's own pods never trigger.
	asItCame bool
}

var (
	refusals = []string{"no virtual host matched", "no route matched", "no filter chains matched"}
	closings = []string{"no listener matched", errNotExposed}
)

// explainedCalls explains the generated objects of each GatewayPattern in a golden output, as
// the function does, and turns every hop of every path into a call. A path the explanation could
// not follow (no hops), or an AUTO_PASSTHROUGH hop with no application Service to name in its SNI,
// is returned in skipped.
func explainedCalls(objs []object, apps []AppService) (calls []explainedCall, skipped []string, err error) {
	owners := map[string][]*yaml3.Node{}
	var order []string
	gateways := map[string]string{}
	var services []*yaml3.Node // the build's Services, as the function passes them to explain.Paths
	for _, o := range objs {
		var doc yaml3.Node
		if err := yaml3.Unmarshal(o.raw, &doc); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", o, err)
		}
		node := doc.Content[0]
		if o.Metadata.Labels[managedByLabel] != managedByValue {
			if o.APIVersion == "v1" && o.Kind == "Service" && stringAt(node, "metadata", "annotations", "config.kubernetes.io/local-config") != "true" {
				services = append(services, node)
			}
			continue
		}
		owner := stringAt(node, "metadata", "annotations", krm.OwnerAnnotation)
		if _, seen := owners[owner]; !seen {
			order = append(order, owner)
		}
		owners[owner] = append(owners[owner], node)
		if o.Kind == "Deployment" || o.Kind == "DaemonSet" {
			gateways[owner] = o.Metadata.Name
		}
	}
	for _, owner := range order {
		for _, p := range explain.Paths(owners[owner], services) {
			if len(p.Hops) == 0 {
				skipped = append(skipped, p.String())
				continue
			}
			for i, h := range p.Hops {
				c, ok := callOf(h, apps)
				if !ok {
					skipped = append(skipped, p.String())
					continue
				}
				c.Name = fmt.Sprintf("hop %d (%s) of: %s", i+1, h.Proxy, p.Route)
				c.line, c.gateway = p.String(), gateways[owner]
				calls = append(calls, c)
			}
		}
	}
	return calls, skipped, nil
}

// callOf is the call a hop describes, with what it must reach.
func callOf(h explain.Hop, apps []AppService) (explainedCall, bool) {
	c := explainedCall{Call: Call{
		Proxy:    h.Proxy,
		Port:     int(h.Port),
		Protocol: h.Protocol,
		TLS:      h.TLS,
		SNI:      anyName(h.SNI),
		Host:     anyName(h.Host),
		Path:     h.Path,
		Address:  h.Address,
	}}
	if c.Proxy == proxySidecar {
		c.Namespace = "default"
		if len(h.Namespaces) > 0 {
			c.Namespace = h.Namespaces[0] // exported to some namespaces only: call from one of them
		}
	}
	if c.TLS == "" {
		c.TLS = "plaintext"
	}
	if strings.HasPrefix(h.Path, "/<") && strings.HasSuffix(h.Path, ">") {
		// A regex match: explain names the pattern (/<regex>), not a request path, so there is
		// no call to make; traffic.yaml's calls send paths the regex takes and refuses.
		return c, false
	}
	switch {
	case h.BySNI:
		// AUTO_PASSTHROUGH: the SNI names a service; take one the expectations declare.
		if len(apps) == 0 {
			return c, false
		}
		a := apps[0]
		c.SNI = fmt.Sprintf("outbound_.%d_._.%s.%s.svc.cluster.local", a.Ports[0].Port, a.Name, a.Namespace)
		c.Host = ""
		c.Want.Cluster = c.SNI
	case h.Answer == explain.AnswerRedirect:
		c.Want.Error = "tls required, sending 301"
	case h.Answer == explain.AnswerNotFound:
		c.refused = true
	case h.Answer == explain.AnswerClosed:
		c.closed = true
	case h.Answer == explain.AnswerNoCluster:
		// The route names a cluster the proxy does not have: Envoy answers 503.
		c.Want.Cluster = fmt.Sprintf("outbound|%d|%s|%s", h.To.Port, h.To.Subset, h.To.Host)
		c.Want.Error = errClusterMissing
	default:
		c.Want.Cluster = fmt.Sprintf("outbound|%d|%s|%s", h.To.Port, h.To.Subset, h.To.Host)
		c.Want.UpstreamTLS, c.Want.UpstreamSNI = h.UpstreamTLS, h.UpstreamSNI
		c.asItCame = h.UpstreamTLS == ""
	}
	return c, true
}

// anyName is a name a wildcard host stands for: *.example.com -> w1.example.com, * -> any.example.
func anyName(host string) string {
	if host == "*" {
		return "any.example"
	}
	return concrete(host)
}

func (c explainedCall) compare(got observed) string {
	if c.refused {
		// A TLS server no route answers has no filter chain; when it is the only server on
		// its port, Istio opens no listener at all: refused either way.
		if slices.Contains(refusals, got.Error) || (c.TLS != "plaintext" && got.Error == "no listener matched") {
			return ""
		}
		return fmt.Sprintf("  the line says it is refused (404 or no filter chain), got %s", got)
	}
	if c.closed {
		if slices.Contains(closings, got.Error) {
			return ""
		}
		return fmt.Sprintf("  the line says nothing listens on the port, got %s", got)
	}
	diff := compare(c.Want, got)
	if diff == "" && c.asItCame && got.UpstreamTLS != "DISABLE" && got.UpstreamTLS != "AUTO" {
		diff = fmt.Sprintf("  the line says the connection goes on as it came, got upstream TLS %q", got.UpstreamTLS)
	}
	return diff
}

func stringAt(n *yaml3.Node, path ...string) string {
	for _, key := range path {
		if n == nil || n.Kind != yaml3.MappingNode {
			return ""
		}
		var next *yaml3.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				next = n.Content[i+1]
			}
		}
		n = next
	}
	if n == nil {
		return ""
	}
	return n.Value
}

// TestExplainedPaths proves that what the function explains is what Istio does: for every golden
// output and example, every hop of every path fn/explain states is simulated in Istio's pilot and
// must reach what the line says (the destination with its subset, port and upstream TLS and SNI, a
// 301, a refusal, or a 503 for a route to a Service of the build without the routed port). Where the golden's traffic.yaml makes the same call, the two must agree too.
func TestExplainedPaths(t *testing.T) {
	var paths, hops, agreed int
	var skipped []string
	for _, g := range goldens(t) {
		t.Run(g.name, func(t *testing.T) {
			exp, err := ReadExpectations(g.expectations)
			if errors.Is(err, fs.ErrNotExist) {
				t.Skipf("no %s (TestTraffic fails for it)", g.expectations)
			}
			if err != nil {
				t.Fatal(err)
			}
			// A twin's Services (istiod, the applications) exist beside this output too, and its
			// calls are this output's as well.
			if _, err := twinCalls(g, exp); err != nil {
				t.Fatal(err)
			}
			objs := g.objects(t)
			calls, skip, err := explainedCalls(objs, exp.Services)
			if err != nil {
				t.Fatal(err)
			}
			skipped = append(skipped, skip...)
			lines := map[string]bool{}
			for _, c := range calls {
				lines[c.line] = true
			}
			paths += len(lines)
			if len(calls) == 0 && len(skip) > 0 && !slices.ContainsFunc(skip, func(s string) bool { return !strings.Contains(s, "the paths through a waypoint") }) {
				// Ambient egress: the paths go through a waypoint, over HBONE, which the simulator
				// does not follow; TestWaypointEgress checks what istiod serves the waypoint.
				t.Skipf("only paths through a waypoint, which the simulator does not follow: %v", skip)
			}
			if len(calls) == 0 {
				if len(skip) > 0 && allHBONE(skip) {
					// Istio's ambient east-west gateway: its one path is an HBONE tunnel, which
					// the simulator does not follow (traffic.yaml shows its 15008 listener).
					t.Logf("only HBONE paths, not simulated: %s", strings.Join(skip, " | "))
					return
				}
				t.Fatal("the output explains no path that can be simulated")
			}
			w, err := buildWorld(objs, exp.Services)
			if err != nil {
				t.Fatal(err)
			}
			s := newFakeIstiod(t, w, mesh.DefaultMeshConfig())
			for _, problem := range simulateExplained(t, s, w, calls) {
				t.Error(problem)
			}
			hops += len(calls)
			for _, c := range calls {
				if tc, ok := sameCall(exp.Calls, c); ok {
					agreed++
					if want := c.Want; tc.Want.Cluster != want.Cluster || (want.Error != "" && tc.Want.Error != want.Error) ||
						(c.refused && !slices.Contains(refusals, tc.Want.Error)) || (c.closed && !slices.Contains(closings, tc.Want.Error)) {
						t.Errorf("the explanation and %s disagree on the same call:\n  line: %s\n  explained: %+v (refused: %t)\n  traffic.yaml %q: %+v",
							g.expectations, c.line, want, c.refused, tc.Name, tc.Want)
					}
				}
			}
		})
	}
	t.Logf("explained paths: %d paths over %d hops simulated; %d hops are calls traffic.yaml makes too, and agree with it; %d paths not simulated: %s",
		paths, hops, agreed, len(skipped), strings.Join(skipped, " | "))
}

// simulateExplained runs the calls in the fake istiod s and lists every hop that does not reach
// what its line says.
func simulateExplained(t *testing.T, s *xds.FakeDiscoveryServer, w *world, calls []explainedCall) []string {
	var problems []string
	sims := map[string]*simulation.Simulation{}
	for _, c := range calls {
		key := c.Proxy + "/" + c.gateway + "/" + c.Namespace
		sim := sims[key]
		if sim == nil {
			p := sidecarProxy(c.Namespace)
			if c.Proxy == proxyGateway {
				p = gatewayProxy(t, w, c.gateway)
			}
			sim = simulation.NewSimulation(t, s, s.SetupProxy(p))
			sims[key] = sim
		}
		var svc *corev1.Service // the gateway's, which a gateway call goes through
		if c.Proxy == proxyGateway {
			p := gatewayProxy(t, w, c.gateway)
			found, err := gatewayService(w, p.ConfigNamespace, p.Labels)
			if err != nil {
				problems = append(problems, err.Error())
				continue
			}
			svc = found
		}
		got := simulateCall(t, sim, svc, c.Call)
		if diff := c.compare(got); diff != "" {
			problems = append(problems, fmt.Sprintf("%s\n  line: %s\n%s\n  got: %s", c.Name, c.line, diff, got))
		}
	}
	return problems
}

// sameCall finds the call of traffic.yaml that makes the same request as an explained hop (same
// proxy, port, protocol, TLS, SNI, host and path; the mesh's default outbound policy; no known
// defect), if any.
func sameCall(calls []Call, e explainedCall) (Call, bool) {
	for _, c := range calls {
		tls, protocol, path, sni := c.TLS, c.Protocol, c.Path, c.SNI
		if tls == "" {
			tls = "plaintext"
		}
		if protocol == "" {
			protocol = "http"
		}
		if path == "" && protocol == "http" {
			path = "/"
		}
		if sni == "" && tls != "plaintext" {
			sni = c.Host
		}
		host := c.Host
		if protocol == "tcp" {
			host = e.Host // TCP carries no host: not compared
		}
		namespace := c.Namespace
		if namespace == "" && c.Proxy == proxySidecar {
			namespace = "default"
		}
		if c.Proxy == proxySidecar && namespace != e.Namespace {
			continue // exportTo: another namespace's sidecar may not see the route at all
		}
		if c.Proxy == e.Proxy && c.Port == e.Port && c.PodPort == 0 && !c.RegistryOnly && c.KnownDefect == "" &&
			tls == e.TLS && protocol == e.Protocol && sni == e.SNI && host == e.Host && path == e.Path && c.Address == e.Address {
			return c, true
		}
	}
	return Call{}, false
}

// allHBONE reports whether every explained line is an HBONE path (fn/explain says "HBONE from").
func allHBONE(lines []string) bool {
	for _, l := range lines {
		if !strings.HasPrefix(l, "HBONE from ") {
			return false
		}
	}
	return true
}
