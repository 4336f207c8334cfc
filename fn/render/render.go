// Package render holds the builders: pure functions from a validated GatewayPattern and its
// resolved chart values to the objects it generates (the chart's workload and the pattern's Istio
// objects), as YAML nodes. No I/O: reading and writing belong to package wire, and deciding what
// to keep of a list's items to package fn.
package render

import (
	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/util/validation/field"

	yn "github.com/gatewaypattern/gateway-pattern/fn/internal/yamlnode"
	"github.com/gatewaypattern/gateway-pattern/krm"
)

// Objects returns every object a validated GatewayPattern generates, marked as owned by it: the
// gateway workload, then the pattern's Istio objects.
func Objects(gp *krm.GatewayPattern, values *krm.ChartValues) []*yaml.Node {
	var objects []*mapping
	if gp.RendersChartWorkload() {
		objects = workload{release: gp.Metadata.Name, namespace: gp.Metadata.Namespace, v: values}.objects()
	}
	if gp.UsesGatewayAPI() {
		return owned(append(objects, gatewayAPIObjects(gp, values)...), gp.OwnerID())
	}
	switch gp.Spec.Pattern {
	case krm.Ingress:
		objects = append(objects, ingressObjects(gp, values)...)
	case krm.Egress:
		objects = append(objects, egressObjects(gp, values)...)
		objects = append(objects, lockdownObjects(gp, values)...)
	case krm.EastWest:
		objects = append(objects, eastWestObjects(gp, values)...)
	}
	return owned(objects, gp.OwnerID())
}

// owned labels and annotates each generated object as made by owner, so a re-run can tell what
// to replace.
func owned(objects []*mapping, owner string) []*yaml.Node {
	out := make([]*yaml.Node, len(objects))
	for i, obj := range objects {
		meta := obj.node.Content[yn.IndexOfKey(obj.node, "metadata")+1]
		(&mapping{child(meta, "labels")}).set(krm.ManagedByLabel, krm.ManagedByValue)
		(&mapping{child(meta, "annotations")}).set(krm.OwnerAnnotation, owner)
		out[i] = obj.node
	}
	return out
}

// child returns the mapping under key in m, adding an empty one when it is missing.
func child(m *yaml.Node, key string) *yaml.Node {
	if i := yn.IndexOfKey(m, key); i >= 0 {
		return m.Content[i+1]
	}
	c := newMapping()
	(&mapping{m}).set(key, c)
	return c.node
}

// Workload renders the objects `helm template NAME istio/gateway -n NAMESPACE` renders for the
// given chart values (no pattern defaults), as the function emits them. It is the seam the Helm
// parity test compares against the real chart.
func Workload(name, namespace string, values map[string]any) ([]*yaml.Node, field.ErrorList) {
	resolved, problems := krm.CheckValues(nil, values, field.NewPath("values"))
	if len(problems.Errors) > 0 {
		return nil, problems.Errors
	}
	objects := workload{release: name, namespace: namespace, v: resolved}.objects()
	return owned(objects, namespace+"/"+name), nil
}
