package render

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"

	"github.com/gatewaypattern/gateway-pattern/krm"
)

// The Istio fields of a route that no golden maps to a Gateway API rule: header and query
// parameter matches, a regex path, a split with a backend in another namespace, added headers,
// mirrors with and without a percentage, and every CORS field. The expected rule is what the rule
// was when this code read istio.io/api's Go types (before it read istioapi's dynamic messages).
func TestGatewayAPIRuleIstioFields(t *testing.T) {
	var tree any
	require.NoError(t, yaml.Unmarshal([]byte(`
apiVersion: fn.gatewaypattern.dev/v1alpha1
kind: GatewayPattern
metadata: {name: ingress, namespace: istio-ingress}
spec:
  pattern: Ingress
  api: GatewayAPI
  ingress:
    servers:
    - {port: 80, hosts: [shop.example.com]}
    routes:
    - hosts: [shop.example.com]
      name: cart
      match:
      - uri: {exact: /cart}
        headers: {x-user: {exact: alice}, x-canary: {regex: "tr.*"}}
        queryParams: {debug: {exact: "1"}}
      - uri: {regex: "/cart/[0-9]+"}
      route:
      - destination: {host: cart-v1, port: {number: 8080}}
        weight: 70
      - destination: {host: cart-v2.other.svc.cluster.local, port: {number: 8080}}
        weight: 30
      headers:
        request: {add: {x-via: gateway}}
      mirrors:
      - destination: {host: cart-shadow, port: {number: 8080}}
        percentage: {value: 25}
      - destination: {host: cart-audit, port: {number: 9090}}
      corsPolicy:
        allowOrigins: [{prefix: "https://"}, {exact: "https://shop.example.com"}]
        allowCredentials: false
        allowMethods: [GET]
        allowHeaders: [x-user]
        exposeHeaders: [x-trace]
        maxAge: 60s
        unmatchedPreflights: IGNORE
      timeout: 1.5s
`), &tree))
	gp, _, problems := krm.Load(tree)
	require.Empty(t, problems.Errors)
	rs := &ingressRoutes{gp: gp, backendNamespaces: map[string][]string{}}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	require.NoError(t, enc.Encode(rs.httpRule(gp.Spec.Ingress.Routes[0]).node))
	assert.Equal(t, `name: cart
matches:
  - path:
      type: Exact
      value: /cart
    headers:
      - name: x-canary
        type: RegularExpression
        value: tr.*
      - name: x-user
        type: Exact
        value: alice
    queryParams:
      - name: debug
        type: Exact
        value: "1"
  - path:
      type: RegularExpression
      value: /cart/[0-9]+
filters:
  - type: RequestHeaderModifier
    requestHeaderModifier:
      add:
        - name: x-via
          value: gateway
  - type: RequestMirror
    requestMirror:
      backendRef:
        group: ""
        kind: Service
        name: cart-shadow
        port: 8080
      percent: 25
  - type: RequestMirror
    requestMirror:
      backendRef:
        group: ""
        kind: Service
        name: cart-audit
        port: 9090
  - type: CORS
    cors:
      allowOrigins:
        - https://*
        - https://shop.example.com
      allowCredentials: false
      allowMethods:
        - GET
      allowHeaders:
        - x-user
      exposeHeaders:
        - x-trace
      maxAge: 60
backendRefs:
  - group: ""
    kind: Service
    name: cart-v1
    port: 8080
    weight: 70
  - group: ""
    kind: Service
    name: cart-v2
    namespace: other
    port: 8080
    weight: 30
timeouts:
  request: 1s500ms
`, out.String())
	assert.Equal(t, map[string][]string{"other": {"HTTPRoute"}}, rs.backendNamespaces)
}

// Two gateways of one name in two namespaces (a gateway per team) routing to one shared
// namespace each put their own ReferenceGrant there: the grants are named after the gateway and
// its namespace, so neither would replace the other's (which the function refuses as a collision).
func TestReferenceGrantsOfSameNamedGateways(t *testing.T) {
	grants := map[string]string{}
	for _, team := range []string{"team-a", "team-b"} {
		var tree any
		require.NoError(t, yaml.Unmarshal([]byte(`
apiVersion: fn.gatewaypattern.dev/v1alpha1
kind: GatewayPattern
metadata: {name: gw, namespace: `+team+`}
spec:
  pattern: Ingress
  api: GatewayAPI
  ingress:
    servers: [{port: 80, hosts: [`+team+`.example.com]}]
    routes: [{hosts: [`+team+`.example.com], destination: {host: web.shop.svc.cluster.local, port: 8080}}]
`), &tree))
		gp, values, problems := krm.Load(tree)
		require.Empty(t, problems.Errors)
		for _, obj := range Objects(gp, values) {
			var o struct {
				Kind     string
				Metadata struct{ Name, Namespace string }
			}
			require.NoError(t, obj.Decode(&o))
			if o.Kind == "ReferenceGrant" {
				grants[o.Metadata.Namespace+"/"+o.Metadata.Name] = team
			}
		}
	}
	assert.Equal(t, map[string]string{"shop/gw-team-a": "team-a", "shop/gw-team-b": "team-b"}, grants)
}
