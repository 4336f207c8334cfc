// Package istioapi decodes fragments of a GatewayPattern into Istio's own API messages
// (istio.io/api), so that where a field takes Istio's vocabulary it takes all of it, checked by
// Istio's descriptors rather than by fields declared here again. The function's messages are
// dynamicpb messages of istio.io/api's own descriptors, embedded and built on first use
// (descriptors.go says why: start-up time); Decode takes istio.io/api's generated types as well,
// as the tests do.
//
// protojson alone cannot do this job: it stops at the first problem and names it without a path
// (`proto: (line 1:2): unknown field "modee"`), accepts snake_case names that Istio's CRDs do not,
// and enum numbers. So Decode first walks the document tree with the message's descriptor and
// reports every problem at its field path, the way krm reports its own fields; only a fragment
// found clean is handed to protojson to fill the message.
package istioapi

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/gatewaypattern/gateway-pattern/krm/internal/fielderr"
)

// Decode checks the document tree v (map[string]any, []any, string, int, float64, bool, nil,
// as krm decodes YAML) against msg's descriptor and, when it is clean, fills msg from it. Keys are
// the camelCase JSON names Istio's CRDs take; enums are value names; google.protobuf.Duration is
// a string such as "5s"; wrapper types are their plain value. Every problem is reported, each at
// its path under path.
func Decode(v any, msg proto.Message, path *field.Path) field.ErrorList {
	if errs := checkMessage(v, msg.ProtoReflect().Descriptor(), path); len(errs) > 0 {
		return errs
	}
	data, err := json.Marshal(v)
	if err == nil {
		err = protojson.Unmarshal(data, msg)
	}
	if err != nil {
		// The walk above accepts only what protojson takes; reaching here is a defect of the walk.
		return field.ErrorList{field.InternalError(path, err)}
	}
	return nil
}

// FieldNames returns the JSON names of md's fields, sorted: the keys Decode accepts.
func FieldNames(md protoreflect.MessageDescriptor) []string {
	fields := md.Fields()
	names := make([]string, fields.Len())
	for i := range names {
		names[i] = fields.Get(i).JSONName()
	}
	sort.Strings(names)
	return names
}

func checkMessage(v any, md protoreflect.MessageDescriptor, path *field.Path) field.ErrorList {
	if v == nil {
		return nil // null is an unset message, as protojson and the API server take it
	}
	switch md.FullName() {
	case "google.protobuf.Duration":
		return checkDuration(v, md, path)
	case "google.protobuf.DoubleValue", "google.protobuf.FloatValue", "google.protobuf.Int64Value",
		"google.protobuf.UInt64Value", "google.protobuf.Int32Value", "google.protobuf.UInt32Value",
		"google.protobuf.BoolValue", "google.protobuf.StringValue", "google.protobuf.BytesValue":
		return checkScalar(v, md.Fields().ByName("value"), path)
	}
	if md.FullName().Parent() == "google.protobuf" {
		// Other well-known types (Struct, Value, Any, Timestamp, ...) have their own JSON forms;
		// protojson knows them, and reports without a path, so the path is added here.
		if err := protojsonCheck(v, md); err != nil {
			return field.ErrorList{field.Invalid(path, v, err.Error())}
		}
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return field.ErrorList{field.Invalid(path, v, "must be an object")}
	}
	var errs field.ErrorList
	fields := md.Fields()
	oneofSet := map[protoreflect.FullName]string{}
	for _, key := range sortedKeys(m) {
		fd := fields.ByJSONName(key)
		if fd == nil {
			errs = append(errs, fielderr.UnknownField(path.Child(key), key, FieldNames(md)))
			continue
		}
		if oneof := fd.ContainingOneof(); oneof != nil && !oneof.IsSynthetic() && m[key] != nil {
			if other, set := oneofSet[oneof.FullName()]; set {
				errs = append(errs, field.Forbidden(path.Child(key),
					fmt.Sprintf("%s is already set; only one of %s may be set", other, oneofNames(oneof))))
				continue
			}
			oneofSet[oneof.FullName()] = key
		}
		errs = append(errs, checkField(m[key], fd, path.Child(key))...)
	}
	return errs
}

func checkField(v any, fd protoreflect.FieldDescriptor, path *field.Path) field.ErrorList {
	switch {
	case v == nil && (fd.IsMap() || fd.IsList() || fd.Kind() == protoreflect.MessageKind):
		return nil // null is an empty list or map, or an unset object, as to krm's decoder
	case fd.IsMap():
		m, ok := v.(map[string]any)
		if !ok {
			return field.ErrorList{field.Invalid(path, v, "must be an object")}
		}
		var errs field.ErrorList
		for _, key := range sortedKeys(m) {
			errs = append(errs, checkMapKey(key, fd.MapKey(), path.Key(key))...)
			errs = append(errs, checkSingular(m[key], fd.MapValue(), path.Key(key))...)
		}
		return errs
	case fd.IsList():
		list, ok := v.([]any)
		if !ok {
			return field.ErrorList{field.Invalid(path, v, "must be a list")}
		}
		var errs field.ErrorList
		for i, item := range list {
			if item == nil {
				errs = append(errs, field.Invalid(path.Index(i), nil, "must be "+kindName(fd)+", not null"))
				continue
			}
			errs = append(errs, checkSingular(item, fd, path.Index(i))...)
		}
		return errs
	}
	return checkSingular(v, fd, path)
}

func checkSingular(v any, fd protoreflect.FieldDescriptor, path *field.Path) field.ErrorList {
	if fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind {
		return checkMessage(v, fd.Message(), path)
	}
	return checkScalar(v, fd, path)
}

func checkScalar(v any, fd protoreflect.FieldDescriptor, path *field.Path) field.ErrorList {
	invalid := func(detail string) field.ErrorList { return field.ErrorList{field.Invalid(path, v, detail)} }
	if v == nil {
		return invalid("must be " + kindName(fd) + ", not null")
	}
	switch fd.Kind() {
	case protoreflect.EnumKind:
		s, ok := v.(string)
		values := fd.Enum().Values()
		names := make([]string, values.Len())
		for i := range names {
			names[i] = string(values.Get(i).Name())
		}
		if !ok || values.ByName(protoreflect.Name(s)) == nil {
			return field.ErrorList{field.NotSupported(path, v, names)}
		}
	case protoreflect.StringKind:
		if _, ok := v.(string); !ok {
			return invalid("must be a string")
		}
	case protoreflect.BytesKind:
		s, ok := v.(string)
		if !ok {
			return invalid("must be a string of base64 text")
		}
		if _, err := base64.StdEncoding.DecodeString(s); err != nil {
			return invalid("must be base64 text")
		}
	case protoreflect.BoolKind:
		if _, ok := v.(bool); !ok {
			return invalid("must be a boolean (true or false)")
		}
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return checkInt(v, path, math.MinInt32, math.MaxInt32)
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return checkInt(v, path, math.MinInt64, math.MaxInt64)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return checkInt(v, path, 0, math.MaxUint32)
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return checkInt(v, path, 0, math.MaxInt64) // a document tree holds no larger integer
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		switch v.(type) {
		case int, int64, float64:
		default:
			return invalid("must be a number")
		}
	}
	return nil
}

func checkInt(v any, path *field.Path, lo, hi int64) field.ErrorList {
	var i int64
	switch n := v.(type) {
	case int:
		i = int64(n)
	case int64:
		i = n
	default:
		return field.ErrorList{field.Invalid(path, v, "must be an integer")}
	}
	if i < lo || i > hi {
		if lo == 0 && hi == math.MaxInt64 {
			return field.ErrorList{field.Invalid(path, v, "must be a non-negative integer")}
		}
		return field.ErrorList{field.Invalid(path, v, fmt.Sprintf("must be an integer between %d and %d", lo, hi))}
	}
	return nil
}

// checkMapKey checks a map's key, which YAML gives as a string whatever the key's type.
func checkMapKey(key string, fd protoreflect.FieldDescriptor, path *field.Path) field.ErrorList {
	if fd.Kind() == protoreflect.StringKind {
		return nil
	}
	if err := protojsonCheckKey(key, fd); err != nil {
		return field.ErrorList{field.Invalid(path, key, "must be a "+kindName(fd)+" key")}
	}
	return nil
}

// checkDuration checks a google.protobuf.Duration by protojson's reading of it, into a message of
// md (durationpb is not linked: the function's descriptors are istio.binpb's, see descriptors.go).
func checkDuration(v any, md protoreflect.MessageDescriptor, path *field.Path) field.ErrorList {
	s, ok := v.(string)
	if ok && protojson.Unmarshal([]byte(jsonString(s)), dynamicpb.NewMessage(md)) == nil {
		return nil
	}
	return field.ErrorList{field.Invalid(path, v, `must be a duration in seconds, such as "5s" or "0.250s"`)}
}

func protojsonCheck(v any, md protoreflect.MessageDescriptor) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := protojson.Unmarshal(data, dynamicpb.NewMessage(md)); err != nil {
		return fmt.Errorf("is not a valid %s: %s", md.Name(), strings.TrimPrefix(err.Error(), "proto: "))
	}
	return nil
}

// protojsonCheckKey checks a non-string map key by its JSON text (Istio's maps have string keys;
// this keeps the walk complete).
func protojsonCheckKey(key string, fd protoreflect.FieldDescriptor) error {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		if key != "true" && key != "false" {
			return fmt.Errorf("not a boolean")
		}
		return nil
	default:
		_, err := json.Number(key).Int64()
		return err
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func oneofNames(oneof protoreflect.OneofDescriptor) string {
	fields := oneof.Fields()
	names := make([]string, fields.Len())
	for i := range names {
		names[i] = fields.Get(i).JSONName()
	}
	return strings.Join(names, ", ")
}

func kindName(fd protoreflect.FieldDescriptor) string {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return "an object"
	case protoreflect.StringKind, protoreflect.EnumKind, protoreflect.BytesKind:
		return "a string"
	case protoreflect.BoolKind:
		return "a boolean"
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return "a number"
	default:
		return "an integer"
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
