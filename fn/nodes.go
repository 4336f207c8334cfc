package fn

import "sigs.k8s.io/kustomize/kyaml/yaml"

// Safe readers of arbitrary items: kyaml's accessors (GetKind, GetLabels, …) assume well-formed
// objects and panic on, say, a metadata that is a list. These return "" or nil instead.

// lookup returns the node at path under the object node, or nil.
func lookup(node *yaml.RNode, path ...string) *yaml.Node {
	if node == nil {
		return nil
	}
	n := node.YNode()
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
func stringAt(node *yaml.RNode, path ...string) string {
	if n := lookup(node, path...); n != nil && n.Kind == yaml.ScalarNode {
		return n.Value
	}
	return ""
}

// isMapping reports whether a node is a YAML object.
func isMapping(node *yaml.RNode) bool {
	return node != nil && node.YNode() != nil && node.YNode().Kind == yaml.MappingNode
}
