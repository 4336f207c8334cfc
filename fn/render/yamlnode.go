package render

import (
	"fmt"
	"maps"
	"slices"
	"strconv"

	yaml "go.yaml.in/yaml/v3"

	yn "github.com/gatewaypattern/gateway-pattern/fn/internal/yamlnode"
	"github.com/gatewaypattern/gateway-pattern/krm"
)

// mapping is a YAML object under construction. Keys keep the order they are first set in, so a
// builder reads top to bottom like the manifest it writes.
type mapping struct {
	node *yaml.Node
}

func newMapping() *mapping {
	return &mapping{node: &yaml.Node{Kind: yaml.MappingNode, Tag: yn.TagMap}}
}

// set sets key to value (see toNode for the values it takes), replacing an earlier value in place.
func (m *mapping) set(key string, value any) *mapping {
	v := toNode(value)
	for i := 0; i+1 < len(m.node.Content); i += 2 {
		if m.node.Content[i].Value == key {
			m.node.Content[i+1] = v
			return m
		}
	}
	m.node.Content = append(m.node.Content, yn.String(key), v)
	return m
}

// setIf sets key only when the chart's template would write it: when value is set (see truthy).
func (m *mapping) setIf(key string, value any) *mapping {
	if truthy(value) {
		m.set(key, value)
	}
	return m
}

// merge sets every key of other, in other's order.
func (m *mapping) merge(other *mapping) *mapping {
	for i := 0; i+1 < len(other.node.Content); i += 2 {
		m.set(other.node.Content[i].Value, other.node.Content[i+1])
	}
	return m
}

// truthy reports whether a Go template would take value as set (see krm.Truthy), for the values
// builders pass as well: lists, mappings and nodes under construction.
func truthy(value any) bool {
	switch v := value.(type) {
	case []string:
		return len(v) > 0
	case []*mapping:
		return len(v) > 0
	case *mapping:
		return v != nil && len(v.node.Content) > 0
	case *yaml.Node:
		return v != nil && (v.Kind != yaml.ScalarNode || v.ShortTag() != yn.TagNull)
	}
	return krm.Truthy(value)
}

// toNode converts a Go value into a YAML node. Objects decoded from the user's values
// (map[string]any) come out with sorted keys, as the chart's toYaml writes them.
func toNode(value any) *yaml.Node {
	switch v := value.(type) {
	case *yaml.Node:
		return v
	case *mapping:
		return v.node
	case nil:
		return scalar(yn.TagNull, "null")
	case string:
		return yn.String(v)
	case bool:
		return scalar(yn.TagBool, strconv.FormatBool(v))
	case int:
		return scalar(yn.TagInt, strconv.Itoa(v))
	case int32:
		return scalar(yn.TagInt, strconv.FormatInt(int64(v), 10))
	case int64:
		return scalar(yn.TagInt, strconv.FormatInt(v, 10))
	case uint64:
		return scalar(yn.TagInt, strconv.FormatUint(v, 10))
	case float64:
		return scalar(yn.TagFloat, strconv.FormatFloat(v, 'g', -1, 64))
	case []string:
		seq := sequence()
		for _, s := range v {
			seq.Content = append(seq.Content, toNode(s))
		}
		return seq
	case []any:
		seq := sequence()
		for _, item := range v {
			seq.Content = append(seq.Content, toNode(item))
		}
		return seq
	case []*mapping:
		seq := sequence()
		for _, item := range v {
			seq.Content = append(seq.Content, item.node)
		}
		return seq
	case map[string]any:
		return sortedMapping(v)
	case map[string]string:
		return sortedMapping(v)
	}
	// Unreachable for document trees; print rather than fail.
	return yn.String(fmt.Sprint(value))
}

// sortedMapping is m with its keys sorted, as the chart's toYaml writes a map.
func sortedMapping[V any](m map[string]V) *yaml.Node {
	out := newMapping()
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out.set(k, m[k])
	}
	return out.node
}

func scalar(tag, value string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value}
}

func sequence() *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Tag: yn.TagSeq}
}

// plain is a value the chart prints into its template without quotes, so YAML reads its type
// back from the text: "2" becomes the number 2, "100m" stays a string.
func plain(text string) *yaml.Node {
	var v any
	if err := yaml.Unmarshal([]byte(text), &v); err == nil {
		switch v.(type) {
		case int, float64, bool:
			return toNode(v)
		}
	}
	return toNode(text)
}
