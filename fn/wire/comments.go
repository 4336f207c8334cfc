package wire

import (
	"bytes"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"

	yn "github.com/gatewaypattern/gateway-pattern/fn/internal/yamlnode"
)

// Where comments belong when text is spliced.
//
// The YAML parser that kpt and kustomize read our output with (yaml.v3, through kyaml) gives
// every comment to a node: the head comment of what follows it, or the foot comment of what it
// follows, or of a list or key around that. Which one depends on blank lines, on indentation
// and on the shape of the nodes around it. Text we add next to comments can move them to another
// node: kpt would then write such a comment into another file, or drop it, or lose it the next
// run with the generated object it landed on. So:
//   - the comments directly above an item, which the parser gives it as its head comment, are
//     part of its text (withTrailer): they go where it goes, and new items go before them;
//   - where two pieces of text meet that did not meet in the input, the parser itself is asked
//     which way of joining them keeps every comment where it was (join).

// withTrailer returns the span [start, end) with its trailer: the lines at its end that hold
// head, the head comment the parser gave to what follows. They must be directly above it, line
// for line; otherwise there is no trailer, and the comments stay in the body.
func (s *source) withTrailer(start, end int, head string) span {
	whole := span{start: start, body: end, end: end}
	if head == "" {
		return whole
	}
	lines := strings.Split(head, "\n")
	n, body := s.lineBefore(end), end
	for k := len(lines) - 1; k >= 0; k, n = k-1, n-1 {
		if n < 1 || s.lineStart(n) <= start || !bytes.Equal(bytes.TrimSpace(s.line(n)), []byte(strings.TrimSpace(lines[k]))) {
			return whole
		}
		body = s.lineStart(n)
	}
	return span{start: start, body: body, end: end}
}

// commentBlock returns where the comment lines at the end of [start, end) that are indented no
// deeper than indent begin, with blank lines among and after them. It returns end when there are
// none. The first line (a key or a "-") is never one, and neither is a line inside a quoted or
// block scalar that node ends with.
func (s *source) commentBlock(start, end, indent int, node *yaml.Node) int {
	block, first := end, 0
	for n := s.lineBefore(end); n > 0 && s.lineStart(n) > start; n-- {
		line := s.line(n)
		content := bytes.TrimLeft(line, " \t")
		if len(content) == 0 {
			continue
		}
		if content[0] != '#' || len(line)-len(content) > indent {
			break
		}
		block, first = s.lineStart(n), n
	}
	if block < end && (block < s.quotedEnd(lastNode(node)) || s.inBlockScalar(first, lastNode(node))) {
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

// piece is a run of the text of the output's items: one item that came in, with the comments
// directly above it; new items; the comments that introduce the field after the items; or a
// field added after the items at the end of the document (results).
type piece struct {
	item int // the index of the item that came in, or one of the kinds below
	text []byte
}

const (
	newItems     = -1
	introduction = -2
	addedField   = -3
)

// join returns prev and next as they are to be written one after the other, where they did not
// meet in the input. The parser decides by blank lines, indentation and the shapes around which
// node a comment at their meeting belongs to: the item before (a foot comment), the list, or what
// comes after (a head comment). So when prev is an item that came in and ends in comments, or
// next begins with comments, the ways to join are tried in turn, each by parsing a small
// document of the two (and after, what follows them, read but not written):
//   - new items before the comments at the end of the item before them that are indented no
//     deeper than its "-", which then stay last, as they were;
//   - a blank line between them, or nothing (the blank line first when prev ends in comments);
//   - the comments that introduce the field after the items moved to its indentation;
//   - a field added at the end before the comments that end the document, which stay last.
//
// The first way is taken with which, when the two are read again, (1) the items that came in
// keep their comments (but for those above the first, which come from before its text), (2) new
// items have none (a comment on them would be lost when they are made again, the next run), and
// (3) the field after the items keeps its head comment. When no way keeps all three, the first
// that keeps (1) is taken; failing that (an alias to an anchor outside the two cannot be read
// alone), next goes right after prev.
func (s *source) join(prev, next piece, after []byte) (piece, piece) {
	if len(prev.text) > 0 && prev.text[len(prev.text)-1] != '\n' && len(next.text) > 0 {
		prev.text = append(slices.Clip(prev.text), '\n') // the input's last line, without a line break
	}
	var item span
	var node *yaml.Node
	prevComment := false
	if prev.item >= 0 {
		item, node = s.items.spans[prev.item], s.items.nodes[prev.item]
		_, prevComment = s.lastLine(item.start, item.body, node)
	}
	if !prevComment && !startsWithComment(next.text) {
		return prev, next
	}
	check := checkComments{fresh: prev.item == newItems || next.item == newItems}
	if prev.item >= 0 {
		check.before = node
	}
	if next.item >= 0 {
		check.after = s.items.nodes[next.item]
	}
	if next.item == introduction {
		check.field = s.fieldAfterItems()
	}

	type way struct{ prev, next piece }
	var ways []way
	// before returns the way that puts next before the comment lines the item before ends
	// with: those indented no deeper than its "-", or with anyIndent all of them.
	before := func(anyIndent bool) (way, bool) {
		if prev.item < 0 {
			return way{}, false
		}
		indent := s.items.indent
		if anyIndent {
			indent = math.MaxInt
		}
		block := s.commentBlock(item.start, item.body, indent, node)
		if block == item.body {
			return way{}, false
		}
		at := block - s.items.head(prev.item)
		return way{piece{prev.item, prev.text[:at]}, piece{next.item, join(next.text, prev.text[at:])}}, true
	}
	if w, ok := before(false); ok && next.item == newItems {
		ways = append(ways, w)
	}
	direct := way{prev, next}
	if bytes.HasSuffix(prev.text, []byte("\n\n")) || bytes.HasSuffix(prev.text, []byte("\n\r\n")) {
		ways = append(ways, direct) // a blank line is there already
	} else if blank := (way{prev, piece{next.item, join([]byte("\n"), next.text)}}); prevComment {
		ways = append(ways, blank, direct)
	} else {
		ways = append(ways, direct, blank)
	}
	if next.item == introduction {
		ways = append(ways, way{prev, piece{next.item, indentComments(next.text, s.indent)}})
	}
	if w, ok := before(true); ok && next.item == addedField {
		ways = append(ways, w) // the comments that end the document stay last, after the field
	}
	for _, keptOnly := range []bool{false, true} {
		for _, w := range ways {
			if s.readsWithComments(join(w.prev.text, w.next.text, after), check, keptOnly) {
				return w.prev, w.next
			}
		}
	}
	return prev, next
}

func join(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// startsWithComment reports whether the first line of text that is not blank is a comment.
func startsWithComment(text []byte) bool {
	for line := range bytes.Lines(text) {
		if content := bytes.TrimSpace(line); len(content) > 0 {
			return content[0] == '#'
		}
	}
	return false
}

// indentComments returns text, lines of comments, with every comment indented by indent columns.
func indentComments(text []byte, indent int) []byte {
	var out bytes.Buffer
	for line := range bytes.Lines(text) {
		if content := bytes.TrimLeft(line, " \t"); len(content) > 0 && content[0] == '#' {
			out.WriteString(strings.Repeat(" ", indent))
			line = content
		}
		out.Write(line)
	}
	return out.Bytes()
}

// fieldAfterItems returns the key of the top-level field after the items, or nil.
func (s *source) fieldAfterItems() *yaml.Node {
	if i := yn.IndexOfKey(s.top, "items"); i >= 0 && i+2 < len(s.top.Content) {
		return s.top.Content[i+2]
	}
	return nil
}

// checkComments is what must keep its comments when a join is read again.
type checkComments struct {
	before, after *yaml.Node // the items that came in on either side, or nil
	fresh         bool       // whether new items are among those read
	field         *yaml.Node // the key of the field after the items, or nil
}

// readsWithComments reports whether text, the items of a document and what follows them, is read
// with what check names keeping its comments; with keptOnly, only the items that came in.
func (s *source) readsWithComments(text []byte, check checkComments, keptOnly bool) bool {
	doc := join([]byte(strings.Repeat(" ", s.indent)+"items:\n"), text)
	var probe yaml.Node
	if err := yaml.Unmarshal(doc, &probe); err != nil || len(probe.Content) == 0 || probe.Content[0].Kind != yaml.MappingNode {
		return false
	}
	top := probe.Content[0]
	items := yn.Lookup(top, "items")
	if items == nil || items.Kind != yaml.SequenceNode {
		return false
	}
	read := items.Content
	if check.before != nil {
		if len(read) == 0 || !sameComments(read[0], check.before, true) {
			return false
		}
		read = read[1:]
	}
	if check.after != nil {
		if len(read) == 0 || !sameComments(read[len(read)-1], check.after, false) {
			return false
		}
		read = read[:len(read)-1]
	}
	if keptOnly {
		return true
	}
	if check.fresh && slices.ContainsFunc(read, hasComments) {
		return false
	}
	if check.field != nil {
		return len(top.Content) >= 4 && top.Content[2].HeadComment == check.field.HeadComment
	}
	return true
}

// hasComments reports whether n or any node in it carries a comment.
func hasComments(n *yaml.Node) bool {
	return n.HeadComment != "" || n.LineComment != "" || n.FootComment != "" || slices.ContainsFunc(n.Content, hasComments)
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
// to hold the line: the line then stays where it is, which may leave a comment to what is added
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
