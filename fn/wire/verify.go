package wire

import (
	"bytes"
	"errors"
	"slices"

	yaml "go.yaml.in/yaml/v3"

	yn "github.com/gatewaypattern/gateway-pattern/fn/internal/yamlnode"
)

// Splicing copies text and relies on where the parser put each node. For the common document (block
// style, no comments, anchors, tags, document markers or unusual line breaks) that is known to hold,
// and the fuzz target FuzzSplice keeps proving it. Anything else, the parser itself checks: the
// spliced text is read again, and it must read exactly as the document it stands for (values and
// comments where the parser attaches them). When it does not, the whole document is encoded again
// from its nodes, and that is checked the same way; when neither reads as meant, Write refuses
// rather than write something else (ErrCannotWrite).

// ErrCannotWrite is returned by Write when neither splicing nor encoding the document again gives
// text that reads as the list: the caller then gives the input back unchanged.
var ErrCannotWrite = errors.New("the ResourceList cannot be written so that it reads as it should (its comments or anchors would move); nothing was changed")

// unusual reports whether text holds anything splicing is not sure of: a comment, an anchor, an
// alias or a tag (# & * !), a directive or a document marker, a line break other than \n and \r\n
// (the parser also breaks lines at a lone \r, U+0085, U+2028 and U+2029), or no final line break.
// A byte in a quoted value counts too: that only costs a check.
func unusual(text []byte) bool {
	return bytes.ContainsAny(text, "#&*!%\r\u0085\u2028\u2029") || !bytes.HasSuffix(text, []byte("\n")) ||
		bytes.HasPrefix(text, []byte("---")) || bytes.Contains(text, []byte("\n---")) || bytes.Contains(text, []byte("\n..."))
}

// intended is the document as it is to be read: the input's, with the given items and results
// (nil: none) in place of its own.
func (s *source) intended(items []*yaml.Node, results *yaml.Node) *yaml.Node {
	top := &yaml.Node{Kind: yaml.MappingNode, Tag: s.top.Tag, Content: slices.Clone(s.top.Content),
		HeadComment: s.top.HeadComment, LineComment: s.top.LineComment, FootComment: s.top.FootComment}
	seq := s.itemsNode(items)
	if len(items) == 0 && yn.IndexOfKey(top, "items") < 0 {
		seq = nil // a list without items and none to add is written without the field
	}
	if i := yn.IndexOfKey(top, "items"); i >= 0 && seq.LineComment != "" && top.Content[i].LineComment == "" {
		// yaml.v3 writes a list's line comment after the field that follows it; written after
		// the key, it is read as the key's.
		key := *top.Content[i]
		key.LineComment, seq.LineComment = seq.LineComment, ""
		top.Content[i] = &key
	}
	if seq != nil {
		setField(top, "items", seq)
	}
	if results != nil {
		setField(top, "results", results)
	} else if i := yn.IndexOfKey(top, "results"); i >= 0 {
		top.Content = slices.Delete(top.Content, i, i+2)
	}
	return &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{top},
		HeadComment: s.doc.HeadComment, LineComment: s.doc.LineComment, FootComment: s.doc.FootComment}
}

// readsAs reports whether text is a YAML document that yaml.v3 reads as want.
func readsAs(text []byte, want *yaml.Node) bool {
	var got yaml.Node
	if yaml.Unmarshal(text, &got) != nil {
		return false
	}
	budget := 1 << 22
	return sameReading(&got, want, &budget)
}

// sameReading reports whether a and b read alike: kind, resolved tag and value, and comments, all
// the way down. Two aliases read alike when they name anchors of the same name; an alias and a
// node read alike when what the alias names does. budget bounds the nodes compared.
func sameReading(a, b *yaml.Node, budget *int) bool {
	if *budget--; *budget < 0 {
		return false
	}
	if a.Kind == yaml.AliasNode && b.Kind == yaml.AliasNode {
		return ownCommentsEqual(a, b) && a.Alias != nil && b.Alias != nil && a.Alias.Anchor == b.Alias.Anchor
	}
	if a.Kind == yaml.AliasNode {
		return a.Alias != nil && sameReading(a.Alias, b, budget)
	}
	if b.Kind == yaml.AliasNode {
		return b.Alias != nil && sameReading(a, b.Alias, budget)
	}
	if a.Kind != b.Kind || len(a.Content) != len(b.Content) || !ownCommentsEqual(a, b) {
		return false
	}
	if a.Kind == yaml.ScalarNode && (a.Value != b.Value || a.ShortTag() != b.ShortTag()) {
		return false
	}
	for i := range a.Content {
		if !sameReading(a.Content[i], b.Content[i], budget) {
			return false
		}
	}
	return true
}

func ownCommentsEqual(a, b *yaml.Node) bool {
	return a.HeadComment == b.HeadComment && a.LineComment == b.LineComment && a.FootComment == b.FootComment
}

// withoutDanglingAliases returns doc, or a copy of it in which every alias whose anchor is not
// written before it (the item that held the anchor is gone) is replaced by a copy of what it
// named: the same values, without the alias.
func withoutDanglingAliases(doc *yaml.Node) *yaml.Node {
	defined := map[*yaml.Node]bool{}
	dangling := false
	var scan func(n *yaml.Node)
	scan = func(n *yaml.Node) {
		if n.Kind == yaml.AliasNode {
			dangling = dangling || !defined[n.Alias]
			return
		}
		if n.Anchor != "" {
			defined[n] = true
		}
		for _, c := range n.Content {
			scan(c)
		}
	}
	scan(doc)
	if !dangling {
		return doc
	}
	defined = map[*yaml.Node]bool{}
	var expand func(n *yaml.Node) *yaml.Node
	expand = func(n *yaml.Node) *yaml.Node {
		if n.Kind == yaml.AliasNode && !defined[n.Alias] {
			c := expand(n.Alias)
			c.Anchor = ""
			return c
		}
		c := *n
		if n.Anchor != "" {
			defined[n] = true
		}
		c.Content = make([]*yaml.Node, len(n.Content))
		for i, child := range n.Content {
			c.Content[i] = expand(child)
		}
		return &c
	}
	return expand(doc)
}
