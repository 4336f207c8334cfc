// Package fielderr holds the one rule for an unknown key, shared by krm's decoder of its own
// types and krm/istioapi's decoder of Istio's messages, so that both say the same thing.
package fielderr

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// UnknownField reports a key that names no field, suggesting the closest known name.
func UnknownField(path *field.Path, key string, known []string) *field.Error {
	detail := "unknown field"
	if guess := Closest(key, known); guess != "" {
		detail += fmt.Sprintf("; did you mean %q?", guess)
	} else if len(known) <= 8 {
		detail += "; known fields: " + strings.Join(known, ", ")
	}
	return field.Invalid(path, key, detail)
}

// Closest returns the known name nearest to key (case-insensitive, or at most a third of its
// letters different), or "" when none is near.
func Closest(key string, known []string) string {
	best, bestDistance := "", len(key)/3+1
	for _, name := range known {
		if strings.EqualFold(name, key) {
			return name
		}
		if d := editDistance(strings.ToLower(key), strings.ToLower(name)); d < bestDistance {
			best, bestDistance = name, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
