package render

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strconv"

	yaml "go.yaml.in/yaml/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	yn "github.com/gatewaypattern/gateway-pattern/fn/internal/yamlnode"
)

// protoNode writes an Istio API message (decoded by krm/istioapi) as the YAML Istio's CRDs
// take: camelCase keys, enum names, durations as "5s", wrappers as their plain value. It walks the
// descriptor rather than printing protojson's output, for two reasons: protojson's key order is
// its own and not promised stable across versions (the keys here come in the .proto's
// declaration order, as Istio's documentation lists them, and map keys sorted), and every string
// must go through the one quoting rule (yamlnode.String). Fields left out of skip are written
// when set; a proto3 scalar equal to its zero value counts as unset, as protojson has it.
func protoNode(msg proto.Message, skip ...string) *mapping {
	return messageMapping(msg.ProtoReflect(), skip...)
}

func messageMapping(m protoreflect.Message, skip ...string) *mapping {
	out := newMapping()
	fields := m.Descriptor().Fields()
fieldLoop:
	for i := range fields.Len() {
		fd := fields.Get(i)
		for _, s := range skip {
			if s == fd.JSONName() {
				continue fieldLoop
			}
		}
		if !m.Has(fd) {
			continue
		}
		out.set(fd.JSONName(), fieldNode(m.Get(fd), fd))
	}
	return out
}

func fieldNode(v protoreflect.Value, fd protoreflect.FieldDescriptor) *yaml.Node {
	switch {
	case fd.IsMap():
		entries := map[string]*yaml.Node{}
		v.Map().Range(func(k protoreflect.MapKey, item protoreflect.Value) bool {
			entries[k.String()] = singularNode(item, fd.MapValue())
			return true
		})
		return sortedMapping(entries)
	case fd.IsList():
		seq := sequence()
		list := v.List()
		for i := range list.Len() {
			seq.Content = append(seq.Content, singularNode(list.Get(i), fd))
		}
		return seq
	}
	return singularNode(v, fd)
}

func singularNode(v protoreflect.Value, fd protoreflect.FieldDescriptor) *yaml.Node {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		msg := v.Message()
		if msg.Descriptor().FullName().Parent() == "google.protobuf" {
			return wellKnownNode(msg.Interface())
		}
		return messageMapping(msg).node
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			return yn.String(string(ev.Name()))
		}
		return scalar(yn.TagInt, strconv.FormatInt(int64(v.Enum()), 10))
	case protoreflect.StringKind:
		return yn.String(v.String())
	case protoreflect.BytesKind:
		return yn.String(base64.StdEncoding.EncodeToString(v.Bytes()))
	case protoreflect.BoolKind:
		return toNode(v.Bool())
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
		protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return toNode(v.Int())
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return toNode(v.Uint())
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return toNode(v.Float())
	}
	return yn.String(v.String())
}

// wellKnownNode writes a google.protobuf type (Duration, the wrappers, Struct, ...) in its JSON
// form, which protojson owns: "5s" for a Duration, the plain value for a wrapper.
func wellKnownNode(msg proto.Message) *yaml.Node {
	data, err := protojson.Marshal(msg)
	if err != nil {
		return yn.String(err.Error()) // unreachable for a message Decode filled
	}
	var tree any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&tree); err != nil {
		return yn.String(err.Error())
	}
	return jsonNode(tree)
}

// jsonNode is a decoded JSON value as YAML, numbers as written.
func jsonNode(v any) *yaml.Node {
	switch t := v.(type) {
	case json.Number:
		if _, err := t.Int64(); err == nil {
			return scalar(yn.TagInt, t.String())
		}
		return scalar(yn.TagFloat, t.String())
	case []any:
		seq := sequence()
		for _, item := range t {
			seq.Content = append(seq.Content, jsonNode(item))
		}
		return seq
	case map[string]any:
		entries := map[string]*yaml.Node{}
		for k, item := range t {
			entries[k] = jsonNode(item)
		}
		return sortedMapping(entries)
	}
	return toNode(v)
}
