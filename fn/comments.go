package fn

import (
	"bytes"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// Where comments belong when text is spliced.
//
// The YAML parser that kpt and kustomize read our output with (yaml.v3, through kyaml) gives
// every comment to a node: the head comment of what follows it, or the foot comment of what it
// follows, or of a list or key around that. Which one depends on blank lines, on indentation
// and on the shape of the nodes around it. Text we add next to a kept item's comments can move
// them to another node; kpt would then write such a comment into the wrong file, or drop it.
// So comments are kept with what the parser gave them to:
//   - a block of comments directly above the next item, indented no deeper than its "-", is the
//     trailer of the stretch before (withTrailer): new items go before it, and it stays when the
//     item before it is removed;
//   - where new text follows a kept item that ends in comments, the parser itself is asked
//     which way of joining leaves the item its comments (joinAfterItem).

// withTrailer returns the span [start, end) of node's text with its trailer: the block of comment
// lines at its end, indented no deeper than indent, directly above what follows (no blank line
// between). Comments with a blank line after them stay in the body, and so do a block scalar's
// last lines (|+ keeps blank lines). At the end of the document nothing follows, so there is no
// trailer.
func (s *source) withTrailer(start, end, indent int, node *yaml.Node) span {
	body := end
	if end < s.end {
		body = s.commentBlock(start, end, indent, node, false)
	}
	return span{start: start, body: body, end: end}
}

// commentBlock returns where the comment lines at the end of [start, end) that are indented no
// deeper than indent begin: only those directly at the end, or, with blanks, also those with
// blank lines among and after them. It returns end when there are none. The first line (a key or
// a "-") is never one, and neither is a line inside a quoted scalar that node ends with, which may
// run on over lines of any indentation.
func (s *source) commentBlock(start, end, indent int, node *yaml.Node, blanks bool) int {
	block := end
	for n := s.lineBefore(end); n > 0 && s.lineStart(n) > start; n-- {
		line := s.line(n)
		content := bytes.TrimLeft(line, " \t")
		if len(content) == 0 && blanks {
			continue
		}
		if len(content) == 0 || content[0] != '#' || len(line)-len(content) > indent {
			break
		}
		block = s.lineStart(n)
	}
	if block < end && block < s.quotedEnd(lastNode(node)) {
		return end
	}
	return block
}

// endsInComment reports whether the text [start, end) of node ends in a comment line with no
// blank line after it. Text added right after it then gets a blank line first, or the parser
// would read the comment as the added text's head comment.
func (s *source) endsInComment(start, end int, node *yaml.Node) bool {
	n, comment := s.lastLine(start, end, node)
	return comment && n == s.lineBefore(end)
}

// lastLine returns the number of the last line of [start, end) that is not blank, and whether it
// is a comment (not the content of a quoted or block scalar that node ends with).
func (s *source) lastLine(start, end int, node *yaml.Node) (n int, comment bool) {
	for n = s.lineBefore(end); n > 0 && s.lineStart(n) >= start; n-- {
		content := bytes.TrimLeft(s.line(n), " \t")
		if len(content) == 0 {
			continue
		}
		last := lastNode(node)
		return n, content[0] == '#' && s.lineStart(n) >= s.quotedEnd(last) && !s.inBlockScalar(n, last)
	}
	return 0, false
}

// joinAfterItem returns the text of item i (without its trailer) followed by text, joined so
// that the parser reads the item back with the comments it had. When the item's text ends in
// comments, three ways are tried in turn: text before the comments at the item's end that are
// indented no deeper than its "-" (when moveComments is set; they then stay last, as they were),
// text after them and a blank line, and text right after them. A small document of the item and text is
// parsed for each, and the first with which the item keeps its comments is taken; when none
// does (an alias to an anchor outside the item cannot be parsed alone), text goes right after.
func (s *source) joinAfterItem(i int, text []byte, moveComments bool) []byte {
	item, node := s.items.spans[i], s.items.nodes[i]
	own := s.text[item.start:item.body]
	if !bytes.HasSuffix(own, []byte("\n")) {
		own = append(slices.Clip(own), '\n') // the input's last line, without a line break
	}
	join := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	if _, comment := s.lastLine(item.start, item.body, node); !comment {
		return join(own, text)
	}
	var ways [][]byte
	if moveComments {
		if at := s.commentBlock(item.start, item.body, s.items.indent, node, true) - item.start; at < len(own) {
			ways = append(ways, join(own[:at], text, own[at:]))
		}
	}
	if s.endsInComment(item.start, item.body, node) {
		ways = append(ways, join(own, []byte("\n"), text))
	}
	ways = append(ways, join(own, text))
	for _, way := range ways {
		if s.readsWithComments(way, node) {
			return way
		}
	}
	return join(own, text)
}

// readsWithComments reports whether text, the items of a document, is read with the first item
// having the same comments as item, but for the head comments above it, which come from before
// its text.
func (s *source) readsWithComments(text []byte, item *yaml.Node) bool {
	doc := strings.Repeat(" ", s.indent) + "items:\n" + string(text)
	var probe yaml.Node
	if err := yaml.Unmarshal([]byte(doc), &probe); err != nil || len(probe.Content) == 0 {
		return false
	}
	items := lookup(probe.Content[0], "items")
	return items != nil && items.Kind == yaml.SequenceNode && len(items.Content) > 0 &&
		sameComments(items.Content[0], item, true)
}

// sameComments reports whether a and b have the same shape and comments; with first, not counting
// the head comments of a node and its first descendants.
func sameComments(a, b *yaml.Node, first bool) bool {
	if a.Kind != b.Kind || len(a.Content) != len(b.Content) || a.LineComment != b.LineComment ||
		a.FootComment != b.FootComment || !first && a.HeadComment != b.HeadComment {
		return false
	}
	for i := range a.Content {
		if !sameComments(a.Content[i], b.Content[i], first && i == 0) {
			return false
		}
	}
	return true
}

// quotedEnd returns the offset just past the closing quote of a quoted scalar, which may run on
// over lines of any indentation and hold lines that read as comments, or 0 for other nodes.
func (s *source) quotedEnd(n *yaml.Node) int {
	quote := byte('"')
	switch {
	case n.Style&yaml.SingleQuotedStyle != 0:
		quote = '\''
	case n.Style&yaml.DoubleQuotedStyle == 0:
		return 0
	}
	at := s.offset(n.Line, n.Column)
	if at >= len(s.text) || s.text[at] != quote {
		return len(s.text) // not where the parser said: take it to run to the end
	}
	for i := at + 1; i < len(s.text); i++ {
		switch c := s.text[i]; {
		case c == '\\' && quote == '"':
			i++
		case c == quote && quote == '\'' && i+1 < len(s.text) && s.text[i+1] == '\'':
			i++
		case c == quote:
			return i + 1
		}
	}
	return len(s.text)
}

// inBlockScalar reports whether line n, which reads as a comment, may be the content of last,
// when that is a block scalar (| or >): lines indented as deep as its first line of content are
// content, whatever they hold. A scalar whose indentation is given by an indicator (|2) is taken
// to hold the line: a blank line is then left out, which may move a comment to what is added
// after it, but cannot change a value.
func (s *source) inBlockScalar(n int, last *yaml.Node) bool {
	if last.Kind != yaml.ScalarNode || last.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 || last.Line >= n {
		return false
	}
	header := s.text[s.offset(last.Line, last.Column):s.lineStart(last.Line+1)]
	if end := bytes.IndexAny(header, " \t#"); end >= 0 {
		header = header[:end]
	}
	if bytes.ContainsAny(header, "123456789") {
		return true
	}
	if strings.Trim(last.Value, "\n") == "" {
		return false // no content: line n ends it
	}
	for first := last.Line + 1; first <= n; first++ {
		if line := s.line(first); len(bytes.TrimSpace(line)) > 0 {
			return indentation(s.line(n)) >= indentation(line)
		}
	}
	return false
}

func indentation(line []byte) int { return len(line) - len(bytes.TrimLeft(line, " ")) }

// lineBefore returns the number of the line that holds the byte before offset end.
func (s *source) lineBefore(end int) int { return sort.SearchInts(s.lines, end) }

// offset returns the offset of the given line and column, both counted from 1 in characters, as
// the parser counts them.
func (s *source) offset(line, column int) int {
	at := s.lineStart(line)
	for ; column > 1 && at < len(s.text); column-- {
		_, size := utf8.DecodeRune(s.text[at:])
		at += size
	}
	return at
}
