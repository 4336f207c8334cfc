package fn_test

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/gatewaypattern/gateway-pattern/fn/fntest"
)

// Convergence: editing the GatewayPattern and running the function on its previous output must
// give exactly what a first run of the edited GatewayPattern gives — nothing stale, nothing
// duplicated — and the objects of another GatewayPattern in the same list are never touched.

// gatewayPattern is a GatewayPattern document; spec is indented under "spec:".
func gatewayPatternDoc(name, namespace, spec string) string {
	meta := "  name: " + name + "\n"
	if namespace != "" {
		meta += "  namespace: " + namespace + "\n"
	}
	return "apiVersion: fn.gatewaypattern.dev/v1alpha1\nkind: GatewayPattern\nmetadata:\n" + meta +
		"  annotations:\n    config.kubernetes.io/local-config: \"true\"\nspec:\n" + indentLines(strings.TrimLeft(spec, "\n"), "  ")
}

func indentLines(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n") + "\n"
}

// resourceList builds a ResourceList from item documents and a functionConfig document.
func buildResourceList(config string, items ...string) []byte {
	var b strings.Builder
	b.WriteString("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n")
	if len(items) == 0 {
		b.WriteString("[]\n")
	}
	for _, item := range items {
		if strings.HasPrefix(item, "- ") {
			b.WriteString(item)
			continue
		}
		b.WriteString("- " + strings.TrimPrefix(indentLines(item, "  "), "  "))
	}
	b.WriteString("functionConfig:\n" + indentLines(config, "  "))
	return []byte(b.String())
}

// rerun takes the output of a run, swaps the functionConfig for config, lets edit change the
// items (nil: none), and runs the function again.
func rerunWith(t *testing.T, previous []byte, config string, edit func([]*yaml.RNode) []*yaml.RNode) []byte {
	t.Helper()
	rw := &kio.ByteReadWriter{Reader: bytes.NewReader(previous), PreserveSeqIndent: true}
	items, err := rw.Read()
	require.NoError(t, err)
	if edit != nil {
		items = edit(items)
	}
	var in bytes.Buffer
	require.NoError(t, kio.ByteWriter{
		Writer:             &in,
		FunctionConfig:     yaml.MustParse(config),
		WrappingKind:       kio.ResourceListKind,
		WrappingAPIVersion: kio.ResourceListAPIVersion,
	}.Write(items))
	return fntest.MustSucceed(t, in.Bytes())
}

// replaceGatewayPattern returns an edit that replaces the GatewayPattern item named name by doc.
func replaceGatewayPattern(name, doc string) func([]*yaml.RNode) []*yaml.RNode {
	return func(items []*yaml.RNode) []*yaml.RNode {
		out := make([]*yaml.RNode, 0, len(items))
		for _, item := range items {
			if item.GetKind() == "GatewayPattern" && item.GetName() == name {
				if doc == "" {
					continue
				}
				item = yaml.MustParse(doc)
			}
			out = append(out, item)
		}
		return out
	}
}

// generated lists the objects the function made, as "owner kind namespace/name", sorted.
func generatedObjects(t *testing.T, rl []byte) []string {
	t.Helper()
	items, err := (&kio.ByteReadWriter{Reader: bytes.NewReader(rl)}).Read()
	require.NoError(t, err)
	var out []string
	for _, item := range items {
		if item.GetLabels()["app.kubernetes.io/managed-by"] != "gateway-pattern" {
			continue
		}
		out = append(out, fmt.Sprintf("%s %s %s/%s", item.GetAnnotations()["fn.gatewaypattern.dev/owner"], item.GetKind(), item.GetNamespace(), item.GetName()))
	}
	sort.Strings(out)
	return out
}

// ownedBy returns, as text, the items the owner generated, in their order.
func objectsOwnedBy(t *testing.T, rl []byte, owner string) string {
	t.Helper()
	items, err := (&kio.ByteReadWriter{Reader: bytes.NewReader(rl), PreserveSeqIndent: true}).Read()
	require.NoError(t, err)
	var keep []*yaml.RNode
	for _, item := range items {
		if item.GetAnnotations()["fn.gatewaypattern.dev/owner"] == owner {
			keep = append(keep, item)
		}
	}
	var buf bytes.Buffer
	require.NoError(t, kio.ByteWriter{Writer: &buf}.Write(keep))
	return buf.String()
}

func assertConverged(t *testing.T, fresh, rerun []byte) {
	t.Helper()
	assert.Equal(t, generatedObjects(t, fresh), generatedObjects(t, rerun), "the generated objects after the edit")
	assert.Equal(t, fntest.ItemsOf(t, fresh), fntest.ItemsOf(t, rerun), "the items after the edit must be those of a first run of the edited config")
	again := fntest.MustSucceed(t, rerun)
	assert.Equal(t, fntest.ItemsOf(t, rerun), fntest.ItemsOf(t, again), "a converged output is a fixed point")
}

const egressTwoHosts = `pattern: Egress
egress:
  allowedSources:
  - namespace: apps
  hosts:
  - host: google.com
  - host: api.example.com
    protocol: HTTPS
`

const egressOneHost = `pattern: Egress
egress:
  allowedSources:
  - namespace: apps
  hosts:
  - host: google.com
`

const ingressSpec = `pattern: Ingress
ingress:
  servers:
  - port: 80
    hosts: [shop.example.com]
  routes:
  - hosts: [shop.example.com]
    destination:
      host: shop.shop.svc.cluster.local
      port: 8080
`

func TestConvergeRemoveEgressHost(t *testing.T) {
	before := gatewayPatternDoc("istio-egressgateway", "", egressTwoHosts)
	after := gatewayPatternDoc("istio-egressgateway", "", egressOneHost)
	first := fntest.MustSucceed(t, buildResourceList(before, fntest.PassThroughItem))
	require.Contains(t, string(first), "api.example.com")
	edited := rerunWith(t, first, after, nil)
	assertConverged(t, fntest.MustSucceed(t, buildResourceList(after, fntest.PassThroughItem)), edited)
	assert.NotContains(t, strings.SplitN(string(edited), "functionConfig:", 2)[0], "api.example.com", "no object of the removed host may remain")
}

func TestConvergeAddEgressHost(t *testing.T) {
	before := gatewayPatternDoc("istio-egressgateway", "", egressOneHost)
	after := gatewayPatternDoc("istio-egressgateway", "", egressTwoHosts)
	edited := rerunWith(t, fntest.MustSucceed(t, buildResourceList(before, fntest.PassThroughItem)), after, nil)
	assertConverged(t, fntest.MustSucceed(t, buildResourceList(after, fntest.PassThroughItem)), edited)
}

// Switching the pattern with the same name and namespace (or none) replaces every object of the
// old pattern.
func TestConvergeSwitchPattern(t *testing.T) {
	for _, namespace := range []string{"gateways", ""} {
		t.Run("namespace "+namespace, func(t *testing.T) {
			before := gatewayPatternDoc("my-gateway", namespace, egressOneHost)
			after := gatewayPatternDoc("my-gateway", namespace, ingressSpec)
			t.Run("functionConfig only", func(t *testing.T) {
				// With no namespace the owner moves with the default namespace
				// (istio-system/my-gateway -> istio-ingress/my-gateway): the old one is still
				// recognised as this GatewayPattern's.
				edited := rerunWith(t, fntest.MustSucceed(t, buildResourceList(before, fntest.PassThroughItem)), after, nil)
				assertConverged(t, fntest.MustSucceed(t, buildResourceList(after, fntest.PassThroughItem)), edited)
			})
			t.Run("kpt package", func(t *testing.T) {
				first := fntest.MustSucceed(t, buildResourceList(before, before, fntest.PassThroughItem))
				edited := rerunWith(t, first, after, replaceGatewayPattern("my-gateway", after))
				assertConverged(t, fntest.MustSucceed(t, buildResourceList(after, after, fntest.PassThroughItem)), edited)
			})
		})
	}
}

// Renaming the GatewayPattern in a kpt package (where it is an item) removes the objects of the
// old name.
func TestConvergeRenameInKptPackage(t *testing.T) {
	before := gatewayPatternDoc("old-egress", "", egressTwoHosts)
	after := gatewayPatternDoc("istio-egressgateway", "", egressTwoHosts)
	first := fntest.MustSucceed(t, buildResourceList(before, before, fntest.PassThroughItem))
	edited := rerunWith(t, first, after, replaceGatewayPattern("old-egress", after))
	assertConverged(t, fntest.MustSucceed(t, buildResourceList(after, after, fntest.PassThroughItem)), edited)
	for _, obj := range generatedObjects(t, edited) {
		assert.NotContains(t, obj, "old-egress")
	}
}

// Changing the namespace in a kpt package moves every object.
func TestConvergeNamespaceChangeInKptPackage(t *testing.T) {
	before := gatewayPatternDoc("istio-egressgateway", "", egressOneHost)
	after := gatewayPatternDoc("istio-egressgateway", "egress", egressOneHost)
	first := fntest.MustSucceed(t, buildResourceList(before, before, fntest.PassThroughItem))
	edited := rerunWith(t, first, after, replaceGatewayPattern("istio-egressgateway", after))
	assertConverged(t, fntest.MustSucceed(t, buildResourceList(after, after, fntest.PassThroughItem)), edited)
}

// Two GatewayPatterns in one kpt package, rendered one after the other as kpt does: each run
// leaves the other's objects byte for byte as they were, whatever it changes of its own.
func TestTwoGatewayPatternsNeverTouchEachOther(t *testing.T) {
	egress := gatewayPatternDoc("istio-egressgateway", "", egressTwoHosts)
	egressEdited := gatewayPatternDoc("istio-egressgateway", "", egressOneHost)
	ingress := gatewayPatternDoc("istio-ingressgateway", "", ingressSpec)
	eastWest := gatewayPatternDoc("istio-eastwestgateway", "", "pattern: EastWest\neastWest:\n  network: network1\n")

	out := fntest.MustSucceed(t, buildResourceList(egress, egress, ingress, eastWest, fntest.PassThroughItem))
	out = rerunWith(t, out, ingress, nil)
	out = rerunWith(t, out, eastWest, nil)
	owners := []string{"istio-system/istio-egressgateway", "istio-ingress/istio-ingressgateway", "istio-system/istio-eastwestgateway"}
	snapshot := map[string]string{}
	for _, owner := range owners {
		snapshot[owner] = objectsOwnedBy(t, out, owner)
		require.NotEmpty(t, snapshot[owner], owner)
	}

	// Re-running each leaves every set as it is.
	for _, config := range []string{egress, ingress, eastWest} {
		out = rerunWith(t, out, config, nil)
		for _, owner := range owners {
			assert.Equal(t, snapshot[owner], objectsOwnedBy(t, out, owner), "re-running one GatewayPattern changed the objects of %s", owner)
		}
	}

	// Editing the egress one changes only its own objects.
	out = rerunWith(t, out, egressEdited, replaceGatewayPattern("istio-egressgateway", egressEdited))
	assert.NotEqual(t, snapshot[owners[0]], objectsOwnedBy(t, out, owners[0]))
	for _, owner := range owners[1:] {
		assert.Equal(t, snapshot[owner], objectsOwnedBy(t, out, owner), "editing the egress GatewayPattern changed the objects of %s", owner)
	}
	fresh := fntest.MustSucceed(t, buildResourceList(egressEdited, egressEdited, ingress, eastWest, fntest.PassThroughItem))
	assert.Equal(t, objectsOwnedBy(t, fresh, owners[0]), objectsOwnedBy(t, out, owners[0]))

	// Deleting the ingress GatewayPattern from the package removes its objects on the next run
	// of another one, and only those.
	out = rerunWith(t, out, eastWest, replaceGatewayPattern("istio-ingressgateway", ""))
	assert.Empty(t, objectsOwnedBy(t, out, owners[1]))
	assert.Equal(t, snapshot[owners[2]], objectsOwnedBy(t, out, owners[2]))
	assert.Equal(t, objectsOwnedBy(t, fresh, owners[0]), objectsOwnedBy(t, out, owners[0]))
	assert.Contains(t, string(out), "name: untouched # a comment that must survive")
}

// TestConvergeDeletedGatewayPattern: when a GatewayPattern is deleted from a kpt package, the
// next run of another one removes every object of the deleted one and nothing else.
func TestConvergeDeletedGatewayPattern(t *testing.T) {
	before := gatewayPatternDoc("gone", "", egressTwoHosts)
	keep := gatewayPatternDoc("istio-egressgateway", "", egressOneHost)
	first := fntest.MustSucceed(t, buildResourceList(before, before, keep, fntest.PassThroughItem))
	out := rerunWith(t, first, keep, replaceGatewayPattern("gone", ""))
	assert.Equal(t, fntest.ItemsOf(t, fntest.MustSucceed(t, buildResourceList(keep, keep, fntest.PassThroughItem))), fntest.ItemsOf(t, out))
}
