package fn_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatewaypattern/gateway-pattern/fn/fntest"
)

// The warnings about the rest of the build (neighbours.go). testdata/neighbours-* hold one golden
// case of each warning with its whole text, and their traffic.yaml shows in Istio's simulation what
// each warns about; these cases pin which objects are reported and which are not.

const ingressPattern = `pattern: Ingress
ingress:
  servers:
  - port: 80
    hosts: [shop.example.com]
  routes:
  - hosts: [shop.example.com]
    prefix: /api
    destination: {host: api.shop.svc.cluster.local, port: 8080}
  - hosts: [shop.example.com]
    prefix: /v2/api
    destination: {host: api.shop.svc.cluster.local, port: 8080}
  - hosts: [shop.example.com]
    prefix: /cart
    destination: {host: cart, port: 80}
  - hosts: [shop.example.com]
    prefix: /legacy
    destination: {host: legacy.default.svc.cluster.local, port: 80}
  - hosts: [shop.example.com]
    destination: {host: web.shop, port: 80}
`

const egressPattern = `pattern: Egress
egress:
  allowedSources:
  - namespace: shop
  hosts:
  - host: google.com
  - {host: api.github.com, protocol: HTTPS}
`

func service(namespace, name, ports string) string {
	meta := "  name: " + name + "\n"
	if namespace != "" {
		meta += "  namespace: " + namespace + "\n"
	}
	return "apiVersion: v1\nkind: Service\nmetadata:\n" + meta + "spec:\n  ports: " + ports + "\n"
}

func serviceEntry(namespace, name, extra string) string {
	return "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: " + name + "\n  namespace: " + namespace + "\n" + extra
}

func istioGateway(apiVersion, namespace, name, spec string) string {
	return "apiVersion: " + apiVersion + "\nkind: Gateway\nmetadata:\n  name: " + name + "\n  namespace: " + namespace + "\nspec:\n" + spec +
		"  servers:\n  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: [other.example.com]\n"
}

// warningsAboutOthers runs the function and returns the stderr lines of warnings about other objects
// than the GatewayPattern.
func warningsAboutOthers(t *testing.T, input []byte) []string {
	t.Helper()
	out, stderr, code := fntest.Run(input)
	require.Equal(t, 0, code, "warnings never fail the run; stderr:\n%s", stderr)
	var lines []string
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if strings.HasPrefix(line, "[warning] ") && !strings.HasPrefix(line, "[warning] fn.gatewaypattern.dev/") {
			lines = append(lines, line)
		}
	}
	// The results carry the same warnings, and a run on the output finds the same ones again: the
	// function's own objects from the first run are never reported.
	var fromResults []string
	for _, r := range fntest.ResultsOf(t, out) {
		if r.Severity == "warning" && r.ResourceRef != nil && r.ResourceRef.Kind != "GatewayPattern" {
			fromResults = append(fromResults, r.ResourceRef.Kind+"/"+r.ResourceRef.Name+" "+r.Field.Path)
		}
	}
	assert.Len(t, fromResults, len(lines), "every warning line is a result too")
	_, again, _ := fntest.Run(out)
	assert.Equal(t, stderr, again, "a run on the output reports exactly what the first run reported")
	return lines
}

// prefixes cuts each line after its field path: what is reported, not the whole message.
func prefixes(lines []string) []string {
	var out []string
	for _, l := range lines {
		head, _, _ := strings.Cut(l, ": ")
		out = append(out, head)
	}
	return out
}

func TestRoutePortWarnings(t *testing.T) {
	config := gatewayPatternDoc("istio-ingress", "istio-ingress", ingressPattern)
	lines := warningsAboutOthers(t, buildResourceList(config,
		service("shop", "api", "[{name: http, port: 80, targetPort: 8080}]"),
		service("istio-ingress", "cart", "[]"),
		service("shop", "cart", "[{port: 9000}]"), // not the short name's Service: cart is in the gateway's namespace
		service("", "legacy", "[{port: 8080}]"),   // no namespace: the namespace "default"
		service("shop", "web", "[{port: 8080}]"),  // web.shop is not a name Istio resolves to a Service: not checked
		"apiVersion: v1\nkind: Service\nmetadata:\n  name: cart\n  namespace: istio-ingress\n  annotations:\n    config.kubernetes.io/local-config: \"true\"\nspec:\n  ports: [{port: 1}]\n",
	))
	assert.Equal(t, []string{
		"[warning] v1/Service/shop/api spec.ports: spec.ingress.routes[0].destination and spec.ingress.routes[1].destination of GatewayPattern istio-ingress/istio-ingress are port 8080 of this Service, which has only port 80 (http): the gateway has no cluster for that port and answers the routes' requests with 503. Set destination.port to a port of the Service (8080 is the targetPort of port 80: a destination names the Service's port, not the container's), or add port 8080 to the Service",
		"[warning] v1/Service/istio-ingress/cart spec.ports: spec.ingress.routes[2].destination of GatewayPattern istio-ingress/istio-ingress is port 80 of this Service, which has no ports: the gateway has no cluster for that port and answers the route's requests with 503. Set destination.port to a port of the Service, or add port 80 to the Service",
		"[warning] v1/Service/legacy spec.ports: spec.ingress.routes[3].destination of GatewayPattern istio-ingress/istio-ingress is port 80 of this Service, which has only port 8080: the gateway has no cluster for that port and answers the route's requests with 503. Set destination.port to a port of the Service, or add port 80 to the Service",
	}, lines)

	t.Run("a Service with the port is not reported", func(t *testing.T) {
		lines := warningsAboutOthers(t, buildResourceList(config,
			service("shop", "api", "[{name: http, port: 80}, {name: http-alt, port: 8080}]"),
			service("istio-ingress", "cart", "[{port: 80}]"),
			service("default", "legacy", "[{port: 80}]"),
		))
		assert.Empty(t, lines)
	})
	t.Run("an egress GatewayPattern does not look at Services", func(t *testing.T) {
		lines := warningsAboutOthers(t, buildResourceList(gatewayPatternDoc("istio-egress", "istio-system", egressPattern),
			service("shop", "api", "[]")))
		assert.Empty(t, lines)
	})
}

func TestServiceEntryWarnings(t *testing.T) {
	config := gatewayPatternDoc("istio-egress", "istio-system", egressPattern)
	lines := warningsAboutOthers(t, buildResourceList(config,
		serviceEntry("shop", "direct", "spec:\n  hosts: [example.org, google.com]\n  exportTo: [\".\"]\n"),
		serviceEntry("shop", "hidden", "spec:\n  hosts: [google.com]\n  exportTo: [\"~\"]\n"),
		serviceEntry("shop", "wildcard", "spec:\n  hosts: [\"*.github.com\"]\n"),
		serviceEntry("shop", "draft", "  annotations:\n    config.kubernetes.io/local-config: \"true\"\nspec:\n  hosts: [google.com]\n"),
		serviceEntry("shop", "both", "spec:\n  hosts: [api.github.com, google.com]\n"),
		"apiVersion: networking.istio.io/v1beta1\nkind: ServiceEntry\nmetadata:\n  name: old-api\n  namespace: shop\nspec:\n  hosts: [google.com]\n",
	))
	assert.Equal(t, []string{
		"[warning] networking.istio.io/v1/ServiceEntry/shop/direct spec.hosts[1]",
		"[warning] networking.istio.io/v1/ServiceEntry/shop/both spec.hosts[0]",
		"[warning] networking.istio.io/v1/ServiceEntry/shop/both spec.hosts[1]",
		"[warning] networking.istio.io/v1beta1/ServiceEntry/shop/old-api spec.hosts[0]",
	}, prefixes(lines))
	assert.Contains(t, lines[1], "this ServiceEntry declares api.github.com, which GatewayPattern istio-system/istio-egress sends through the egress gateway (spec.egress.hosts[1])")
}

func TestServiceEntryOfAnotherGatewayPattern(t *testing.T) {
	// Two egress GatewayPatterns of one host in one kpt package (or two transformers of one
	// kustomization): each sees the other's ServiceEntry, and only its own objects are quiet.
	first := gatewayPatternDoc("istio-egress", "egress-a", egressPattern)
	second := gatewayPatternDoc("istio-egress", "egress-b", egressPattern)
	out := fntest.MustSucceed(t, buildResourceList(first, fntest.PassThroughItem))
	rerun := rerunWith(t, out, second, nil)
	lines := warningsAboutOthers(t, rerun)
	assert.Equal(t, []string{
		"[warning] networking.istio.io/v1/ServiceEntry/egress-a/istio-egress-google-com spec.hosts[0]",
		"[warning] networking.istio.io/v1/ServiceEntry/egress-a/istio-egress-api-github-com spec.hosts[0]",
		// Same name, same pod labels: each Gateway selects the other's pods too.
		"[warning] networking.istio.io/v1/Gateway/egress-a/istio-egress spec.selector",
	}, prefixes(lines), "the objects of the other GatewayPattern are reported, never the run's own")
	assert.Contains(t, lines[0], "[warning] networking.istio.io/v1/ServiceEntry/egress-a/istio-egress-google-com spec.hosts[0]: this ServiceEntry (generated by GatewayPattern egress-a/istio-egress) declares google.com, which GatewayPattern egress-b/istio-egress sends through")
}

func TestGatewaySelectorWarnings(t *testing.T) {
	config := gatewayPatternDoc("istio-ingress", "istio-ingress", ingressPattern)
	lines := warningsAboutOthers(t, buildResourceList(config,
		istioGateway("networking.istio.io/v1", "istio-ingress", "subset", "  selector: {istio: ingress}\n"),
		istioGateway("networking.istio.io/v1beta1", "istio-ingress", "both-labels", "  selector: {app: istio-ingress, istio: ingress}\n"),
		istioGateway("networking.istio.io/v1", "shop", "empty", "  selector: {}\n"),
		istioGateway("networking.istio.io/v1", "shop", "none", ""),
		istioGateway("networking.istio.io/v1", "istio-ingress", "superset", "  selector: {istio: ingress, tier: edge}\n"),
		istioGateway("networking.istio.io/v1", "istio-ingress", "other-value", "  selector: {istio: ingressgateway}\n"),
		istioGateway("networking.istio.io/v1", "istio-ingress", "not-a-map", "  selector: istio\n"),
		istioGateway("gateway.networking.k8s.io/v1", "istio-ingress", "gateway-api", "  selector: {}\n"),
	))
	assert.Equal(t, []string{
		"[warning] networking.istio.io/v1/Gateway/istio-ingress/subset spec.selector",
		"[warning] networking.istio.io/v1beta1/Gateway/istio-ingress/both-labels spec.selector",
		"[warning] networking.istio.io/v1/Gateway/shop/empty spec.selector",
		"[warning] networking.istio.io/v1/Gateway/shop/none spec.selector",
	}, prefixes(lines))
	assert.Equal(t, "[warning] networking.istio.io/v1beta1/Gateway/istio-ingress/both-labels spec.selector: this Gateway selects the pods of the Deployment istio-ingress/istio-ingress that GatewayPattern istio-ingress/istio-ingress generates (its selector app: istio-ingress, istio: ingress is among their labels). Istio merges the servers of every Gateway that selects a proxy, so those pods serve this Gateway's servers too, and where both Gateways take one port, a TLS server for the same host or a server of another protocol is dropped from the newer one. Give this Gateway a selector the generated pods do not match, or serve its hosts from the GatewayPattern", lines[1])
	assert.Equal(t, "[warning] networking.istio.io/v1/Gateway/shop/empty spec.selector: this Gateway has no selector, so Istio applies it to every gateway proxy of the mesh, the pods of the Deployment istio-ingress/istio-ingress that GatewayPattern istio-ingress/istio-ingress generates among them (Gateways of every namespace apply unless istiod runs with PILOT_SCOPE_GATEWAY_TO_NAMESPACE=true). Istio merges the servers of every Gateway that selects a proxy, so those pods serve this Gateway's servers too, and where both Gateways take one port, a TLS server for the same host or a server of another protocol is dropped from the newer one. Give this Gateway a selector the generated pods do not match, or serve its hosts from the GatewayPattern", lines[2])

	t.Run("the pod labels come from the generated workload, values.labels included", func(t *testing.T) {
		config := gatewayPatternDoc("istio-ingress", "istio-ingress", "values:\n  labels: {tier: edge}\n"+ingressPattern)
		lines := warningsAboutOthers(t, buildResourceList(config,
			istioGateway("networking.istio.io/v1", "istio-ingress", "superset", "  selector: {istio: ingress, tier: edge}\n")))
		assert.Equal(t, []string{"[warning] networking.istio.io/v1/Gateway/istio-ingress/superset spec.selector"}, prefixes(lines))
	})
}

func TestGatewayOfAnotherGatewayPatternOfTheSameName(t *testing.T) {
	// Two GatewayPatterns of one name in two namespaces: their pods carry the same app and istio
	// labels, and Istio applies a Gateway of any namespace to them, so each Gateway selects the
	// other's pods too.
	first := gatewayPatternDoc("istio-ingress", "team-a", ingressPattern)
	second := gatewayPatternDoc("istio-ingress", "team-b", ingressPattern)
	out := fntest.MustSucceed(t, buildResourceList(first, fntest.PassThroughItem))
	_, stderr, code := fntest.Run(rerunWith(t, out, second, nil))
	require.Equal(t, 0, code)
	assert.Contains(t, stderr, "[warning] networking.istio.io/v1/Gateway/team-a/istio-ingress spec.selector: this Gateway (generated by GatewayPattern team-a/istio-ingress) selects the pods of the Deployment team-b/istio-ingress that GatewayPattern team-b/istio-ingress generates (its selector app: istio-ingress, istio: ingress is among their labels; Gateways of every namespace apply unless istiod runs with PILOT_SCOPE_GATEWAY_TO_NAMESPACE=true). Istio merges")
}
