package fn

import yaml "go.yaml.in/yaml/v3"

// Safe readers of arbitrary items: an item may be any YAML (a metadata that is a list, say), so
// these return "" or nil rather than assume a well-formed object.

// lookup returns the node at path under the object node, or nil.
func lookup(node *yaml.Node, path ...string) *yaml.Node {
	if node == nil {
		return nil
	}
	n := node
	for _, key := range path {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		i := indexOfKey(n, key)
		if i < 0 {
			return nil
		}
		n = n.Content[i+1]
	}
	return n
}

// stringAt returns the scalar at path, or "".
func stringAt(node *yaml.Node, path ...string) string {
	if n := lookup(node, path...); n != nil && n.Kind == yaml.ScalarNode {
		return n.Value
	}
	return ""
}

// isMapping reports whether a node is a YAML object.
func isMapping(node *yaml.Node) bool {
	return node != nil && node.Kind == yaml.MappingNode
}
