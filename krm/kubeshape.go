package krm

//go:generate go test -run ^TestKubeShapes$ -update .

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/gatewaypattern/gateway-pattern/krm/internal/fielderr"
)

// The Kubernetes types that Raw values are checked against are described, not linked: linking
// k8s.io/api costs every run about a millisecond of package initialisation. kubeshapes_gen.go
// describes each struct type by its JSON fields, generated from k8s.io/api by krm's tests
// (go test ./krm -run TestKubeShapes -update), which also prove that checking a value against
// the description reports exactly what decoding it into the real type reports.
//
// A type is written as in a kube tag: a struct name from kubeShapes ("core/v1.Affinity"),
// "*T" (may be null), "[]T", "map[string]T", a Go scalar kind ("string", "int32", "bool",
// "float64", ...), "any", "bytes" (base64 text), or one of the apimachinery types that decode
// themselves ("resource.Quantity", "intstr.IntOrString", "meta/v1.Time", "meta/v1.FieldsV1").

// kubeField is one JSON field of a Kubernetes struct type: its name and its type.
type kubeField struct{ name, typ string }

// checkKube reports what decoding v into the Kubernetes type typ would report: unknown fields
// (with a "did you mean"), wrong types, out-of-range numbers, bad quantities.
func checkKube(v any, typ string, path *field.Path) field.ErrorList {
	if elem, ok := strings.CutPrefix(typ, "*"); ok {
		if v == nil {
			return nil
		}
		return checkKube(v, elem, path)
	}
	switch typ {
	case "any":
		return nil
	case "resource.Quantity", "intstr.IntOrString", "meta/v1.Time", "meta/v1.FieldsV1":
		if v == nil {
			return nil
		}
		return checkSelfDecoding(v, typ, path)
	}
	if v == nil {
		if strings.HasPrefix(typ, "[]") || strings.HasPrefix(typ, "map[") {
			return nil // a null object or list is an empty one
		}
		return field.ErrorList{field.Invalid(path, nil, "must be "+kubeTypeName(typ)+", not null")}
	}
	if elem, ok := strings.CutPrefix(typ, "[]"); ok {
		list, ok := v.([]any)
		if !ok {
			return field.ErrorList{field.Invalid(path, v, "must be a list")}
		}
		var errs field.ErrorList
		for i, item := range list {
			errs = append(errs, checkKube(item, elem, path.Index(i))...)
		}
		return errs
	}
	if elem, ok := strings.CutPrefix(typ, "map[string]"); ok {
		m, ok := v.(map[string]any)
		if !ok {
			return field.ErrorList{field.Invalid(path, v, "must be an object")}
		}
		var errs field.ErrorList
		for _, key := range sortedKeys(m) {
			errs = append(errs, checkKube(m[key], elem, path.Key(key))...)
		}
		return errs
	}
	switch typ {
	case "string":
		if _, ok := v.(string); !ok {
			return field.ErrorList{field.Invalid(path, v, "must be a string")}
		}
	case "bool":
		if _, ok := v.(bool); !ok {
			return field.ErrorList{field.Invalid(path, v, "must be a boolean (true or false)")}
		}
	case "int8", "int16", "int32", "int64", "int":
		i, ok := asInt(v)
		if !ok {
			return field.ErrorList{field.Invalid(path, v, "must be an integer")}
		}
		bits := intBits(typ)
		if lo, hi := int64(-1)<<(bits-1), int64(1)<<(bits-1)-1; i < lo || i > hi {
			return field.ErrorList{field.Invalid(path, v, fmt.Sprintf("must be an integer between %d and %d", lo, hi))}
		}
	case "uint8", "uint16", "uint32", "uint64", "uint":
		i, ok := asInt(v)
		if !ok || i < 0 || (intBits(typ) < 64 && uint64(i) >= uint64(1)<<intBits(typ)) {
			return field.ErrorList{field.Invalid(path, v, "must be a non-negative integer")}
		}
	case "float32", "float64":
		switch v.(type) {
		case int, float64:
		default:
			return field.ErrorList{field.Invalid(path, v, "must be a number")}
		}
	case "bytes":
		var b []byte
		return viaJSON(v, &b, path)
	default:
		fields, ok := kubeShapes()[typ]
		if !ok {
			panic(fmt.Sprintf("krm: no shape for Kubernetes type %q; regenerate kubeshapes_gen.go", typ))
		}
		m, ok := v.(map[string]any)
		if !ok {
			return field.ErrorList{field.Invalid(path, v, "must be an object")}
		}
		var errs field.ErrorList
		for _, key := range sortedKeys(m) {
			f, found := findKubeField(fields, key)
			if !found {
				names := make([]string, len(fields))
				for i, f := range fields {
					names[i] = f.name
				}
				errs = append(errs, fielderr.UnknownField(path.Child(key), key, names))
				continue
			}
			errs = append(errs, checkKube(m[key], f.typ, path.Child(key))...)
		}
		return errs
	}
	return nil
}

// findKubeField finds a field by name in fields, which are sorted by name.
func findKubeField(fields []kubeField, name string) (kubeField, bool) {
	lo, hi := 0, len(fields)
	for lo < hi {
		mid := (lo + hi) / 2
		if fields[mid].name < name {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(fields) && fields[lo].name == name {
		return fields[lo], true
	}
	return kubeField{}, false
}

// checkSelfDecoding decodes v as the apimachinery type that reads itself from JSON would.
func checkSelfDecoding(v any, typ string, path *field.Path) field.ErrorList {
	switch typ {
	case "resource.Quantity":
		return unmarshalJSON(v, &resource.Quantity{}, path)
	case "intstr.IntOrString":
		return unmarshalJSON(v, &intstr.IntOrString{}, path)
	case "meta/v1.Time":
		var s string
		if errs := viaJSON(v, &s, path); errs != nil {
			return errs
		}
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			return field.ErrorList{field.Invalid(path, v, unmarshalDetail(err))}
		}
	}
	return nil // meta/v1.FieldsV1 holds any JSON
}

// viaJSON decodes v into dst through JSON, as Kubernetes' own decoding would.
func viaJSON(v any, dst any, path *field.Path) field.ErrorList {
	data, err := json.Marshal(v)
	if err == nil {
		err = json.Unmarshal(data, dst)
	}
	if err != nil {
		return field.ErrorList{field.Invalid(path, v, unmarshalDetail(err))}
	}
	return nil
}

// unmarshalJSON has dst decode v from its JSON text itself.
func unmarshalJSON(v any, dst json.Unmarshaler, path *field.Path) field.ErrorList {
	data, err := json.Marshal(v)
	if err == nil {
		err = dst.UnmarshalJSON(data)
	}
	if err != nil {
		return field.ErrorList{field.Invalid(path, v, unmarshalDetail(err))}
	}
	return nil
}

func intBits(typ string) int {
	bits, err := strconv.Atoi(strings.TrimLeft(typ, "uint"))
	if err != nil {
		return 64 // int, uint
	}
	return bits
}

// kubeTypeName names the JSON type of typ for messages, as typeName does for Go types.
func kubeTypeName(typ string) string {
	switch {
	case typ == "string":
		return "a string"
	case typ == "bool":
		return "a boolean"
	case typ == "float32" || typ == "float64":
		return "a number"
	case strings.HasPrefix(typ, "int") || strings.HasPrefix(typ, "uint"):
		return "an integer"
	}
	return "an object"
}
