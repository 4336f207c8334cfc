package istioapi

import (
	"fmt"
	"strconv"
	"time"

	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/durationpb"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The function reads and completes decoded messages (dynamicpb messages of istio.binpb's descriptors,
// see descriptors.go) by their fields' JSON names, the names Istio's CRDs and the user write, in
// place of the generated getters of istio.io/api's Go types, which the function does not link. A
// name the message does not declare panics: it is a defect of the caller, which the tests reach.

func fieldOf(m protoreflect.Message, name string) protoreflect.FieldDescriptor {
	fd := m.Descriptor().Fields().ByJSONName(name)
	if fd == nil {
		panic(fmt.Sprintf("istioapi: %s has no field %s", m.Descriptor().FullName(), name))
	}
	return fd
}

// String is a string field's value ("" when unset).
func String(m protoreflect.Message, name string) string {
	return m.Get(fieldOf(m, name)).String()
}

// EnumName is the name of an enum field's value (the first value, as protojson has it, when
// unset), or its number for a number the enum does not name, as a generated enum's String gives.
func EnumName(m protoreflect.Message, name string) string {
	fd := fieldOf(m, name)
	n := m.Get(fd).Enum()
	if ev := fd.Enum().Values().ByNumber(n); ev != nil {
		return string(ev.Name())
	}
	return strconv.Itoa(int(n))
}

// Int is an integer field's value (0 when unset).
func Int(m protoreflect.Message, name string) int64 {
	fd := fieldOf(m, name)
	switch fd.Kind() {
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return int64(m.Get(fd).Uint())
	}
	return m.Get(fd).Int()
}

// Has reports whether a field is set: a message field (a generated getter's non-nil), a list or
// map with items, a member of a oneof, or a scalar other than its zero.
func Has(m protoreflect.Message, name string) bool {
	return m.Has(fieldOf(m, name))
}

// Bool is a bool field's value (false when unset), such as the value of a google.protobuf.BoolValue.
func Bool(m protoreflect.Message, name string) bool {
	return m.Get(fieldOf(m, name)).Bool()
}

// Float is a double or float field's value (0 when unset), such as the value of Istio's Percent.
func Float(m protoreflect.Message, name string) float64 {
	return m.Get(fieldOf(m, name)).Float()
}

// Duration is a google.protobuf.Duration field's value as durationpb's AsDuration gives it (0 when
// unset, saturated beyond time.Duration's range).
func Duration(m protoreflect.Message, name string) time.Duration {
	d := Sub(m, name)
	return (&durationpb.Duration{Seconds: Int(d, "seconds"), Nanos: int32(Int(d, "nanos"))}).AsDuration()
}

// Which is the JSON name of the field set in the oneof of m named oneof (its .proto name, such as
// StringMatch's match_type: a oneof has no JSON name), or "" when none is: a generated oneof's type
// switch.
func Which(m protoreflect.Message, oneof string) string {
	od := m.Descriptor().Oneofs().ByName(protoreflect.Name(oneof))
	if od == nil {
		panic(fmt.Sprintf("istioapi: %s has no oneof %s", m.Descriptor().FullName(), oneof))
	}
	if fd := m.WhichOneof(od); fd != nil {
		return fd.JSONName()
	}
	return ""
}

// Text is a message in protobuf's compact text format, as a generated message's String gives it
// (for an error that quotes a value the user wrote).
func Text(m protoreflect.Message) string {
	return prototext.MarshalOptions{}.Format(m.Interface())
}

// Len is the length of a list or map field (0 when unset).
func Len(m protoreflect.Message, name string) int {
	fd := fieldOf(m, name)
	if fd.IsMap() {
		return m.Get(fd).Map().Len()
	}
	return m.Get(fd).List().Len()
}

// Strings is a list of strings field's items.
func Strings(m protoreflect.Message, name string) []string {
	list := m.Get(fieldOf(m, name)).List()
	out := make([]string, list.Len())
	for i := range out {
		out[i] = list.Get(i).String()
	}
	return out
}

// Messages is a list of messages field's items.
func Messages(m protoreflect.Message, name string) []protoreflect.Message {
	list := m.Get(fieldOf(m, name)).List()
	out := make([]protoreflect.Message, list.Len())
	for i := range out {
		out[i] = list.Get(i).Message()
	}
	return out
}

// StringMap is a map<string, string> field's entries (an empty map when unset).
func StringMap(m protoreflect.Message, name string) map[string]string {
	out := map[string]string{}
	m.Get(fieldOf(m, name)).Map().Range(func(k protoreflect.MapKey, v protoreflect.Value) bool {
		out[k.String()] = v.String()
		return true
	})
	return out
}

// MessageMap is a map<string, message> field's entries (an empty map when unset); its order is
// the caller's to choose, such as slices.Sorted(maps.Keys(...)).
func MessageMap(m protoreflect.Message, name string) map[string]protoreflect.Message {
	out := map[string]protoreflect.Message{}
	m.Get(fieldOf(m, name)).Map().Range(func(k protoreflect.MapKey, v protoreflect.Value) bool {
		out[k.String()] = v.Message()
		return true
	})
	return out
}

// Sub is a message field's value; unset, an empty read-only message whose fields read as unset
// (as a generated getter on a nil message reads zero).
func Sub(m protoreflect.Message, name string) protoreflect.Message {
	return m.Get(fieldOf(m, name)).Message()
}

// Set decodes tree (a document tree, as Decode takes) as the value of m's field and sets it, for
// the values the function writes itself (a default, the short form of a route). A tree Decode
// refuses panics: the function wrote it.
func Set(m protoreflect.Message, name string, tree any) {
	fd := fieldOf(m, name)
	tmp := m.New()
	if errs := Decode(map[string]any{name: tree}, tmp.Interface(), field.NewPath(name)); len(errs) > 0 {
		panic(fmt.Sprintf("istioapi: setting %s.%s: %v", m.Descriptor().FullName(), name, errs.ToAggregate()))
	}
	m.Set(fd, tmp.Get(fd))
}
