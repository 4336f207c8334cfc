// Package yamlnode holds what every part of the function needs to read and make yaml.v3 nodes:
// the core schema's tags and safe readers of arbitrary objects.
package yamlnode

import yaml "go.yaml.in/yaml/v3"

// The YAML core schema's tags, as the parser resolves them.
const (
	TagNull   = "!!null"
	TagBool   = "!!bool"
	TagInt    = "!!int"
	TagFloat  = "!!float"
	TagString = "!!str"
	TagSeq    = "!!seq"
	TagMap    = "!!map"
)

// Safe readers of arbitrary items: an item may be any YAML (a metadata that is a list, say), so
// these return "" or nil rather than assume a well-formed object.

// Lookup returns the node at path under the object node, or nil.
func Lookup(node *yaml.Node, path ...string) *yaml.Node {
	if node == nil {
		return nil
	}
	n := node
	for _, key := range path {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		i := IndexOfKey(n, key)
		if i < 0 {
			return nil
		}
		n = n.Content[i+1]
	}
	return n
}

// StringAt returns the scalar at path, or "".
func StringAt(node *yaml.Node, path ...string) string {
	if n := Lookup(node, path...); n != nil && n.Kind == yaml.ScalarNode {
		return n.Value
	}
	return ""
}

// IsMapping reports whether a node is a YAML object.
func IsMapping(node *yaml.Node) bool {
	return node != nil && node.Kind == yaml.MappingNode
}

// IndexOfKey returns the index of key's node in the mapping m's content, or -1.
func IndexOfKey(m *yaml.Node, key string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return i
		}
	}
	return -1
}
