package conformance

import (
	"fmt"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	sigsyaml "sigs.k8s.io/yaml"
)

// istioOverlays are the keys of a Gateway's parametersRef ConfigMap that Istio's deployment
// controller applies, each as a strategic-merge patch of the object of that type it creates
// (pilot/pkg/config/kube/gatewaycommon/deploymentcontroller.go, applyOverlay: any other key
// fails the whole deployment with "unsupported overlay").
var istioOverlays = map[string]func() any{
	"deployment":              func() any { return &appsv1.Deployment{} },
	"service":                 func() any { return &corev1.Service{} },
	"serviceAccount":          func() any { return &corev1.ServiceAccount{} },
	"horizontalPodAutoscaler": func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"podDisruptionBudget":     func() any { return &policyv1.PodDisruptionBudget{} },
}

// checkConfigMap checks the one ConfigMap gateway-pattern emits, the parametersRef of an
// automatically deployed Gateway: only the keys Istio applies, each a patch that decodes strictly
// into the object type Istio patches with it (a misspelt field would be dropped by the patch).
func checkConfigMap(cm *corev1.ConfigMap) field.ErrorList {
	var errs field.ErrorList
	keys := make([]string, 0, len(cm.Data))
	for k := range cm.Data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := field.NewPath("data").Key(k)
		newObject, ok := istioOverlays[k]
		if !ok {
			errs = append(errs, field.NotSupported(p, k, []string{"deployment", "horizontalPodAutoscaler", "podDisruptionBudget", "service", "serviceAccount"}))
			continue
		}
		js, err := sigsyaml.YAMLToJSON([]byte(cm.Data[k]))
		if err != nil {
			errs = append(errs, field.Invalid(p, cm.Data[k], err.Error()))
			continue
		}
		for _, e := range strictUnmarshal(js, newObject()) {
			errs = append(errs, field.Invalid(p, k, fmt.Sprint(e)))
		}
	}
	return errs
}
