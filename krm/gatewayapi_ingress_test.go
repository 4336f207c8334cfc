package krm

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"

	"github.com/gatewaypattern/gateway-pattern/krm/istioapi"
)

func TestGatewayAPIDuration(t *testing.T) {
	for _, c := range []struct {
		in   time.Duration
		want string
		ok   bool
	}{
		{5 * time.Second, "5s", true},
		{1500 * time.Millisecond, "1s500ms", true},
		{90 * time.Minute, "1h30m", true},
		{0, "0s", true},
		{500 * time.Microsecond, "", false},
		{100000 * time.Hour, "", false},
	} {
		got, ok := GatewayAPIDuration(c.in)
		assert.Equal(t, c.want, got, c.in.String())
		assert.Equal(t, c.ok, ok, c.in.String())
	}
}

func TestServiceOf(t *testing.T) {
	for _, c := range []struct {
		host, name, ns string
		ok             bool
	}{
		{"web.shop.svc.cluster.local", "web", "shop", true},
		{"web", "web", "istio-ingress", true},
		{"web.shop", "", "", false}, // a host name to Istio, not the Service web in shop
		{"api.example.com", "", "", false},
		{"web.shop.svc", "", "", false},
	} {
		name, ns, ok := ServiceOf(c.host, "istio-ingress")
		assert.Equal(t, []any{c.name, c.ns, c.ok}, []any{name, ns, ok}, c.host)
	}
}

// Two matches the Gateway API would order differently are a problem only when one request can match
// both.
func TestMatchesMayOverlap(t *testing.T) {
	uri := func(kind, p string) gatewayAPIMatchKey {
		route := istioapi.New(istioapi.HTTPRoute)
		istioapi.Set(route, "match", []any{map[string]any{"uri": map[string]any{kind: p}}})
		return gatewayAPIKey(istioapi.Messages(route, "match")[0], "")
	}
	prefix := func(p string) gatewayAPIMatchKey { return uri("prefix", p) }
	exact := func(p string) gatewayAPIMatchKey { return uri("exact", p) }
	regex := func(p string) gatewayAPIMatchKey { return uri("regex", p) }
	assert.True(t, prefix("/beta").mayOverlap(exact("/beta/new")))
	assert.False(t, prefix("/beta").mayOverlap(exact("/login")))
	assert.True(t, prefix("/").mayOverlap(prefix("/api")))
	assert.False(t, prefix("/api").mayOverlap(prefix("/web")))
	assert.True(t, regex("/x").mayOverlap(prefix("/web")))
	assert.False(t, exact("/a").mayOverlap(exact("/b")))
	assert.True(t, exact("/login").before(prefix("/")))
	assert.True(t, prefix("/api").before(regex("/api/[0-9]+")))
	assert.True(t, gatewayAPIKey(nil, "/api/").before(gatewayAPIKey(nil, "/")))
}

// The refusals of a route's Istio fields that no golden reaches: a prefix query parameter match
// (after the header ones, each map in key order), a mirror's fractional percentage and missing
// port, and the deprecated allowOrigin; the expected errors are those of this code when it read
// istio.io/api's Go types.
func TestGatewayAPIRouteRefusals(t *testing.T) {
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
      match:
      - headers: {x-b: {prefix: b}, x-a: {prefix: a}}
        queryParams: {q: {prefix: x}, p: {prefix: y}}
        method: {exact: get}
      destination: {host: web, port: 8080}
      mirrors:
      - destination: {host: shadow}
        percentage: {value: 12.5}
      corsPolicy:
        allowOrigin: ["https://shop.example.com"]
        unmatchedPreflights: IGNORE
`), &tree))
	_, _, problems := Load(tree)
	var got []string
	for _, err := range problems.Errors {
		got = append(got, err.Error())
	}
	assert.Equal(t, []string{
		"spec.ingress.routes[0].match[0].headers[x-a]: Invalid value: \"prefix\": a Gateway API header match is exact or regex; write it as regex",
		"spec.ingress.routes[0].match[0].headers[x-b]: Invalid value: \"prefix\": a Gateway API header match is exact or regex; write it as regex",
		"spec.ingress.routes[0].match[0].queryParams[p]: Invalid value: \"prefix\": a Gateway API query parameter match is exact or regex; write it as regex",
		"spec.ingress.routes[0].match[0].queryParams[q]: Invalid value: \"prefix\": a Gateway API query parameter match is exact or regex; write it as regex",
		"spec.ingress.routes[0].match[0].method: Unsupported value: \"exact:\\\"get\\\"\": supported values: \"{exact: GET}\", \"{exact: HEAD}\", \"{exact: POST}\", \"{exact: PUT}\", \"{exact: DELETE}\", \"{exact: CONNECT}\", \"{exact: OPTIONS}\", \"{exact: TRACE}\", \"{exact: PATCH}\"",
		"spec.ingress.routes[0].corsPolicy.allowOrigin: Forbidden: deprecated by Istio; use allowOrigins",
		"spec.ingress.routes[0].mirrors[0].destination.port.number: Required value: a Gateway API backendRef to a Service names its port",
		"spec.ingress.routes[0].mirrors[0].percentage.value: Invalid value: 12.5: the Gateway API mirrors a whole percentage of requests",
	}, got)
}
