package parity

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yamlv3 "gopkg.in/yaml.v3"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/gatewaypattern/gateway-pattern/fn/render"
	"github.com/gatewaypattern/gateway-pattern/krm"
)

// renderOurs runs our function's workload renderer on a copy of the values (so neither side can
// see the other's mutations) and decodes its objects with the same parser as the Helm side, so
// both sides have the same Go types (float64 numbers, strings, bools).
func renderOurs(release, namespace string, values map[string]any) ([]map[string]any, error) {
	nodes, errs := render.Workload(release, namespace, krm.CopyTree(values).(map[string]any))
	if len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = e.Error()
		}
		return nil, fmt.Errorf("RenderWorkload rejected the values:\n  %s", strings.Join(msgs, "\n  "))
	}
	objs := make([]map[string]any, 0, len(nodes))
	for _, n := range nodes {
		// Our parser would silently keep the last of two equal keys; kustomize/kpt (yaml.v3) would
		// reject the object, so a repeated key on our side is a bug of its own.
		text, err := kyaml.Marshal(n)
		if err != nil {
			return nil, err
		}
		if dups := duplicateKeys(n, ""); len(dups) > 0 {
			return nil, fmt.Errorf("object repeats mapping keys %v:\n%s", dups, text)
		}
		obj, err := parseObject(text)
		if err != nil {
			return nil, fmt.Errorf("%w\n%s", err, text)
		}
		objs = append(objs, obj)
	}
	return objs, nil
}

// duplicateKeys lists the paths of mapping keys that appear twice in the same mapping.
func duplicateKeys(n *kyaml.Node, path string) []string {
	var dups []string
	switch n.Kind {
	case kyaml.DocumentNode, kyaml.SequenceNode:
		for i, c := range n.Content {
			dups = append(dups, duplicateKeys(c, fmt.Sprintf("%s[%d]", path, i))...)
		}
	case kyaml.MappingNode:
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if seen[k] {
				dups = append(dups, path+"."+k)
			}
			seen[k] = true
			dups = append(dups, duplicateKeys(n.Content[i+1], path+"."+k)...)
		}
	}
	return dups
}

func kindsOf(objs []map[string]any) []string {
	kinds := make([]string, len(objs))
	for i, o := range objs {
		kinds[i], _ = o["kind"].(string)
	}
	sort.Strings(kinds)
	return kinds
}

func findObject(objs []map[string]any, kind string) map[string]any {
	for _, o := range objs {
		if o["kind"] == kind {
			return o
		}
	}
	return nil
}

// TestHelmRendersSomething guards against a vacuous harness: the real chart, rendered with its
// defaults, must give the six workload objects with the chart's own content.
func TestHelmRendersSomething(t *testing.T) {
	objs, err := renderChart("istio-ingressgateway", "istio-system", nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"Deployment", "HorizontalPodAutoscaler", "Role", "RoleBinding", "Service", "ServiceAccount"}, kindsOf(objs))

	dep := findObject(objs, "Deployment")
	require.NotNil(t, dep)
	assert.Equal(t, "istio-system/istio-ingressgateway/"+"Deployment", fmt.Sprintf("%s/%s/%s",
		dep["metadata"].(map[string]any)["namespace"], dep["metadata"].(map[string]any)["name"], dep["kind"]))
	containers := dep["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)
	assert.Equal(t, "istio-proxy", containers[0].(map[string]any)["name"])
	// `env:` with no entries is a YAML null, which the comparison drops.
	assert.Contains(t, containers[0].(map[string]any), "env")
	assert.Nil(t, containers[0].(map[string]any)["env"])

	labels := dep["metadata"].(map[string]any)["labels"].(map[string]any)
	assert.Equal(t, "Helm", labels["app.kubernetes.io/managed-by"])
	assert.Equal(t, "ingressgateway", labels["istio"])

	// Schema validation is on, as with `helm template`: an unknown value is refused.
	_, err = renderChart("istio-ingressgateway", "istio-system", map[string]any{"replicas": 2})
	assert.ErrorContains(t, err, "additional properties 'replicas' not allowed")
}

// TestHelmRendersEveryCase renders every parity case with Helm alone (values valid for the chart's
// schema, expected kinds present), so the Helm half of the table is checked even when our function
// is not built yet.
func TestHelmRendersEveryCase(t *testing.T) {
	require.GreaterOrEqual(t, len(parityCases), 30)
	seen := map[string]bool{}
	for _, c := range parityCases {
		t.Run(c.name, func(t *testing.T) {
			require.False(t, seen[c.name], "duplicate case name")
			seen[c.name] = true
			vals, err := c.helmValues()
			require.NoError(t, err)
			objs, err := renderChart(c.release, c.namespace, vals)
			require.NoError(t, err)
			assert.Equal(t, c.wantKinds(), kindsOf(objs))
		})
	}
}

// TestHelmNetworkPolicyDuplicateKeys pins down the parser choice: the chart's NetworkPolicy repeats
// the `app` and `istio` label keys in one mapping. yaml.v3 refuses such a document; the
// sigs.k8s.io/yaml parser we (and kubectl) use keeps the last value, which with label overrides is
// not even the same value as the first.
func TestHelmNetworkPolicyDuplicateKeys(t *testing.T) {
	vals, err := fileValues("global: {networkPolicy: {enabled: true}}\nlabels: {app: edge-gateway}\n")
	require.NoError(t, err)
	manifest, err := renderChartManifest("istio-ingress", "istio-ingress", vals)
	require.NoError(t, err)
	assert.Contains(t, manifest, "    app: istio-ingress\n")
	assert.Contains(t, manifest, "    app: \"edge-gateway\"\n")

	objs, err := parseManifest(manifest)
	require.NoError(t, err)
	np := findObject(objs, "NetworkPolicy")
	require.NotNil(t, np)
	assert.Equal(t, "edge-gateway", np["metadata"].(map[string]any)["labels"].(map[string]any)["app"])

	var strict map[string]any
	doc := manifest[strings.Index(manifest, "kind: NetworkPolicy"):]
	doc = doc[:strings.Index(doc, "\n---")]
	err = yamlv3.Unmarshal([]byte(doc), &strict)
	assert.ErrorContains(t, err, `mapping key "app" already defined`)
}

// TestHelmValueTypes documents how values reach the chart: --set infers int64/bool/nil and leaves
// everything else a string; a values file gives float64 numbers (YAML -> JSON); both render alike.
func TestHelmValueTypes(t *testing.T) {
	set, err := setValues("replicaCount=3", "autoscaling.enabled=false", "resources.limits=null", "compatibilityVersion=1.27")
	require.NoError(t, err)
	assert.Equal(t, int64(3), set["replicaCount"])
	assert.Equal(t, false, set["autoscaling"].(map[string]any)["enabled"])
	assert.Contains(t, set["resources"].(map[string]any), "limits")
	assert.Nil(t, set["resources"].(map[string]any)["limits"])
	assert.Equal(t, "1.27", set["compatibilityVersion"])

	file, err := fileValues("replicaCount: 3\nautoscaling: {enabled: false}\n")
	require.NoError(t, err)
	assert.Equal(t, float64(3), file["replicaCount"])

	a, err := renderChartManifest("r", "ns", set)
	require.NoError(t, err)
	assert.Contains(t, a, "\n  replicas: 3\n")
	b, err := renderChartManifest("r", "ns", file)
	require.NoError(t, err)
	assert.Contains(t, b, "\n  replicas: 3\n")
}

// TestComparerDetectsDifference proves the comparison is not vacuous: Helm's own objects, relabelled
// as our function labels them, compare equal; then each kind of difference is reported.
func TestComparerDetectsDifference(t *testing.T) {
	helm, err := renderChart("istio-ingress", "istio-ingress", nil)
	require.NoError(t, err)
	asOurs := func() []map[string]any {
		out := make([]map[string]any, len(helm))
		for i, o := range helm {
			o = krm.CopyTree(o).(map[string]any)
			for _, path := range labelMapPaths {
				if l, ok := nestedMap(o, path...); ok {
					delete(l, "helm.sh/chart")
					delete(l, "app.kubernetes.io/version")
					l[managedByLabel] = "gateway-pattern"
				}
			}
			if a, ok := nestedMap(o, "metadata", "annotations"); ok {
				a[ownerAnnotation] = "istio-ingress/istio-ingress"
			}
			out[i] = o
		}
		return out
	}

	same := compareObjects(helm, asOurs())
	assert.Empty(t, same.Problems)
	assert.Len(t, same.Keys, 6)

	// A changed field: the diff names the object and shows both values.
	ours := asOurs()
	spec, _ := nestedMap(findObject(ours, "Deployment"), "spec", "template", "spec")
	spec["terminationGracePeriodSeconds"] = 31
	c := compareObjects(helm, ours)
	require.Len(t, c.Problems, 1)
	assert.Contains(t, c.Problems[0], "Deployment/istio-ingress/istio-ingress differs")
	assert.Contains(t, c.Problems[0], "-      terminationGracePeriodSeconds: 30")
	assert.Contains(t, c.Problems[0], "+      terminationGracePeriodSeconds: 31")

	// A string where Helm has a number is a difference, not a formatting detail.
	ours = asOurs()
	spec, _ = nestedMap(findObject(ours, "Deployment"), "spec", "template", "spec")
	spec["terminationGracePeriodSeconds"] = "30"
	assert.Len(t, compareObjects(helm, ours).Problems, 1)

	// A missing object and an extra one.
	ours = asOurs()
	for i, o := range ours {
		if o["kind"] == "HorizontalPodAutoscaler" {
			ours = append(ours[:i], ours[i+1:]...)
			break
		}
	}
	ours = append(ours, map[string]any{"kind": "PodDisruptionBudget", "metadata": map[string]any{"name": "istio-ingress", "namespace": "istio-ingress"}})
	c = compareObjects(helm, ours)
	require.Len(t, c.Problems, 2)
	assert.Contains(t, strings.Join(c.Problems, "\n"), "HorizontalPodAutoscaler/istio-ingress/istio-ingress: rendered by helm, missing")
	assert.Contains(t, strings.Join(c.Problems, "\n"), "PodDisruptionBudget/istio-ingress/istio-ingress: in our output, not rendered by helm")

	// Only the expected managed-by value is ignored: Helm's value on our side is a difference.
	ours = asOurs()
	l, _ := nestedMap(findObject(ours, "Service"), "metadata", "labels")
	l[managedByLabel] = "Helm"
	assert.Len(t, compareObjects(helm, ours).Problems, 1)

	// An empty annotations map and none are the same object; a user annotation that went missing
	// is a difference.
	ours = asOurs()
	delete(findObject(ours, "Role")["metadata"].(map[string]any), "annotations")
	assert.Empty(t, compareObjects(helm, ours).Problems)
	var withAnnotation []map[string]any
	for _, o := range helm {
		withAnnotation = append(withAnnotation, krm.CopyTree(o).(map[string]any))
	}
	findObject(withAnnotation, "Role")["metadata"].(map[string]any)["annotations"] = map[string]any{"team": "mesh"}
	assert.Len(t, compareObjects(withAnnotation, asOurs()).Problems, 1)
}

// TestChartParity compares, case by case, every object `helm template` renders from the real chart
// with what our function renders for the same release, namespace and values.
func TestChartParity(t *testing.T) {
	type row struct {
		name, touches, result string
		objects               int
	}
	var rows []row
	for _, c := range parityCases {
		r := row{name: c.name, touches: c.touches, result: "FAIL"}
		t.Run(c.name, func(t *testing.T) {
			helmVals, err := c.helmValues()
			require.NoError(t, err)
			ourVals, err := c.ourValues()
			require.NoError(t, err)
			helm, err := renderChart(c.release, c.namespace, helmVals)
			require.NoError(t, err, "helm template")
			ours, err := renderOurs(c.release, c.namespace, ourVals)
			if err != nil {
				r.result = "FAIL: RenderWorkload rejected the values"
				t.Fatal(err)
			}
			cmp := compareObjects(helm, ours)
			r.objects = len(cmp.Keys)
			for _, p := range cmp.Problems {
				t.Error(p)
			}
			if len(cmp.Problems) == 0 {
				r.result = "identical"
			} else {
				r.result = "FAIL: " + strings.Join(cmp.Bad, "; ")
			}
		})
		rows = append(rows, r)
	}

	var table strings.Builder
	fmt.Fprintf(&table, "| case | objects compared | result | touches |\n|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&table, "| %s | %d | %s | %s |\n", r.name, r.objects, r.result, r.touches)
	}
	t.Log("parity table (chart istio.io/istio@" + IstioVersion + "):\n" + table.String())
	// PARITY_TABLE=FILE also writes the table as Markdown, for the README.
	if path := os.Getenv("PARITY_TABLE"); path != "" {
		require.NoError(t, os.WriteFile(path, []byte(table.String()), 0o644))
	}
}
