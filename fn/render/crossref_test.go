package render_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/gatewaypattern/gateway-pattern/krm"
)

// TestCrossReferences checks, over every golden output, the failure modes the seed document warns
// about: a Gateway selector that matches no pod, a server port the Service does not expose, a
// VirtualService bound to a Gateway that does not exist or that does not serve its hosts.
func TestCrossReferences(t *testing.T) {
	checkedGateways := 0
	for file, items := range goldenOutputs(t) {
		for owner, objects := range byOwner(items) {
			t.Run(filepath.Base(filepath.Dir(file))+"/"+owner, func(t *testing.T) {
				for _, problem := range crossReferenceProblems(objects) {
					t.Error(problem)
				}
			})
			checkedGateways += len(ofKind(objects, "Gateway"))
		}
	}
	require.Positive(t, checkedGateways, "no Gateway found in any golden output: the check checked nothing")
}

func byOwner(items []*yaml.RNode) map[string][]*yaml.RNode {
	owners := map[string][]*yaml.RNode{}
	for _, item := range items {
		if owner := item.GetAnnotations()[krm.OwnerAnnotation]; owner != "" {
			owners[owner] = append(owners[owner], item)
		}
	}
	return owners
}

func ofKind(objects []*yaml.RNode, kind string) []*yaml.RNode {
	var out []*yaml.RNode
	for _, o := range objects {
		if o.GetKind() == kind {
			out = append(out, o)
		}
	}
	return out
}

func crossReferenceProblems(objects []*yaml.RNode) []string {
	var problems []string
	var podLabels map[string]string
	for _, kind := range []string{"Deployment", "DaemonSet"} {
		for _, w := range ofKind(objects, kind) {
			podLabels = mapOf(w, "spec", "template", "metadata", "labels")
		}
	}
	var servicePorts []int
	for _, svc := range ofKind(objects, "Service") {
		ports, _ := svc.Pipe(yaml.Lookup("spec", "ports"))
		for _, p := range ports.Content() {
			servicePorts = append(servicePorts, intOf(yaml.NewRNode(p), "port"))
		}
	}
	gateways := map[string][]*yaml.RNode{} // gateway name -> its servers
	for _, g := range ofKind(objects, "Gateway") {
		for k, v := range mapOf(g, "spec", "selector") {
			if podLabels[k] != v {
				problems = append(problems, fmt.Sprintf("Gateway %s selects %s=%s, but the pods are labelled %s=%q", g.GetName(), k, v, k, podLabels[k]))
			}
		}
		servers, _ := g.Pipe(yaml.Lookup("spec", "servers"))
		for _, s := range servers.Content() {
			server := yaml.NewRNode(s)
			gateways[g.GetName()] = append(gateways[g.GetName()], server)
			if port := intOf(server, "port", "number"); len(ofKind(objects, "Service")) > 0 && !slices.Contains(servicePorts, port) {
				problems = append(problems, fmt.Sprintf("Gateway %s listens on port %d, which the Service does not expose (%v)", g.GetName(), port, servicePorts))
			}
		}
	}
	for _, vs := range ofKind(objects, "VirtualService") {
		hosts := stringsOf(vs, "spec", "hosts")
		for _, gw := range stringsOf(vs, "spec", "gateways") {
			if gw == "mesh" {
				continue
			}
			servers, ok := gateways[gw[strings.LastIndex(gw, "/")+1:]]
			if !ok {
				problems = append(problems, fmt.Sprintf("VirtualService %s is bound to Gateway %s, which is not generated", vs.GetName(), gw))
				continue
			}
			for _, h := range hosts {
				served := slices.ContainsFunc(servers, func(s *yaml.RNode) bool {
					return slices.ContainsFunc(stringsOf(s, "hosts"), func(sh string) bool { return krm.HostServes(sh, h) })
				})
				if !served {
					problems = append(problems, fmt.Sprintf("VirtualService %s routes %s, which Gateway %s does not serve", vs.GetName(), h, gw))
				}
			}
		}
	}
	problems = append(problems, eastWestProblems(objects, gateways)...)
	return append(problems, egressChainProblems(objects, gateways, servicePorts)...)
}

// eastWestProblems: AUTO_PASSTHROUGH only on a TLS server, and the network label of the pods, the
// Service's network label and the proxy's ISTIO_META_REQUESTED_NETWORK_VIEW agree.
func eastWestProblems(objects []*yaml.RNode, gateways map[string][]*yaml.RNode) []string {
	var problems []string
	for name, servers := range gateways {
		for _, s := range servers {
			if stringOf(s, "tls", "mode") == "AUTO_PASSTHROUGH" && stringOf(s, "port", "protocol") != "TLS" {
				problems = append(problems, fmt.Sprintf("Gateway %s: AUTO_PASSTHROUGH on a %s server", name, stringOf(s, "port", "protocol")))
			}
		}
	}
	const networkLabel = "topology.istio.io/network"
	for _, kind := range []string{"Deployment", "DaemonSet"} {
		for _, w := range ofKind(objects, kind) {
			podNetwork := mapOf(w, "spec", "template", "metadata", "labels")[networkLabel]
			envNetwork := ""
			env, _ := w.Pipe(yaml.Lookup("spec", "template", "spec", "containers", "0", "env"))
			if env != nil {
				for _, e := range env.Content() {
					if v := yaml.NewRNode(e); stringOf(v, "name") == "ISTIO_META_REQUESTED_NETWORK_VIEW" {
						envNetwork = stringOf(v, "value")
					}
				}
			}
			serviceNetwork := ""
			for _, svc := range ofKind(objects, "Service") {
				serviceNetwork = svc.GetLabels()[networkLabel]
			}
			if podNetwork != envNetwork || (len(ofKind(objects, "Service")) > 0 && podNetwork != serviceNetwork) {
				problems = append(problems, fmt.Sprintf("%s %s: network label %q, Service network label %q and ISTIO_META_REQUESTED_NETWORK_VIEW %q disagree", kind, w.GetName(), podNetwork, serviceNetwork, envNetwork))
			}
		}
	}
	return problems
}

// egressChainProblems checks the egress chain: every ServiceEntry host has a VirtualService bound
// to both the mesh and the Gateway; the mesh hop goes to the generated Service's FQDN on a port it
// exposes; the Gateway accepts the host on that port; a subset the hop names is defined by a
// DestinationRule for the Service.
func egressChainProblems(objects []*yaml.RNode, gateways map[string][]*yaml.RNode, servicePorts []int) []string {
	if isGatewayAPI(objects) {
		if len(ofKind(objects, "ServiceEntry")) == 0 {
			return nil
		}
		return gatewayAPIEgressProblems(objects, servicePorts)
	}
	var problems []string
	var fqdn string
	for _, svc := range ofKind(objects, "Service") {
		fqdn = svc.GetName() + "." + svc.GetNamespace() + ".svc.cluster.local"
	}
	subsets := map[string]bool{}
	for _, dr := range ofKind(objects, "DestinationRule") {
		host := stringOf(dr, "spec", "host")
		list, _ := dr.Pipe(yaml.Lookup("spec", "subsets"))
		if list == nil {
			continue
		}
		for _, s := range list.Content() {
			subsets[host+"/"+stringOf(yaml.NewRNode(s), "name")] = true
		}
	}
	for _, se := range ofKind(objects, "ServiceEntry") {
		for _, host := range stringsOf(se, "spec", "hosts") {
			var vs *yaml.RNode
			for _, v := range ofKind(objects, "VirtualService") {
				if slices.Contains(stringsOf(v, "spec", "hosts"), host) {
					vs = v
				}
			}
			bound := []string{}
			if vs != nil {
				bound = stringsOf(vs, "spec", "gateways")
			}
			var gatewayName string
			for name := range gateways {
				gatewayName = name
			}
			if !slices.Contains(bound, "mesh") || !slices.Contains(bound, gatewayName) {
				problems = append(problems, fmt.Sprintf("ServiceEntry host %s: no VirtualService bound to both mesh and Gateway %s (bound: %v)", host, gatewayName, bound))
				continue
			}
			for _, kind := range []string{"http", "tls", "tcp"} {
				routes, _ := vs.Pipe(yaml.Lookup("spec", kind))
				if routes == nil {
					continue
				}
				for _, r := range routes.Content() {
					rule := yaml.NewRNode(r)
					if !slices.Contains(stringsOf(rule, "match", "0", "gateways"), "mesh") {
						continue
					}
					dest, _ := rule.Pipe(yaml.Lookup("route", "0", "destination"))
					port := intOf(dest, "port", "number")
					if got := stringOf(dest, "host"); got != fqdn {
						problems = append(problems, fmt.Sprintf("%s: the mesh hop for %s goes to %s, not the gateway Service %s", vs.GetName(), host, got, fqdn))
					}
					if !slices.Contains(servicePorts, port) {
						problems = append(problems, fmt.Sprintf("%s: the mesh hop for %s uses port %d, which the Service does not expose", vs.GetName(), host, port))
					}
					accepts := slices.ContainsFunc(gateways[gatewayName], func(s *yaml.RNode) bool {
						return intOf(s, "port", "number") == port && slices.ContainsFunc(stringsOf(s, "hosts"), func(sh string) bool { return krm.HostServes(sh, host) })
					})
					if !accepts {
						problems = append(problems, fmt.Sprintf("Gateway %s does not accept %s on port %d", gatewayName, host, port))
					}
					if subset := stringOf(dest, "subset"); subset != "" && !subsets[fqdn+"/"+subset] {
						problems = append(problems, fmt.Sprintf("%s: the mesh hop for %s names subset %s, which no DestinationRule for %s defines", vs.GetName(), host, subset, fqdn))
					}
				}
			}
		}
	}
	return problems
}

func stringOf(node *yaml.RNode, path ...string) string {
	v, err := node.Pipe(yaml.Lookup(path...))
	if err != nil || v == nil {
		return ""
	}
	return v.YNode().Value
}

func mapOf(node *yaml.RNode, path ...string) map[string]string {
	m, err := node.Pipe(yaml.Lookup(path...))
	if err != nil || m == nil {
		return nil
	}
	out := map[string]string{}
	_ = m.VisitFields(func(f *yaml.MapNode) error {
		out[f.Key.YNode().Value] = f.Value.YNode().Value
		return nil
	})
	return out
}

func stringsOf(node *yaml.RNode, path ...string) []string {
	list, err := node.Pipe(yaml.Lookup(path...))
	if err != nil || list == nil {
		return nil
	}
	var out []string
	for _, n := range list.Content() {
		out = append(out, n.Value)
	}
	return out
}

func intOf(node *yaml.RNode, path ...string) int {
	v, err := node.Pipe(yaml.Lookup(path...))
	if err != nil || v == nil {
		return -1
	}
	var i int
	_ = v.YNode().Decode(&i)
	return i
}

// TestCrossReferencesCatchMistakes feeds the check the seed document's own mistakes, so that it is
// known to fail when it should: the seed's Gateway selects istio: egressgateway, but the chart
// labels the pods of release istio-egress with istio: egress.
func TestCrossReferencesCatchMistakes(t *testing.T) {
	objects, err := (&kio.ByteReader{Reader: strings.NewReader(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: istio-egress}
spec:
  template:
    metadata:
      labels: {app: istio-egress, istio: egress, topology.istio.io/network: network1}
---
apiVersion: v1
kind: Service
metadata: {name: istio-egress}
spec:
  ports: [{name: http2, port: 80}]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: istio-egressgateway}
spec:
  selector: {istio: egressgateway}
  servers:
  - port: {number: 443, name: tls, protocol: HTTPS}
    tls: {mode: AUTO_PASSTHROUGH}
    hosts: [google.com]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: google-route}
spec:
  hosts: [google.com, www.google.com]
  gateways: [mesh, istio-egressgateway, missing-gateway]
`)}).Read()
	require.NoError(t, err)
	require.Equal(t, []string{
		`Gateway istio-egressgateway selects istio=egressgateway, but the pods are labelled istio="egress"`,
		"Gateway istio-egressgateway listens on port 443, which the Service does not expose ([80])",
		"VirtualService google-route routes www.google.com, which Gateway istio-egressgateway does not serve",
		"VirtualService google-route is bound to Gateway missing-gateway, which is not generated",
		"Gateway istio-egressgateway: AUTO_PASSTHROUGH on a HTTPS server",
		`Deployment istio-egress: network label "network1", Service network label "" and ISTIO_META_REQUESTED_NETWORK_VIEW "" disagree`,
	}, crossReferenceProblems(objects))
}

// TestEgressChainCatchesMistakes: the seed document's VirtualService, applied beside a chart
// release named istio-egress, sends the mesh hop to a Service that does not exist, and names a
// subset no DestinationRule defines.
func TestEgressChainCatchesMistakes(t *testing.T) {
	objects, err := (&kio.ByteReader{Reader: strings.NewReader(`
apiVersion: v1
kind: Service
metadata: {name: istio-egress, namespace: istio-system}
spec:
  ports: [{name: http2, port: 80}]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: istio-egress}
spec:
  selector: {}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [google.com]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: google-external}
spec:
  hosts: [google.com, www.google.com]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: google-route}
spec:
  hosts: [google.com]
  gateways: [mesh, istio-egress]
  http:
  - match: [{gateways: [mesh], port: 80}]
    route: [{destination: {host: istio-egressgateway.istio-system.svc.cluster.local, subset: google, port: {number: 80}}}]
`)}).Read()
	require.NoError(t, err)
	require.Equal(t, []string{
		"google-route: the mesh hop for google.com goes to istio-egressgateway.istio-system.svc.cluster.local, not the gateway Service istio-egress.istio-system.svc.cluster.local",
		"google-route: the mesh hop for google.com names subset google, which no DestinationRule for istio-egress.istio-system.svc.cluster.local defines",
		"ServiceEntry host www.google.com: no VirtualService bound to both mesh and Gateway istio-egress (bound: [])",
	}, crossReferenceProblems(objects))
}

// TestExportTo checks, over every golden output, that every VirtualService, DestinationRule and
// ServiceEntry says who sees it (issue 13 item 10), never leaving it to the mesh's default: what
// only the gateway uses stays in its namespace ("."), what sidecars use is seen everywhere ("*"),
// or, with spec.egress.exportTo, by the gateway's namespace first and the listed ones, the same
// list on every object sidecars use.
func TestExportTo(t *testing.T) {
	checked := 0
	for file, items := range goldenOutputs(t) {
		for _, objects := range byOwner(items) {
			var sidecarsSee []string // the exportTo of the first object sidecars use
			// Behind an ambient waypoint, a DestinationRule (TLS origination) is the waypoint's
			// own: ztunnels read none.
			waypoint := slices.ContainsFunc(ofKind(objects, "Gateway"), func(g *yaml.RNode) bool {
				class, _ := g.Pipe(yaml.Lookup("spec", "gatewayClassName"))
				return class != nil && yaml.GetValue(class) == "istio-waypoint"
			})
			for _, o := range objects {
				var want string
				switch o.GetKind() {
				case "ServiceEntry":
					want = "*" // sidecars must know the external host
				case "VirtualService":
					want = "." // bound to the gateway alone
					if slices.Contains(stringsOf(o, "spec", "gateways"), "mesh") {
						want = "*" // its mesh hop is for every sidecar
					}
				case "DestinationRule":
					want = "*" // the hop sidecars take to the gateway
					if selector, _ := o.Pipe(yaml.Lookup("spec", "workloadSelector")); selector != nil || waypoint {
						want = "." // the gateway's or the waypoint's own (TLS origination)
					}
				default:
					continue
				}
				checked++
				got := stringsOf(o, "spec", "exportTo")
				if want == "*" && len(got) > 1 {
					// A narrowed list: the gateway's namespace, then namespaces, no "*", and the
					// same on every object sidecars use.
					require.Equal(t, ".", got[0], "%s: %s %s", file, o.GetKind(), o.GetName())
					require.NotContains(t, got, "*", "%s: %s %s", file, o.GetKind(), o.GetName())
					if sidecarsSee == nil {
						sidecarsSee = got
					}
					require.Equal(t, sidecarsSee, got, "%s: %s %s", file, o.GetKind(), o.GetName())
					continue
				}
				if want == "*" {
					if sidecarsSee == nil {
						sidecarsSee = got
					}
					require.Equal(t, sidecarsSee, got, "%s: %s %s", file, o.GetKind(), o.GetName())
				}
				require.Equal(t, []string{want}, got, "%s: %s %s", file, o.GetKind(), o.GetName())
			}
		}
	}
	require.Positive(t, checked)
}

// TestLockdownPolicyAdmitsTheGatewayPorts checks, over every golden output with a lockdown, that
// each NetworkPolicy admits the egress gateway's pods on exactly the container ports the
// sidecars' hops arrive on: the targetPorts of the gateway Service's ports that its Gateway
// listens on (a NetworkPolicy sees pod ports, after the Service's DNAT). It reads the emitted
// Service and Gateway, not the GatewayPattern.
func TestLockdownPolicyAdmitsTheGatewayPorts(t *testing.T) {
	checked := 0
	for file, items := range goldenOutputs(t) {
		for _, objects := range byOwner(items) {
			policies := ofKind(objects, "NetworkPolicy")
			gateways, services := ofKind(objects, "Gateway"), ofKind(objects, "Service")
			if len(policies) == 0 || len(gateways) != 1 || len(services) != 1 {
				continue
			}
			var listened []string
			if strings.HasPrefix(gateways[0].GetApiVersion(), "gateway.networking.k8s.io/") {
				// A Gateway API Gateway bound to the chart's Service listens on its ports.
				listeners, err := gateways[0].Pipe(yaml.Lookup("spec", "listeners"))
				require.NoError(t, err)
				for _, l := range listeners.Content() {
					listened = append(listened, yaml.GetValue(yaml.NewRNode(l).Field("port").Value))
				}
			} else {
				servers, err := gateways[0].Pipe(yaml.Lookup("spec", "servers"))
				require.NoError(t, err)
				for _, s := range servers.Content() {
					listened = append(listened, yaml.GetValue(yaml.NewRNode(s).Field("port").Value.Field("number").Value))
				}
			}
			var want []string
			ports, err := services[0].Pipe(yaml.Lookup("spec", "ports"))
			require.NoError(t, err)
			for _, p := range ports.Content() {
				port := yaml.NewRNode(p)
				if slices.Contains(listened, yaml.GetValue(port.Field("port").Value)) {
					want = append(want, yaml.GetValue(port.Field("targetPort").Value))
				}
			}
			slices.Sort(want)
			app := services[0].GetLabels()["app"]
			for _, np := range policies {
				rules, err := np.Pipe(yaml.Lookup("spec", "egress"))
				require.NoError(t, err)
				var got []string
				for _, r := range rules.Content() {
					rule := yaml.NewRNode(r)
					pods, _ := rule.Pipe(yaml.Lookup("to", "0", "podSelector", "matchLabels", "app"))
					if pods == nil || yaml.GetValue(pods) != app {
						continue
					}
					rulePorts, err := rule.Pipe(yaml.Lookup("ports"))
					require.NoError(t, err)
					for _, p := range rulePorts.Content() {
						got = append(got, yaml.GetValue(yaml.NewRNode(p).Field("port").Value))
					}
				}
				require.Equal(t, want, got, "%s: NetworkPolicy %s/%s", file, np.GetNamespace(), np.GetName())
				checked++
			}
		}
	}
	require.Positive(t, checked)
}

// goldenOutputs reads every golden output (testdata/*/expected.yaml) with kyaml, by file.
func goldenOutputs(t *testing.T) map[string][]*yaml.RNode {
	t.Helper()
	files, err := filepath.Glob("../../testdata/*/expected.yaml")
	require.NoError(t, err)
	out := make(map[string][]*yaml.RNode, len(files))
	for _, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		items, err := (&kio.ByteReader{Reader: bytes.NewReader(data)}).Read()
		require.NoError(t, err)
		out[file] = items
	}
	return out
}
