package wire

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/util/validation/field"

	yn "github.com/gatewaypattern/gateway-pattern/fn/internal/yamlnode"
)

// Limits that keep a hostile functionConfig from exhausting the function: YAML aliases can
// multiply a small document into a huge one, and deep nesting can exhaust the stack.
const (
	maxTreeDepth = 200
	maxTreeNodes = 1_000_000
)

// toTree converts a YAML node into a document tree (map[string]any, []any, string, int,
// float64, bool, nil) for strict decoding. Unlike decoding into interface{}, it keeps the text of
// timestamps and other exotic scalars, reports duplicate keys with their path, and bounds
// aliases and depth.
func toTree(node *yaml.Node) (any, field.ErrorList) {
	c := treeConverter{}
	v := c.convert(node, nil, 0)
	return v, c.errs
}

type treeConverter struct {
	nodes     int
	errs      field.ErrorList
	tooDeep   bool                // the depth limit was reported (once: every path below is as deep)
	expanding map[*yaml.Node]bool // the anchored collections being converted, to catch an alias inside its own anchor
}

func (c *treeConverter) fail(path *field.Path, detail string) {
	if path == nil {
		path = field.NewPath("<root>")
	}
	c.errs = append(c.errs, field.Invalid(path, "", detail))
}

func (c *treeConverter) convert(n *yaml.Node, path *field.Path, depth int) any {
	c.nodes++
	if c.nodes > maxTreeNodes {
		if c.nodes == maxTreeNodes+1 {
			c.fail(path, fmt.Sprintf("the document expands to more than %d values (through aliases?)", maxTreeNodes))
		}
		return nil
	}
	if depth > maxTreeDepth {
		if !c.tooDeep {
			c.tooDeep = true
			c.fail(path, fmt.Sprintf("nested more than %d levels deep", maxTreeDepth))
		}
		return nil
	}
	if n.Anchor != "" && (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) {
		if c.expanding == nil {
			c.expanding = map[*yaml.Node]bool{}
		}
		c.expanding[n] = true
		defer delete(c.expanding, n)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return c.convert(n.Content[0], path, depth)
	case yaml.AliasNode:
		if c.expanding[n.Alias] {
			// yaml.v3 lets "&a [*a]" refer to itself: expanded, it has no end.
			c.fail(path, fmt.Sprintf("the alias *%s refers to the value that holds it", n.Value))
			return nil
		}
		return c.convert(n.Alias, path, depth+1)
	case yaml.MappingNode:
		return c.mapping(n, path, depth)
	case yaml.SequenceNode:
		list := make([]any, len(n.Content))
		for i, item := range n.Content {
			list[i] = c.convert(item, indexPath(path, i), depth+1)
		}
		return list
	case yaml.ScalarNode:
		return scalarValue(n)
	}
	return nil
}

func (c *treeConverter) mapping(n *yaml.Node, path *field.Path, depth int) map[string]any {
	m := make(map[string]any, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		keyNode, valueNode := n.Content[i], n.Content[i+1]
		if keyNode.Kind == yaml.ScalarNode && keyNode.ShortTag() == "!!merge" {
			c.mergeKey(m, valueNode, path, depth)
			continue
		}
		if keyNode.Kind != yaml.ScalarNode {
			c.fail(path, "a key must be a string, not a list or an object; quote it")
			continue
		}
		key, ok := scalarValue(keyNode).(string)
		if !ok {
			c.fail(path, fmt.Sprintf("key %q must be a string; quote it", keyNode.Value))
			continue
		}
		if _, dup := m[key]; dup {
			c.fail(childPath(path, key), "the key appears twice in the same object; remove one")
			continue
		}
		m[key] = c.convert(valueNode, childPath(path, key), depth+1)
	}
	return m
}

// mergeKey applies a YAML merge key (<<: *anchor): keys already present win.
func (c *treeConverter) mergeKey(into map[string]any, v *yaml.Node, path *field.Path, depth int) {
	sources := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		sources = v.Content
	}
	for _, src := range sources {
		merged, ok := c.convert(src, path, depth+1).(map[string]any)
		if !ok {
			c.fail(path, "a merge key (<<) must refer to an object")
			continue
		}
		for k, value := range merged {
			if _, present := into[k]; !present {
				into[k] = value
			}
		}
	}
}

func scalarValue(n *yaml.Node) any {
	switch n.ShortTag() {
	case yn.TagNull:
		return nil
	case yn.TagBool:
		b, err := strconv.ParseBool(strings.ToLower(n.Value))
		if err == nil {
			return b
		}
	case yn.TagInt:
		if i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err == nil {
			if i >= math.MinInt && i <= math.MaxInt {
				return int(i)
			}
		}
	case yn.TagFloat:
		if f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64); err == nil {
			return f
		}
	}
	return n.Value
}

func childPath(path *field.Path, key string) *field.Path {
	if path == nil {
		return field.NewPath(key)
	}
	return path.Child(key)
}

func indexPath(path *field.Path, i int) *field.Path {
	if path == nil {
		return field.NewPath("<root>").Index(i)
	}
	return path.Index(i)
}
