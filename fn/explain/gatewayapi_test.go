package explain_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"

	"github.com/gatewaypattern/gateway-pattern/fn/explain"
)

// gatewayAPIObjects is a hand-written Gateway API output: a Gateway bound to a generated
// Service, with an HTTP listener redirecting to HTTPS, an HTTPS listener routing /api (whole
// segments) and the rest, and a passthrough listener with its TLSRoute.
const gatewayAPIObjects = `
apiVersion: v1
kind: Service
metadata: {name: gw, namespace: gw-ns}
spec:
  selector: {app: gw}
  ports: [{name: http, port: 80}, {name: https, port: 443}, {name: tls, port: 8443}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: gw, namespace: gw-ns}
spec:
  template:
    metadata: {labels: {app: gw}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: gw-ns}
spec:
  gatewayClassName: istio
  addresses: [{type: Hostname, value: gw.gw-ns.svc.cluster.local}]
  listeners:
  - {name: http, port: 80, protocol: HTTP, hostname: shop.example.com}
  - name: https
    port: 443
    protocol: HTTPS
    hostname: shop.example.com
    tls: {mode: Terminate, certificateRefs: [{name: shop-tls}]}
  - {name: tls, port: 8443, protocol: TLS, hostname: db.example.com, tls: {mode: Passthrough}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: gw-redirect, namespace: gw-ns}
spec:
  parentRefs: [{name: gw, sectionName: http}]
  hostnames: [shop.example.com]
  rules:
  - filters: [{type: RequestRedirect, requestRedirect: {scheme: https, statusCode: 301}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: gw-shop, namespace: gw-ns}
spec:
  parentRefs: [{name: gw, sectionName: https}]
  hostnames: [shop.example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /}}]
    backendRefs: [{name: web, namespace: shop, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /api}}]
    backendRefs: [{name: api, namespace: shop, port: 9090}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {name: gw-db, namespace: gw-ns}
spec:
  parentRefs: [{name: gw, sectionName: tls}]
  hostnames: [db.example.com]
  rules:
  - backendRefs: [{name: db, namespace: data, port: 5432}]
`

func gatewayAPIPaths(t *testing.T, docs string) []string {
	t.Helper()
	var nodes []*yaml.Node
	for _, doc := range strings.Split(docs, "\n---\n") {
		var n yaml.Node
		require.NoError(t, yaml.Unmarshal([]byte(doc), &n))
		nodes = append(nodes, n.Content[0])
	}
	return lines(explain.Paths(nodes, nil))
}

// Gateway API objects are followed as Istio converts them: listeners as servers, routes bound by
// parentRefs and sectionName, the longest PathPrefix first whatever the rule order.
func TestGatewayAPIPaths(t *testing.T) {
	assert.Equal(t, []string{
		"http://shop.example.com/ → gw:80 → redirect to https; by Gateway gw listener http → rules[0]",
		"https://shop.example.com/api → gw:443 (SIMPLE, shop-tls) → api.shop.svc.cluster.local:9090; by Gateway gw listener https → rules[1] (PathPrefix /api)",
		"https://shop.example.com/ → gw:443 (SIMPLE, shop-tls) → web.shop.svc.cluster.local:8080; by Gateway gw listener https → rules[0] (PathPrefix /)",
		"tls://db.example.com:8443 → gw:8443 (PASSTHROUGH) → db.data.svc.cluster.local:5432 (TLS passed through); by Gateway gw listener tls → rules[0] (port 8443, sniHosts db.example.com)",
	}, gatewayAPIPaths(t, gatewayAPIObjects))
}

// What the lines say comes from the objects: change a field, the line changes.
func TestGatewayAPIPathsFollowTheObjects(t *testing.T) {
	for name, tc := range map[string]struct{ from, to, want string }{
		"backend port": {"{name: web, namespace: shop, port: 8080}", "{name: web, namespace: shop, port: 8081}",
			"https://shop.example.com/ → gw:443 (SIMPLE, shop-tls) → web.shop.svc.cluster.local:8081"},
		"certificate": {"certificateRefs: [{name: shop-tls}]", "certificateRefs: [{name: other-tls}]",
			"https://shop.example.com/ → gw:443 (SIMPLE, other-tls)"},
		"closed port": {"{name: https, port: 443}", "{name: https, port: 4443}",
			"https://shop.example.com → gw:443 (SIMPLE, shop-tls) → refused (Service gw has no port 443)"},
		"exact path": {"{type: PathPrefix, value: /api}", "{type: Exact, value: /api}",
			"https://shop.example.com/api → gw:443 (SIMPLE, shop-tls) → api.shop.svc.cluster.local:9090; by Gateway gw listener https → rules[1] (exact /api)"},
	} {
		t.Run(name, func(t *testing.T) {
			changed := strings.Replace(gatewayAPIObjects, tc.from, tc.to, 1)
			require.NotEqual(t, gatewayAPIObjects, changed)
			got := strings.Join(gatewayAPIPaths(t, changed), "\n")
			assert.Contains(t, got, tc.want)
		})
	}
}
