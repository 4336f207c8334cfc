package fn

import (
	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/gatewaypattern/gateway-pattern/krm"
)

// build returns every object a validated GatewayPattern generates, marked as owned by it: the
// gateway workload, then the pattern's Istio objects.
func build(gp *krm.GatewayPattern, values *krm.ChartValues) []*yaml.Node {
	objects := workload{release: gp.Metadata.Name, namespace: gp.Metadata.Namespace, v: values}.objects()
	switch gp.Spec.Pattern {
	case krm.Ingress:
		objects = append(objects, ingressObjects(gp, values)...)
	case krm.Egress:
		objects = append(objects, egressObjects(gp, values)...)
	case krm.EastWest:
		objects = append(objects, eastWestObjects(gp, values)...)
	}
	return owned(objects, ownerID(gp))
}

func owned(objects []*mapping, owner string) []*yaml.Node {
	out := make([]*yaml.Node, len(objects))
	for i, obj := range objects {
		markOwned(obj, owner)
		out[i] = obj.node
	}
	return out
}

// RenderWorkload renders the objects `helm template NAME istio/gateway -n NAMESPACE` renders for
// the given chart values (no pattern defaults), as the function emits them. It is the seam the
// Helm parity test compares against the real chart.
func RenderWorkload(name, namespace string, values map[string]any) ([]*yaml.Node, field.ErrorList) {
	report := krm.CheckValues(nil, values, field.NewPath("values"))
	if len(report.Errors) > 0 {
		return nil, report.Errors
	}
	objects := workload{release: name, namespace: namespace, v: report.Values}.objects()
	return owned(objects, namespace+"/"+name), nil
}
