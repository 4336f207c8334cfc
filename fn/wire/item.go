package wire

import (
	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/util/validation/field"

	yn "github.com/gatewaypattern/gateway-pattern/fn/internal/yamlnode"
)

// Item is one object of a ResourceList or of a stream: one that was read, or a new one. It is
// opaque on purpose: an item that was read is written back as the bytes it came as, so an edit
// made to its parsed form would be lost without a word. Its contents can be read (String, Tree),
// never changed; to change an object, make a new item.
type Item struct{ node *yaml.Node }

// NewItem makes a new item of object, a YAML node the caller no longer changes: it is encoded
// when the list is written.
func NewItem(object *yaml.Node) Item { return Item{object} }

// IsZero reports whether it is no item at all (a ResourceList without a functionConfig).
func (it Item) IsZero() bool { return it.node == nil }

// String returns the scalar at path (keys of nested mappings), or "" when there is none.
func (it Item) String(path ...string) string { return yn.StringAt(it.node, path...) }

// IsMapping reports whether the item is a YAML mapping.
func (it Item) IsMapping() bool { return yn.IsMapping(it.node) }

// IsObject reports whether the item is a YAML mapping with at least one field, as every
// Kubernetes object is.
func (it Item) IsObject() bool { return yn.IsMapping(it.node) && len(it.node.Content) > 0 }

// KindName names the kind of YAML node the item is, for messages: mapping, list, scalar value
// or alias.
func (it Item) KindName() string { return kindName(it.node) }

// Tree returns the item as a document tree for strict decoding (see toTree).
func (it Item) Tree() (any, field.ErrorList) { return toTree(it.node) }

// nodes returns the items' nodes, for writing.
func nodes(items []Item) []*yaml.Node {
	out := make([]*yaml.Node, len(items))
	for i, it := range items {
		out[i] = it.node
	}
	return out
}
