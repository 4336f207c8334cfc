package krm

import (
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// BenchmarkResolveValues measures the merge of chart defaults, pattern defaults and user values,
// and the strict decode of the result.
func BenchmarkResolveValues(b *testing.B) {
	user := map[string]any{
		"service":     map[string]any{"type": "ClusterIP", "ports": []any{map[string]any{"name": "https", "port": 443}}},
		"autoscaling": map[string]any{"minReplicas": 2, "maxReplicas": 4},
		"labels":      map[string]any{"team": "mesh"},
		"affinity":    map[string]any{"nodeAffinity": map[string]any{}},
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, errs := ResolveValues(nil, user, field.NewPath("values")); len(errs) > 0 {
			b.Fatal(errs)
		}
	}
}
