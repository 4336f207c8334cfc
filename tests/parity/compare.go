package parity

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
	"sigs.k8s.io/yaml"

	"github.com/gatewaypattern/gateway-pattern/krm"
)

// The only differences the spec allows between `helm template` and our function (SPEC.md, "Output
// rules"): labels that only Helm sets, and the ownership label/annotation only our function sets.
// Everything else, including a label map that ends up empty, must match.
var (
	// helmOnlyLabels are dropped from the Helm side whatever their value (chart/app version).
	helmOnlyLabels = []string{"helm.sh/chart", "app.kubernetes.io/version"}
	// managedByLabel is dropped only with the value each side is expected to set, so a wrong value
	// still shows up as a difference.
	managedByLabel  = "app.kubernetes.io/managed-by"
	ownerAnnotation = "fn.gatewaypattern.dev/owner"
)

// labelMapPaths are the label maps of a workload object that carry the chart's common labels.
var labelMapPaths = [][]string{
	{"metadata", "labels"},
	{"spec", "template", "metadata", "labels"},
}

// normalizeHelm removes from a `helm template` object what only Helm sets, and null values.
func normalizeHelm(obj map[string]any) map[string]any {
	obj = krm.CopyTree(obj).(map[string]any)
	for _, path := range labelMapPaths {
		if labels, ok := nestedMap(obj, path...); ok {
			for _, k := range helmOnlyLabels {
				delete(labels, k)
			}
			if labels[managedByLabel] == "Helm" {
				delete(labels, managedByLabel)
			}
		}
	}
	return dropEmptyAnnotations(dropNulls(obj).(map[string]any))
}

// normalizeOurs removes from one of our function's objects what only the function sets, and null
// values.
func normalizeOurs(obj map[string]any) map[string]any {
	obj = krm.CopyTree(obj).(map[string]any)
	for _, path := range labelMapPaths {
		if labels, ok := nestedMap(obj, path...); ok && labels[managedByLabel] == "gateway-pattern" {
			delete(labels, managedByLabel)
		}
	}
	if ann, ok := nestedMap(obj, "metadata", "annotations"); ok {
		delete(ann, ownerAnnotation)
	}
	return dropEmptyAnnotations(dropNulls(obj).(map[string]any))
}

// dropEmptyAnnotations removes metadata.annotations when it is empty, on both sides: the chart
// writes `annotations: {}` on some objects and no key on others, while every object of ours
// carries the owner annotation; an empty map and none are the same object to Kubernetes.
func dropEmptyAnnotations(obj map[string]any) map[string]any {
	if ann, ok := nestedMap(obj, "metadata", "annotations"); ok && len(ann) == 0 {
		meta, _ := obj["metadata"].(map[string]any)
		delete(meta, "annotations")
	}
	return obj
}

// dropNulls removes map entries whose value is null, at any depth. The chart prints keys such as
// `metrics:`, `env:` or `resources:` with nothing after them when a value list is empty; a null
// field and an absent one mean the same to Kubernetes. Nulls inside lists are kept (they would be
// a real difference).
func dropNulls(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if e == nil {
				delete(v, k)
				continue
			}
			v[k] = dropNulls(e)
		}
		return v
	case []any:
		for i, e := range v {
			v[i] = dropNulls(e)
		}
		return v
	default:
		return v
	}
}

// nestedMap returns the map at path, if every step is a map.
func nestedMap(obj map[string]any, path ...string) (map[string]any, bool) {
	cur := obj
	for _, p := range path {
		next, ok := cur[p].(map[string]any)
		if !ok {
			return nil, false
		}
		cur = next
	}
	return cur, true
}

// objectKey identifies an object as kind/namespace/name.
func objectKey(obj map[string]any) string {
	kind, _ := obj["kind"].(string)
	meta, _ := obj["metadata"].(map[string]any)
	ns, _ := meta["namespace"].(string)
	name, _ := meta["name"].(string)
	return kind + "/" + ns + "/" + name
}

// comparison is the outcome of comparing one case's two renderings.
type comparison struct {
	Keys     []string // the kind/namespace/name of every object on either side, sorted
	Problems []string // empty when both sides match
	Bad      []string // the keys the problems are about, for the summary table
}

// compareObjects normalises both sides and reports every object that is missing, extra, duplicated
// or different, with a unified diff of the two YAML renderings for each different object.
func compareObjects(helm, ours []map[string]any) comparison {
	var c comparison
	h, dupH := indexObjects(helm, normalizeHelm)
	o, dupO := indexObjects(ours, normalizeOurs)
	for _, k := range dupH {
		c.Problems = append(c.Problems, "helm renders "+k+" more than once")
		c.Bad = append(c.Bad, "duplicate "+k)
	}
	for _, k := range dupO {
		c.Problems = append(c.Problems, "our function renders "+k+" more than once")
		c.Bad = append(c.Bad, "duplicate "+k)
	}

	keys := map[string]bool{}
	for k := range h {
		keys[k] = true
	}
	for k := range o {
		keys[k] = true
	}
	for k := range keys {
		c.Keys = append(c.Keys, k)
	}
	sort.Strings(c.Keys)

	for _, k := range c.Keys {
		hObj, inH := h[k]
		oObj, inO := o[k]
		switch {
		case !inO:
			c.Problems = append(c.Problems, fmt.Sprintf("%s: rendered by helm, missing from our output:\n%s", k, toYAML(hObj)))
			c.Bad = append(c.Bad, "missing "+k)
		case !inH:
			c.Problems = append(c.Problems, fmt.Sprintf("%s: in our output, not rendered by helm:\n%s", k, toYAML(oObj)))
			c.Bad = append(c.Bad, "extra "+k)
		default:
			if d := diffYAML(toYAML(hObj), toYAML(oObj)); d != "" {
				c.Problems = append(c.Problems, fmt.Sprintf("%s differs (- helm, + ours):\n%s", k, d))
				c.Bad = append(c.Bad, "differs "+k)
			}
		}
	}
	return c
}

// indexObjects normalises each object and keys it by kind/namespace/name, returning duplicate keys.
func indexObjects(objs []map[string]any, normalize func(map[string]any) map[string]any) (map[string]map[string]any, []string) {
	idx := map[string]map[string]any{}
	var dups []string
	for _, obj := range objs {
		n := normalize(obj)
		k := objectKey(n)
		if _, seen := idx[k]; seen {
			dups = append(dups, k)
		}
		idx[k] = n
	}
	return idx, dups
}

// toYAML renders a generic object with sorted keys, so equal objects render identically.
func toYAML(obj map[string]any) string {
	b, err := yaml.Marshal(obj)
	if err != nil {
		return fmt.Sprintf("<cannot render: %v>", err)
	}
	return string(b)
}

// diffYAML returns a unified diff of two YAML texts, or "" when they are equal.
func diffYAML(helm, ours string) string {
	if helm == ours {
		return ""
	}
	d, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A:        difflib.SplitLines(helm),
		B:        difflib.SplitLines(ours),
		FromFile: "helm",
		ToFile:   "ours",
		Context:  3,
	})
	if err != nil || strings.TrimSpace(d) == "" {
		// Equal-looking text that still differs (should not happen): show both in full.
		return "--- helm\n" + helm + "+++ ours\n" + ours
	}
	return d
}
