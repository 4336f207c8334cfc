// Package kubetypes names the types of k8s.io/api that GatewayPattern chart values are checked
// against (the kube tags of krm.ChartValues) and resolves those names to Go types. The function
// itself never links k8s.io/api, whose package initialisation alone costs about a millisecond a
// run: it checks values against krm's generated description of these types (krm/kubeshapes_gen.go).
// This package serves the generator of that description (krm's tests) and the schema generator.
package kubetypes

import (
	"fmt"
	"reflect"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
)

// Named are the struct types a kube tag may name, by "group/version.Name".
var Named = map[string]reflect.Type{}

func init() {
	for _, t := range []reflect.Type{
		reflect.TypeFor[corev1.Affinity](),
		reflect.TypeFor[corev1.Container](),
		reflect.TypeFor[corev1.EnvVar](),
		reflect.TypeFor[corev1.Lifecycle](),
		reflect.TypeFor[corev1.LocalObjectReference](),
		reflect.TypeFor[corev1.PodDNSConfig](),
		reflect.TypeFor[corev1.PodSecurityContext](),
		reflect.TypeFor[corev1.Probe](),
		reflect.TypeFor[corev1.SecurityContext](),
		reflect.TypeFor[corev1.Toleration](),
		reflect.TypeFor[corev1.TopologySpreadConstraint](),
		reflect.TypeFor[corev1.Volume](),
		reflect.TypeFor[corev1.VolumeMount](),
		reflect.TypeFor[appsv1.DeploymentStrategy](),
		reflect.TypeFor[autoscalingv2.HorizontalPodAutoscalerBehavior](),
	} {
		Named[Name(t)] = t
	}
}

// Name is the name of a struct type of k8s.io/api or k8s.io/apimachinery in kube tags and in
// krm's generated shapes: "core/v1.Affinity", "meta/v1.ObjectMeta", "resource.Quantity".
func Name(t reflect.Type) string {
	pkg := t.PkgPath()
	if rest, ok := strings.CutPrefix(pkg, "k8s.io/api/"); ok {
		return rest + "." + t.Name()
	}
	if rest, ok := strings.CutPrefix(pkg, "k8s.io/apimachinery/pkg/apis/"); ok {
		return rest + "." + t.Name()
	}
	return pkg[strings.LastIndex(pkg, "/")+1:] + "." + t.Name()
}

// Resolve returns the Go type a kube tag names: a name of Named, "[]" or "map[string]" before a
// tag, or "string".
func Resolve(tag string) (reflect.Type, error) {
	if rest, ok := strings.CutPrefix(tag, "[]"); ok {
		elem, err := Resolve(rest)
		if err != nil {
			return nil, err
		}
		return reflect.SliceOf(elem), nil
	}
	if rest, ok := strings.CutPrefix(tag, "map[string]"); ok {
		elem, err := Resolve(rest)
		if err != nil {
			return nil, err
		}
		return reflect.MapOf(reflect.TypeFor[string](), elem), nil
	}
	if tag == "string" {
		return reflect.TypeFor[string](), nil
	}
	if t, ok := Named[tag]; ok {
		return t, nil
	}
	return nil, fmt.Errorf("kube tag %q names no type of krm/kubetypes", tag)
}
