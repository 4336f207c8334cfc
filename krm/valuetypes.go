package krm

import (
	"fmt"
	"strconv"

	"k8s.io/apimachinery/pkg/api/resource"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Raw is a value the chart copies into an object verbatim (with toYaml): it is kept exactly as
// written, and checked on decoding against the Kubernetes type it ends up as, which its field's
// kube tag names (see kubeshape.go), so that a typo or a wrong type is reported here rather than
// by the API server.
type Raw struct {
	Value any
}

func (r *Raw) decodeKube(v any, kubeType string, path *field.Path) field.ErrorList {
	r.Value = v
	return checkKube(v, "*"+kubeType, path)
}

// IsSet reports whether the value counts as set in the chart's templates: not null, not an
// empty object or list, not "", 0 or false.
func (r Raw) IsSet() bool { return Truthy(r.Value) }

// Truthy is the truth of a value in Go templates (and so in Helm charts): not nil, not an empty
// object, list or string, not zero or false.
func Truthy(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case map[string]any:
		return len(t) > 0
	case []any:
		return len(t) > 0
	case string:
		return t != ""
	case bool:
		return t
	case int:
		return t != 0
	case int32:
		return t != 0
	case int64:
		return t != 0
	case float64:
		return t != 0
	}
	return true
}

// Scalar is a string, number or boolean that the chart prints into a string (labels, env).
type Scalar struct {
	Value any
}

func (s *Scalar) decodeTree(v any, path *field.Path) field.ErrorList {
	switch v.(type) {
	case string, int, int64, uint64, float64, bool:
		s.Value = v
		return nil
	}
	return field.ErrorList{field.Invalid(path, v, "must be a string, number or boolean")}
}

// String prints the value the way the chart's templates print it.
func (s Scalar) String() string {
	switch v := s.Value.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return fmt.Sprint(s.Value)
}

// Quantity is a resource amount as the chart prints it (cpu: 500m, memory: 1Gi, cpu: 2): a string
// or a number that Kubernetes reads as a quantity, or "" for none.
type Quantity struct {
	Scalar
}

// QuantityPattern is the grammar of a Kubernetes quantity, or "".
const QuantityPattern = `^$|^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$`

func (q *Quantity) decodeTree(v any, path *field.Path) field.ErrorList {
	switch v.(type) {
	case string, int, int64, uint64, float64:
		q.Value = v
	default:
		return field.ErrorList{field.Invalid(path, v, "must be a quantity such as 500m, 2 or 1Gi")}
	}
	if text := q.String(); text != "" {
		if _, err := resource.ParseQuantity(text); err != nil {
			return field.ErrorList{field.Invalid(path, v, "must be a quantity such as 500m, 2 or 1Gi")}
		}
	}
	return nil
}

// OptionalInt is an integer that may be unset: the chart writes an unset one as {} or null.
type OptionalInt struct {
	Set   bool
	Value int32
}

func (o *OptionalInt) decodeTree(v any, path *field.Path) field.ErrorList {
	*o = OptionalInt{}
	if m, isMap := v.(map[string]any); v == nil || (isMap && len(m) == 0) {
		return nil
	}
	if errs := decodeTree(v, &o.Value, path); errs != nil {
		return field.ErrorList{field.Invalid(path, v, "must be an integer, or {} for unset")}
	}
	o.Set = o.Value != 0
	return nil
}

func (g *GlobalValues) decodeTree(v any, path *field.Path) field.ErrorList {
	m, ok := v.(map[string]any)
	if !ok {
		return field.ErrorList{field.Invalid(path, v, "must be an object")}
	}
	*g = GlobalValues{Other: map[string]any{}}
	var errs field.ErrorList
	for key, value := range m {
		if key == "networkPolicy" {
			errs = append(errs, decodeTree(value, &g.NetworkPolicy, path.Child(key))...)
			continue
		}
		g.Other[key] = value
	}
	return errs
}
