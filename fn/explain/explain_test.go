package explain_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"

	"github.com/gatewaypattern/gateway-pattern/fn/explain"
	yn "github.com/gatewaypattern/gateway-pattern/fn/internal/yamlnode"
	"github.com/gatewaypattern/gateway-pattern/fn/render"
	"github.com/gatewaypattern/gateway-pattern/krm"
)

// rendered returns the objects the function emits for a GatewayPattern.
func rendered(t testing.TB, config string) []*yaml.Node {
	t.Helper()
	var tree any
	require.NoError(t, yaml.Unmarshal([]byte(config), &tree))
	gp, values, problems := krm.Load(tree)
	require.Empty(t, problems.Errors)
	return render.Objects(gp, values)
}

const ingress = `
apiVersion: fn.gatewaypattern.dev/v1alpha1
kind: GatewayPattern
metadata: {name: istio-ingressgateway}
spec:
  pattern: Ingress
  ingress:
    servers:
    - {port: 80, hosts: [shop.example.com], httpsRedirect: true}
    - {port: 443, hosts: [shop.example.com], tls: {mode: SIMPLE, credentialName: shop-tls}}
    routes:
    - {hosts: [shop.example.com], prefix: /api, destination: {host: api.shop.svc.cluster.local, port: 8080}}
    - {hosts: [shop.example.com], destination: {host: web.shop.svc.cluster.local, port: 8080}}
`

const egress = `
apiVersion: fn.gatewaypattern.dev/v1alpha1
kind: GatewayPattern
metadata: {name: istio-egress}
spec:
  pattern: Egress
  egress:
    hosts:
    - {host: api.example.com, protocol: HTTPS}
    - {host: edition.cnn.com, port: 80, tlsOrigination: true}
    allowedSources:
    - {namespace: shop}
`

func lines(paths []explain.Path) []string {
	var out []string
	for _, p := range paths {
		out = append(out, p.String())
	}
	return out
}

func TestIngressAndEgressLines(t *testing.T) {
	assert.Equal(t, []string{
		"http://shop.example.com → istio-ingressgateway:80 → 301 to https://shop.example.com; by server http (tls.httpsRedirect)",
		"https://shop.example.com/api → istio-ingressgateway:443 (SIMPLE, shop-tls) → api.shop.svc.cluster.local:8080; by Gateway istio-ingressgateway server https → http[0] (prefix /api)",
		"https://shop.example.com/ → istio-ingressgateway:443 (SIMPLE, shop-tls) → web.shop.svc.cluster.local:8080; by Gateway istio-ingressgateway server https → http[1] (prefix /)",
	}, lines(explain.Paths(rendered(t, ingress), nil)))
	assert.Equal(t, []string{
		"https://api.example.com from shop/* → sidecar → istio-egress:443 (Istio mTLS, SNI api.example.com) → api.example.com:443 (the app's TLS passed through); " +
			"by tls[0] (mesh, port 443) → DestinationRule istio-egress subset api-example-com (ISTIO_MUTUAL) → Gateway istio-egress server tls-api-example-com → tcp[0] (istio-egress, port 443) → ServiceEntry istio-egress-api-example-com (DNS); sources admitted by AuthorizationPolicy istio-egress",
		"http://edition.cnn.com from shop/* → sidecar → istio-egress:443 (Istio mTLS, SNI edition.cnn.com) → edition.cnn.com:443 (TLS originated by the gateway, SNI edition.cnn.com); " +
			"by http[0] (mesh, port 80) → DestinationRule istio-egress subset edition-cnn-com (ISTIO_MUTUAL) → Gateway istio-egress server https-edition-cnn-com → http[1] (istio-egress, port 443) → DestinationRule istio-egress-edition-cnn-com (SIMPLE on 443) → ServiceEntry istio-egress-edition-cnn-com (DNS); sources admitted by AuthorizationPolicy istio-egress",
	}, lines(explain.Paths(rendered(t, egress), nil)))
}

// find returns the emitted object of kind and name.
func find(t *testing.T, objects []*yaml.Node, kind, name string) *yaml.Node {
	t.Helper()
	for _, o := range objects {
		if yn.StringAt(o, "kind") == kind && yn.StringAt(o, "metadata", "name") == name {
			return o
		}
	}
	t.Fatalf("no %s %s emitted", kind, name)
	return nil
}

// set replaces the scalar at path (keys, or sequence indexes as "0", "1", ...) under node.
func set(t *testing.T, node *yaml.Node, value string, path ...string) {
	t.Helper()
	for _, key := range path {
		switch node.Kind {
		case yaml.MappingNode:
			i := yn.IndexOfKey(node, key)
			require.GreaterOrEqual(t, i, 0, "no key %q", key)
			node = node.Content[i+1]
		case yaml.SequenceNode:
			var n int
			_, err := fmt.Sscan(key, &n)
			require.NoError(t, err)
			node = node.Content[n]
		}
	}
	node.Value = value
}

// TestLinesFollowTheObjects changes one field of an emitted object and sees the explanation
// change with it: the lines are read from the objects, not from the GatewayPattern.
func TestLinesFollowTheObjects(t *testing.T) {
	for _, tc := range []struct {
		name, config string
		change       func(t *testing.T, objects []*yaml.Node)
		was, now     string
	}{
		{"ingress route's destination port", ingress, func(t *testing.T, o []*yaml.Node) {
			set(t, find(t, o, "VirtualService", "istio-ingressgateway-shop-example-com"), "9090", "spec", "http", "0", "route", "0", "destination", "port", "number")
		}, "→ api.shop.svc.cluster.local:8080", "→ api.shop.svc.cluster.local:9090"},
		{"ingress server's certificate", ingress, func(t *testing.T, o []*yaml.Node) {
			set(t, find(t, o, "Gateway", "istio-ingressgateway"), "other-tls", "spec", "servers", "1", "tls", "credentialName")
		}, "(SIMPLE, shop-tls)", "(SIMPLE, other-tls)"},
		{"ingress route's prefix", ingress, func(t *testing.T, o []*yaml.Node) {
			set(t, find(t, o, "VirtualService", "istio-ingressgateway-shop-example-com"), "/v2", "spec", "http", "0", "match", "0", "uri", "prefix")
		}, "https://shop.example.com/api →", "https://shop.example.com/v2 →"},
		{"ingress routes in the wrong order", ingress, func(t *testing.T, o []*yaml.Node) {
			http := yn.Lookup(find(t, o, "VirtualService", "istio-ingressgateway-shop-example-com"), "spec", "http")
			http.Content[0], http.Content[1] = http.Content[1], http.Content[0]
		}, "https://shop.example.com/api → istio-ingressgateway:443 (SIMPLE, shop-tls) → api.shop",
			"https://shop.example.com/api → istio-ingressgateway:443 (SIMPLE, shop-tls) → web.shop.svc.cluster.local:8080; by Gateway istio-ingressgateway server https → http[1] (prefix /api), never reached: http[0] (prefix /) takes it first"},
		{"Service port's targetPort", ingress, func(t *testing.T, o []*yaml.Node) {
			set(t, find(t, o, "Service", "istio-ingressgateway"), "8443", "spec", "ports", "2", "targetPort")
		}, "istio-ingressgateway:443 (SIMPLE, shop-tls) →", "istio-ingressgateway:443 (SIMPLE, shop-tls, pod port 8443) →"},
		{"Service without the server's port", ingress, func(t *testing.T, o []*yaml.Node) {
			set(t, find(t, o, "Service", "istio-ingressgateway"), "4443", "spec", "ports", "2", "port")
		}, "istio-ingressgateway:443 (SIMPLE, shop-tls) → api.shop", "https://shop.example.com → istio-ingressgateway:443 (SIMPLE, shop-tls) → refused (Service istio-ingressgateway has no port 443); by server https"},
		{"egress mutual-TLS hop's SNI", egress, func(t *testing.T, o []*yaml.Node) {
			set(t, find(t, o, "DestinationRule", "istio-egress"), "other.example.com", "spec", "subsets", "0", "trafficPolicy", "portLevelSettings", "0", "tls", "sni")
		}, "(Istio mTLS, SNI api.example.com) → api.example.com:443", "(Istio mTLS, SNI other.example.com) → refused (no server of Gateway istio-egress takes other.example.com on 443)"},
		{"egress hop without mutual TLS", egress, func(t *testing.T, o []*yaml.Node) {
			set(t, find(t, o, "DestinationRule", "istio-egress"), "DISABLE", "spec", "subsets", "1", "trafficPolicy", "portLevelSettings", "0", "tls", "mode")
		}, "istio-egress:443 (Istio mTLS, SNI edition.cnn.com) → edition.cnn.com:443", "istio-egress:443 (plain HTTP) → refused (the server expects Istio mTLS, the hop is not)"},
		{"egress gateway route's destination port", egress, func(t *testing.T, o []*yaml.Node) {
			set(t, find(t, o, "VirtualService", "istio-egress-api-example-com"), "8443", "spec", "tcp", "0", "route", "0", "destination", "port", "number")
		}, "→ api.example.com:443 (the app's TLS", "→ api.example.com:8443 (the app's TLS"},
		{"egress sidecar route to another Service", egress, func(t *testing.T, o []*yaml.Node) {
			set(t, find(t, o, "VirtualService", "istio-egress-edition-cnn-com"), "proxy.corp.svc.cluster.local", "spec", "http", "0", "route", "0", "destination", "host")
		}, "http://edition.cnn.com from shop/* → sidecar → istio-egress:443", "http://edition.cnn.com → sidecar → proxy.corp.svc.cluster.local:443 (subset edition-cnn-com); by http[0] (mesh, port 80)"},
		{"egress origination turned off", egress, func(t *testing.T, o []*yaml.Node) {
			set(t, find(t, o, "DestinationRule", "istio-egress-edition-cnn-com"), "DISABLE", "spec", "trafficPolicy", "portLevelSettings", "0", "tls", "mode")
		}, "edition.cnn.com:443 (TLS originated by the gateway, SNI edition.cnn.com)", "edition.cnn.com:443 (HTTP)"},
		{"allowed source", egress, func(t *testing.T, o []*yaml.Node) {
			set(t, find(t, o, "AuthorizationPolicy", "istio-egress"), "ops", "spec", "rules", "0", "from", "0", "source", "namespaces", "0")
		}, "from shop/*", "from ops/*"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			objects := rendered(t, tc.config)
			before := strings.Join(lines(explain.Paths(objects, nil)), "\n")
			require.Contains(t, before, tc.was)
			tc.change(t, objects)
			after := strings.Join(lines(explain.Paths(objects, nil)), "\n")
			assert.NotContains(t, after, tc.was)
			assert.Contains(t, after, tc.now)
		})
	}
}

// TestUnexpectedShapesAreSaid: objects the function never emits give a line that says what
// cannot be followed, never a guess.
func TestUnexpectedShapesAreSaid(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, objects []*yaml.Node)
		line   string
	}{
		{"a VirtualService bound to a Gateway that is not generated", func(t *testing.T, o []*yaml.Node) {
			set(t, find(t, o, "VirtualService", "istio-ingressgateway-shop-example-com"), "elsewhere", "spec", "gateways", "0")
		}, "cannot explain: it is bound to Gateway elsewhere, which is not among the generated objects"},
		{"a spec that is not a mapping", func(t *testing.T, o []*yaml.Node) {
			vs := find(t, o, "VirtualService", "istio-ingressgateway-shop-example-com")
			vs.Content[yn.IndexOfKey(vs, "spec")+1] = yn.String("oops")
		}, "cannot explain: its spec cannot be read: yaml: unmarshal errors:\n  line 0: cannot unmarshal !!str `oops` into"},
		{"a Gateway that selects no generated pods", func(t *testing.T, o []*yaml.Node) {
			set(t, find(t, o, "Gateway", "istio-ingressgateway"), "other", "spec", "selector", "app")
		}, "https://shop.example.com → Gateway istio-ingressgateway:443 (SIMPLE, shop-tls) → refused (no generated Service leads to the Gateway's pods); by server https"},
		{"a route without a destination", func(t *testing.T, o []*yaml.Node) {
			vs := find(t, o, "VirtualService", "istio-ingressgateway-shop-example-com")
			route := yn.Lookup(vs, "spec", "http").Content[1]
			route.Content = route.Content[:2] // match only
		}, "→ ? (the route has no destination)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			objects := rendered(t, ingress)
			tc.change(t, objects)
			assert.Contains(t, strings.Join(lines(explain.Paths(objects, nil)), "\n"), tc.line)
		})
	}
}

// TestNoGatewayNoPath: the chart's workload alone (no servers) routes nothing, and says so.
func TestNoGatewayNoPath(t *testing.T) {
	objects := rendered(t, "apiVersion: fn.gatewaypattern.dev/v1alpha1\nkind: GatewayPattern\nmetadata: {name: gw}\nspec: {pattern: Ingress}\n")
	assert.Equal(t, []string{
		"gw (ports 80, 443) → Deployment gw → refused (no Gateway selects its pods); by spec.selector; no generated Gateway's selector matches the pods",
	}, lines(explain.Paths(objects, nil)))
}

// TestBuildServices: a route to a Service of the build without the routed port ends in a 503, as
// in Istio (no cluster); with the port, or when the Service is not in the build, the line is the
// same as without the build's Services. A short host is the Service of the VirtualService's
// namespace, an FQDN the Service of its namespace (not a Service of the same name elsewhere).
func TestBuildServices(t *testing.T) {
	const config = `
apiVersion: fn.gatewaypattern.dev/v1alpha1
kind: GatewayPattern
metadata: {name: gw, namespace: istio-ingress}
spec:
  pattern: Ingress
  ingress:
    servers:
    - {port: 80, hosts: [shop.example.com]}
    routes:
    - {hosts: [shop.example.com], prefix: /api, destination: {host: api.shop.svc.cluster.local, port: 8080}}
    - {hosts: [shop.example.com], prefix: /cart, destination: {host: cart, port: 80}}
    - {hosts: [shop.example.com], prefix: /web, destination: {host: web.shop.svc.cluster.local, port: 8080}}
    - {hosts: [shop.example.com], destination: {host: other.elsewhere.svc.cluster.local, port: 9090}}
`
	const build = `
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: istio-ingress}
spec: {ports: [{port: 8081}, {port: 8082}]}
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {ports: [{port: 8080}]}
`
	var services []*yaml.Node
	dec := yaml.NewDecoder(strings.NewReader(build))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			break
		}
		services = append(services, doc.Content[0])
	}
	require.Len(t, services, 4)
	const through = "http://shop.example.com%s → gw:80 → %s; by Gateway gw server http → http[%d] (prefix %s)"
	without := []string{
		fmt.Sprintf(through, "/cart", "cart:80", 0, "/cart"), // the longer prefix first
		fmt.Sprintf(through, "/api", "api.shop.svc.cluster.local:8080", 1, "/api"),
		fmt.Sprintf(through, "/web", "web.shop.svc.cluster.local:8080", 2, "/web"),
		fmt.Sprintf(through, "/", "other.elsewhere.svc.cluster.local:9090", 3, "/"),
	}
	objects := rendered(t, config)
	assert.Equal(t, without, lines(explain.Paths(objects, nil)), "no Services in the build (a generator)")

	paths := explain.Paths(objects, services)
	assert.Equal(t, []string{
		fmt.Sprintf(through, "/cart", "503 (Service istio-ingress/cart has no port 80; it has 8081, 8082)", 0, "/cart"),
		fmt.Sprintf(through, "/api", "503 (Service shop/api has no port 8080; it has 80)", 1, "/api"),
		without[2], // web has the port
		without[3], // not in the build
	}, lines(paths))
	for i, want := range []string{explain.AnswerNoCluster, explain.AnswerNoCluster, "", ""} {
		require.Len(t, paths[i].Hops, 1)
		assert.Equal(t, want, paths[i].Hops[0].Answer, paths[i].Route)
	}
	assert.Equal(t, explain.Destination{Host: "api.shop.svc.cluster.local", Port: 8080}, paths[1].Hops[0].To,
		"a 503 hop keeps the destination the route names: the cluster the gateway lacks")
}

func BenchmarkPaths(b *testing.B) {
	objects := rendered(b, egress)
	b.ReportAllocs()
	for b.Loop() {
		explain.Paths(objects, nil)
	}
}

// A TCP server's streams carry no host: the server has one tcp route, which its hosts no
// VirtualService names take too; without one Istio opens no listener for it, and the line says the
// port is closed (a TCP server has its port to itself).
func TestTCPServerLines(t *testing.T) {
	o := rendered(t, `
apiVersion: fn.gatewaypattern.dev/v1alpha1
kind: GatewayPattern
metadata: {name: istio-ingressgateway}
spec:
  pattern: Ingress
  ingress:
    servers:
    - {port: 5432, protocol: TCP, hosts: [db.example.com, pg.example.com]}
    - {port: 6379, protocol: TCP, hosts: [redis.example.com]}
    routes:
    - {hosts: [db.example.com], destination: {host: postgres.data.svc.cluster.local, port: 5432}}
`)
	paths := explain.Paths(o, nil)
	assert.Equal(t, []string{
		"tcp://pg.example.com:5432 → istio-ingressgateway:5432 → postgres.data.svc.cluster.local:5432 (TCP); by Gateway istio-ingressgateway server tcp-5432 → tcp[0] (port 5432), the server's one tcp route, taken by every host it serves",
		"tcp://redis.example.com:6379 → istio-ingressgateway:6379 → closed, no VirtualService routes this server (Istio opens no listener for it); by server tcp-6379 (hosts redis.example.com), no tcp route",
		"tcp://db.example.com:5432 → istio-ingressgateway:5432 → postgres.data.svc.cluster.local:5432 (TCP); by Gateway istio-ingressgateway server tcp-5432 → tcp[0] (port 5432)",
	}, lines(paths))
	closed := paths[1].Hops[0]
	assert.Equal(t, explain.Hop{Proxy: explain.Gateway, Port: 6379, Host: "redis.example.com", Protocol: "tcp", Answer: explain.AnswerClosed}, closed)
	plain := paths[2].Hops[0]
	assert.Equal(t, "", plain.TLS, "a plain TCP stream carries no TLS")
	assert.Equal(t, "postgres.data.svc.cluster.local:5432", plain.To.String())
}
