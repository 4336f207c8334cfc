package krm

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/gatewaypattern/gateway-pattern/krm/internal/fielderr"
)

// A document tree is what YAML decodes into: map[string]any, []any, string, int, float64, bool
// and nil. Decoding a tree into a Go type is strict: every key must name a field, every value
// must have the field's type, and every problem is reported with its path — not just the first.

// treeDecoder is implemented by types that decode themselves from a document tree.
type treeDecoder interface {
	decodeTree(v any, path *field.Path) field.ErrorList
}

var (
	treeDecoderType    = reflect.TypeFor[treeDecoder]()
	jsonUnmarshalerTyp = reflect.TypeFor[json.Unmarshaler]()
	rawType            = reflect.TypeFor[Raw]()
)

// decodeTree decodes the document tree v into the value dst points to.
func decodeTree(v any, dst any, path *field.Path) field.ErrorList {
	return decodeValue(v, reflect.ValueOf(dst).Elem(), path)
}

func decodeValue(v any, dst reflect.Value, path *field.Path) field.ErrorList {
	if dst.Type() == rawType {
		panic("krm: a Raw value is decoded only as a struct field with a kube tag")
	}
	if dst.CanAddr() && dst.Addr().Type().Implements(treeDecoderType) {
		return dst.Addr().Interface().(treeDecoder).decodeTree(v, path)
	}
	if dst.Kind() == reflect.Pointer {
		if v == nil {
			return nil
		}
		elem := reflect.New(dst.Type().Elem())
		errs := decodeValue(v, elem.Elem(), path)
		dst.Set(elem)
		return errs
	}
	if dst.Kind() == reflect.Interface {
		if v != nil {
			dst.Set(reflect.ValueOf(v))
		}
		return nil
	}
	if dst.CanAddr() && dst.Addr().Type().Implements(jsonUnmarshalerTyp) {
		// Kubernetes' own scalar types (Quantity, IntOrString, Time) decode themselves from JSON.
		if v == nil {
			return nil
		}
		data, err := json.Marshal(v)
		if err == nil {
			err = dst.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(data)
		}
		if err != nil {
			return field.ErrorList{field.Invalid(path, v, unmarshalDetail(err))}
		}
		return nil
	}
	if v == nil {
		if dst.Kind() == reflect.Map || dst.Kind() == reflect.Slice {
			return nil // a null object or list is an empty one (the chart's way to drop a default)
		}
		return field.ErrorList{field.Invalid(path, nil, "must be "+typeName(dst.Type())+", not null")}
	}
	switch dst.Kind() {
	case reflect.Struct:
		return decodeStruct(v, dst, path)
	case reflect.Map:
		return decodeMap(v, dst, path)
	case reflect.Slice:
		if dst.Type().Elem().Kind() == reflect.Uint8 { // []byte is base64 text in Kubernetes JSON
			return decodeViaJSON(v, dst, path)
		}
		return decodeSlice(v, dst, path)
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			return field.ErrorList{field.Invalid(path, v, "must be a string")}
		}
		dst.SetString(s)
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			return field.ErrorList{field.Invalid(path, v, "must be a boolean (true or false)")}
		}
		dst.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, ok := asInt(v)
		if !ok {
			return field.ErrorList{field.Invalid(path, v, "must be an integer")}
		}
		if dst.OverflowInt(i) {
			return field.ErrorList{field.Invalid(path, v, fmt.Sprintf("must be an integer between %d and %d", minInt(dst.Type()), maxInt(dst.Type())))}
		}
		dst.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		i, ok := asInt(v)
		if !ok || i < 0 || dst.OverflowUint(uint64(i)) {
			return field.ErrorList{field.Invalid(path, v, "must be a non-negative integer")}
		}
		dst.SetUint(uint64(i))
	case reflect.Float32, reflect.Float64:
		switch n := v.(type) {
		case int:
			dst.SetFloat(float64(n))
		case float64:
			dst.SetFloat(n)
		default:
			return field.ErrorList{field.Invalid(path, v, "must be a number")}
		}
	default:
		return decodeViaJSON(v, dst, path)
	}
	return nil
}

func decodeViaJSON(v any, dst reflect.Value, path *field.Path) field.ErrorList {
	data, err := json.Marshal(v)
	if err == nil {
		err = json.Unmarshal(data, dst.Addr().Interface())
	}
	if err != nil {
		return field.ErrorList{field.Invalid(path, v, unmarshalDetail(err))}
	}
	return nil
}

func decodeStruct(v any, dst reflect.Value, path *field.Path) field.ErrorList {
	m, ok := v.(map[string]any)
	if !ok {
		return field.ErrorList{field.Invalid(path, v, "must be an object")}
	}
	fields := structFields(dst.Type())
	var errs field.ErrorList
	for _, key := range sortedKeys(m) {
		index, ok := fields.byName[key]
		if !ok {
			errs = append(errs, fielderr.UnknownField(path.Child(key), key, fields.names))
			continue
		}
		if kubeType := fields.kube[key]; kubeType != "" {
			raw := dst.FieldByIndex(index).Addr().Interface().(*Raw)
			errs = append(errs, raw.decodeKube(m[key], kubeType, path.Child(key))...)
			continue
		}
		fieldErrs := decodeValue(m[key], dst.FieldByIndex(index), path.Child(key))
		if len(fieldErrs) == 0 && fields.defaulted[key] && dst.FieldByIndex(index).IsZero() {
			fieldErrs = field.ErrorList{explicitZero(path.Child(key), key, m[key])}
		}
		errs = append(errs, fieldErrs...)
	}
	return errs
}

// explicitZero reports a field with a default written as its zero value (port: 0, protocol: ""):
// the default applies only where the field is left out, and a written 0 or "" is a mistake to
// point at, not a value to replace in silence.
func explicitZero(path *field.Path, key string, v any) *field.Error {
	what := "0"
	if _, isString := v.(string); isString {
		what = "empty"
	}
	return field.Invalid(path, v, fmt.Sprintf("must not be %s; leave %s out for its default", what, key))
}

func decodeMap(v any, dst reflect.Value, path *field.Path) field.ErrorList {
	m, ok := v.(map[string]any)
	if !ok {
		return field.ErrorList{field.Invalid(path, v, "must be an object")}
	}
	if dst.Type().Key().Kind() != reflect.String {
		return decodeViaJSON(v, dst, path)
	}
	out := reflect.MakeMapWithSize(dst.Type(), len(m))
	var errs field.ErrorList
	for _, key := range sortedKeys(m) {
		elem := reflect.New(dst.Type().Elem()).Elem()
		errs = append(errs, decodeValue(m[key], elem, path.Key(key))...)
		out.SetMapIndex(reflect.ValueOf(key).Convert(dst.Type().Key()), elem)
	}
	dst.Set(out)
	return errs
}

func decodeSlice(v any, dst reflect.Value, path *field.Path) field.ErrorList {
	list, ok := v.([]any)
	if !ok {
		return field.ErrorList{field.Invalid(path, v, "must be a list")}
	}
	out := reflect.MakeSlice(dst.Type(), len(list), len(list))
	var errs field.ErrorList
	for i, item := range list {
		errs = append(errs, decodeValue(item, out.Index(i), path.Index(i))...)
	}
	dst.Set(out)
	return errs
}

// fieldSet maps the JSON names of a struct's fields (embedded ",inline" structs flattened) to
// their index paths, and the names of Raw fields to their kube tags.
type fieldSet struct {
	byName map[string][]int
	names  []string
	kube   map[string]string
	// defaulted are the fields tagged `krm:"defaulted"`: left out they get a default, so their
	// zero value written out is an error.
	defaulted map[string]bool
}

// DefaultedTag is the struct tag (krm:"defaulted") of a field that has a default: leaving it out
// gives the default, and writing its zero value (0, "") is an error.
const DefaultedTag = "defaulted"

// fieldSets caches structFields: the same types are decoded on every run.
var fieldSets sync.Map // reflect.Type -> fieldSet

func structFields(t reflect.Type) fieldSet {
	if cached, ok := fieldSets.Load(t); ok {
		return cached.(fieldSet)
	}
	set := fieldSet{byName: map[string][]int{}, kube: map[string]string{}, defaulted: map[string]bool{}}
	var walk func(t reflect.Type, prefix []int)
	walk = func(t reflect.Type, prefix []int) {
		for i := range t.NumField() {
			f := t.Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" || (!f.IsExported() && !f.Anonymous) {
				continue
			}
			index := append(append([]int{}, prefix...), i)
			if f.Anonymous && (name == "" || strings.Contains(opts, "inline")) && f.Type.Kind() == reflect.Struct {
				walk(f.Type, index)
				continue
			}
			if name == "" {
				name = f.Name
			}
			set.byName[name] = index
			set.names = append(set.names, name)
			set.defaulted[name] = f.Tag.Get("krm") == DefaultedTag
			if f.Type == rawType {
				kubeType := f.Tag.Get("kube")
				if kubeType == "" {
					panic(fmt.Sprintf("krm: Raw field %s.%s has no kube tag", t, f.Name))
				}
				set.kube[name] = kubeType
			}
		}
	}
	walk(t, nil)
	sort.Strings(set.names)
	fieldSets.Store(t, set)
	return set
}

func asInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case uint64:
		if n <= math.MaxInt64 {
			return int64(n), true
		}
	}
	return 0, false
}

func minInt(t reflect.Type) int64 { return -1 << (t.Bits() - 1) }
func maxInt(t reflect.Type) int64 { return 1<<(t.Bits()-1) - 1 }

func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice:
		return "a list"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Float32, reflect.Float64:
		return "a number"
	default:
		return "an integer"
	}
}

// unmarshalDetail turns a JSON decoding error of a Kubernetes type into a short sentence.
func unmarshalDetail(err error) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "json: ")
	return msg
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
