package wire

import (
	"bytes"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	yn "github.com/gatewaypattern/gateway-pattern/fn/internal/yamlnode"
)

// source is a ResourceList document as it was read, with the places of its top-level fields and
// of its items, so that writing can splice new text in and copy everything else byte for byte.
//
// The YAML parser reports where each node starts (line and column), not where it ends, so the
// places are found from starts: in a block mapping every key starts a line, and in a block
// sequence every item starts on the line of its "-" indicator. A field's text runs from its key's
// line to the next key's line; an item's text runs from its "-" line to the next item's.
//
// The comment lines at the end of such a stretch that the parser gives to what follows (its head
// comment) are the stretch's trailer: they belong with the next item or field. Where comments go
// when text is spliced is told in comments.go.
type source struct {
	text  []byte
	lines []int      // lines[i] is the offset of line i+1 (the parser counts lines from 1)
	doc   *yaml.Node // the document node, with the document's own comments
	top   *yaml.Node // its mapping
	// block is false when the document is written in flow style (JSON, say): then no text can
	// be spliced and the whole document is encoded again.
	block bool
	// indent is the column of the top-level keys (0 unless the whole document is indented).
	indent int
	// unusual is set when the text holds anything splicing is not sure of: then what is spliced
	// is read again to check it (see verify.go).
	unusual bool
	// end is where the document ends: at a "---" or "..." line, or at the end of the input.
	end int
	// fields maps each top-level key to the stretch of text from its line to the next key's.
	fields map[string]span
	// items is set when items is a block sequence: each item's stretch of text.
	items *blockItems
}

// span is a stretch of the text, [start, end); [body, end) is its trailer.
type span struct{ start, body, end int }

type blockItems struct {
	indent int          // the column of the "-" indicators
	spans  []span       // the items' stretches, in the order they came
	nodes  []*yaml.Node // the items themselves
	// firstHead is where the comments directly above the first item begin (its head comment).
	firstHead int
	index     map[*yaml.Node]int
}

func newSource(text []byte, doc *yaml.Node) *source {
	top := doc.Content[0]
	s := &source{text: text, doc: doc, top: top, lines: lineStarts(text), fields: map[string]span{}, unusual: unusual(text)}
	s.block = top.Style&yaml.FlowStyle == 0
	if !s.block {
		return s
	}
	s.indent = top.Column - 1
	if len(top.Content) > 0 {
		// The mapping starts at its tag or anchor when it has one ("--- !!map"), which may
		// stand on another line: its keys' column is the one fields are written at.
		s.indent = top.Content[0].Column - 1
	}
	lastKeyLine := top.Line
	if n := len(top.Content); n >= 2 {
		lastKeyLine = top.Content[n-2].Line
	}
	s.end = s.documentEnd(lastKeyLine)
	for i := 0; i+1 < len(top.Content); i += 2 {
		start := s.lineStart(top.Content[i].Line)
		end, next := s.end, "" // where the next key's line starts, and its head comment
		if i+2 < len(top.Content) {
			end, next = s.lineStart(top.Content[i+2].Line), top.Content[i+2].HeadComment
		}
		s.fields[top.Content[i].Value] = s.withTrailer(start, end, next)
	}
	if items := yn.Lookup(top, "items"); items != nil && items.Kind == yaml.SequenceNode &&
		items.Style&yaml.FlowStyle == 0 && len(items.Content) > 0 {
		s.items = s.findItems(items, s.fields["items"].start, s.fields["items"].body)
	}
	return s
}

// findItems finds the stretch of each item of a block sequence whose field's text runs from start
// to end, and the head comment above the first. It gives up (returns nil) on anything but one
// item per "-" line.
func (s *source) findItems(seq *yaml.Node, start, end int) *blockItems {
	b := &blockItems{indent: seq.Column - 1, spans: make([]span, len(seq.Content)), nodes: seq.Content, index: make(map[*yaml.Node]int, len(seq.Content))}
	starts := make([]int, len(seq.Content))
	for i, item := range seq.Content {
		line := item.Line
		for line > seq.Line && !s.isDashLine(line, b.indent) {
			line--
		}
		if !s.isDashLine(line, b.indent) || (i > 0 && s.lineStart(line) <= starts[i-1]) {
			return nil
		}
		starts[i] = s.lineStart(line)
	}
	for i, item := range seq.Content {
		itemEnd := end
		if i+1 < len(starts) {
			itemEnd = starts[i+1]
		}
		if itemEnd <= starts[i] {
			return nil
		}
		next := ""
		if i+1 < len(seq.Content) {
			next = seq.Content[i+1].HeadComment
		}
		b.spans[i] = s.withTrailer(starts[i], itemEnd, next)
		b.index[item] = i
	}
	b.firstHead = s.withTrailer(start, starts[0], seq.Content[0].HeadComment).body
	return b
}

// rewrite returns the document with items and results in place of its own. A nil results
// removes the document's results. The text is spliced where it can be, and encoded again where
// splicing does not read as meant (see verify.go).
func (s *source) rewrite(items []*yaml.Node, results *yaml.Node) ([]byte, error) {
	if s.block {
		out, err := s.splice(items, results)
		if err != nil {
			return nil, err
		}
		if !s.unusual || readsAs(out, s.intended(items, results)) {
			return out, nil
		}
	}
	return s.reencode(items, results)
}

// splice returns the input's text with the items and results edited in.
func (s *source) splice(items []*yaml.Node, results *yaml.Node) ([]byte, error) {
	var edits []edit
	itemsEdit, endsWith, err := s.itemsEdit(items)
	if err != nil {
		return nil, err
	}
	if itemsEdit != nil {
		edits = append(edits, *itemsEdit)
	}
	resultsEdit, err := s.resultsEdit(results)
	if err != nil {
		return nil, err
	}
	if resultsEdit != nil {
		edits = append(edits, *resultsEdit)
	}
	slices.SortStableFunc(edits, func(a, b edit) int { return a.start - b.start })
	return s.apply(edits, endsWith), nil
}

// edit replaces the text [start, body) of the document with text.
type edit struct {
	span
	text []byte
}

// itemsEdit writes the items: spliced into the input's block sequence, or as a new field. It also
// returns the item that came in whose text ends the spliced items, when one does.
func (s *source) itemsEdit(items []*yaml.Node) (*edit, piece, error) {
	field, hasItems := s.fields["items"]
	if s.items != nil && len(items) > 0 {
		text, endsWith, err := s.spliceItems(items)
		if err != nil {
			return nil, piece{}, err
		}
		return &edit{span{s.items.head(0), field.end, field.end}, text}, endsWith, nil
	}
	none := piece{item: newItems}
	if !hasItems && len(items) == 0 {
		return nil, none, nil
	}
	text, err := encodeField("items", s.itemsNode(items), s.indent)
	if err != nil {
		return nil, none, err
	}
	if !hasItems {
		field = span{s.end, s.end, s.end}
	}
	if trailer := s.text[field.body:field.end]; len(items) > 0 && len(trailer) > 0 {
		// The comments that introduce the next field now follow new items.
		key, list, _ := bytes.Cut(text, []byte("\n"))
		joined, introducing := s.join(piece{newItems, list}, piece{introduction, trailer}, s.lineAfter(field.end))
		text = join(key, []byte("\n"), joined.text, introducing.text)
		field.body = field.end
	}
	return &edit{span{field.start, field.body, field.body}, text}, none, nil
}

// resultsEdit writes the results in place of the input's, or as a new field at the end.
func (s *source) resultsEdit(results *yaml.Node) (*edit, error) {
	field, hasResults := s.fields["results"]
	if !hasResults && results == nil {
		return nil, nil
	}
	var text []byte
	if results != nil {
		var err error
		if text, err = encodeField("results", results, s.indent); err != nil {
			return nil, err
		}
	}
	if !hasResults {
		field = span{s.end, s.end, s.end}
	}
	return &edit{span{field.start, field.body, field.body}, text}, nil
}

// apply writes the document with the edits, which are in order. A field added at the end
// follows the input's text, or the spliced items that end there: it is joined to what it
// follows so that the comments there stay where they were (see join).
func (s *source) apply(edits []edit, endsWith piece) []byte {
	var out bytes.Buffer
	out.Grow(len(s.text) + len(s.text)/8)
	at := 0
	for i, e := range edits {
		out.Write(s.text[at:e.start])
		at = e.body
		appended := e.start == s.end && len(e.text) > 0
		if appended && endsWith.item >= 0 { // the spliced items end the document with that item
			out.Truncate(out.Len() - len(endsWith.text))
			item, added := s.join(endsWith, piece{addedField, e.text}, nil)
			out.Write(item.text)
			out.Write(added.text)
			continue
		}
		if len(e.text) > 0 && out.Len() > 0 && out.Bytes()[out.Len()-1] != '\n' {
			out.WriteByte('\n')
		}
		if appended && (i == 0 || edits[i-1].body < s.end) && s.endsInComment(0, s.end, s.top) { // after the input's text
			out.WriteByte('\n')
		}
		out.Write(e.text)
	}
	out.Write(s.text[at:])
	return out.Bytes()
}

// spliceItems writes the items: those that came in as their own text, new ones encoded. An
// item's text is its stretch without the trailer, after the trailer of the item before it (the
// comments directly above it): an item that is gone takes them along, and new items go after the
// item they follow and before the next one's. Where two pieces meet that did not meet in the
// input, join decides how (see comments.go). It also returns the piece that ends the items when
// that is an item that came in, for results added after it.
func (s *source) spliceItems(items []*yaml.Node) (text []byte, endsWith piece, err error) {
	b := s.items
	var pieces []piece
	var fresh []*yaml.Node
	flush := func() error {
		if len(fresh) == 0 {
			return nil
		}
		encoded, err := encodeIndented(&yaml.Node{Kind: yaml.SequenceNode, Content: fresh}, b.indent)
		if err != nil {
			return err
		}
		pieces = append(pieces, piece{newItems, encoded})
		fresh = fresh[:0]
		return nil
	}
	next := 0 // the first item that came in and is neither written nor passed over
	for _, item := range items {
		i, ok := b.index[item]
		if !ok || i < next {
			fresh = append(fresh, item)
			continue
		}
		if err := flush(); err != nil {
			return nil, piece{}, err
		}
		pieces = append(pieces, piece{i, s.text[b.head(i):b.spans[i].body]})
		next = i + 1
	}
	if err := flush(); err != nil {
		return nil, piece{}, err
	}
	last := len(b.spans) - 1
	field := s.fields["items"]
	pieces = append(pieces, piece{introduction, s.text[field.body:field.end]})

	itemsEnd := field.end
	for j := 1; j < len(pieces); j++ {
		prev, p := pieces[j-1], pieces[j]
		if prev.item >= 0 && (p.item == prev.item+1 || p.item == introduction && prev.item == last) {
			continue // they met like this in the input
		}
		var after []byte
		if p.item == introduction {
			after = s.lineAfter(itemsEnd)
		}
		pieces[j-1], pieces[j] = s.join(prev, p, after)
	}
	var out bytes.Buffer
	for _, p := range pieces {
		out.Write(p.text)
	}
	endsWith = pieces[len(pieces)-2]
	if len(pieces[len(pieces)-1].text) > 0 || itemsEnd != s.end {
		endsWith = piece{item: newItems}
	}
	return out.Bytes(), endsWith, nil
}

// head returns where item i's text begins: at the comments directly above it, which are the
// trailer of the item before it.
func (b *blockItems) head(i int) int {
	if i == 0 {
		return b.firstHead
	}
	return b.spans[i-1].body
}

// lineAfter returns the line that begins at offset at, when the document goes on there.
func (s *source) lineAfter(at int) []byte {
	if at >= s.end {
		return nil
	}
	end := bytes.IndexByte(s.text[at:s.end], '\n')
	if end < 0 {
		return s.text[at:s.end]
	}
	return s.text[at : at+end+1]
}

// reencode writes the document again as YAML from its parsed nodes: a flow-style document (JSON,
// say), or one whose splicing did not read as meant. What it writes must read as meant too.
func (s *source) reencode(items []*yaml.Node, results *yaml.Node) ([]byte, error) {
	doc := s.intended(items, results)
	out, err := encodeIndented(withoutDanglingAliases(doc), 0)
	if err != nil {
		return nil, err
	}
	if !readsAs(out, doc) {
		return nil, ErrCannotWrite
	}
	return out, nil
}

// setField sets key to value in the mapping m, in place of its value or at the end.
func setField(m *yaml.Node, key string, value *yaml.Node) {
	if i := yn.IndexOfKey(m, key); i >= 0 {
		m.Content[i+1] = value
		return
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: yn.TagString, Value: key}, value)
}

// itemsNode is a new items sequence for the document: the original's anchor, if it had one, and
// the given items.
func (s *source) itemsNode(items []*yaml.Node) *yaml.Node {
	seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: yn.TagSeq}
	if original := yn.Lookup(s.top, "items"); original != nil {
		seq.Anchor = original.Anchor
		seq.HeadComment, seq.LineComment, seq.FootComment = original.HeadComment, original.LineComment, original.FootComment
	}
	for _, item := range items {
		seq.Content = append(seq.Content, item)
	}
	if len(items) == 0 {
		seq.Style = yaml.FlowStyle
	}
	return seq
}

// encodeField encodes "key: value" as a top-level field indented by indent columns.
func encodeField(key string, value *yaml.Node, indent int) ([]byte, error) {
	if isBlockSequence(value) {
		seq, err := encodeIndented(value, 0)
		if err != nil {
			return nil, err
		}
		return indentLines(append([]byte(key+":\n"), seq...), indent), nil
	}
	m := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: key}, value}}
	return encodeIndented(m, indent)
}

// encodeIndented encodes node as kyaml does (two-space indentation, sequences not indented
// under their key) and indents every line by indent columns. Indenting every line alike keeps
// block scalars' contents, whose indentation is relative.
//
// A block sequence is encoded item by item, each with an encoder of its own: yaml.v3's emitter
// keeps every event it ever emitted in a queue that only grows, so one encoder for a thousand
// objects copies an ever larger queue (most of the memory a run allocated).
func encodeIndented(node *yaml.Node, indent int) ([]byte, error) {
	var buf bytes.Buffer
	items := []*yaml.Node{node}
	if isBlockSequence(node) {
		items = node.Content
	}
	for _, item := range items {
		if item != node {
			item = &yaml.Node{Kind: yaml.SequenceNode, Tag: node.Tag, Content: []*yaml.Node{item}}
		}
		mark := buf.Len()
		if emitFast(&buf, item) {
			continue
		}
		buf.Truncate(mark)
		encoder := newEncoder(&buf)
		if err := encoder.Encode(item); err != nil {
			return nil, err
		}
		if err := encoder.Close(); err != nil {
			return nil, err
		}
	}
	return indentLines(buf.Bytes(), indent), nil
}

func isBlockSequence(n *yaml.Node) bool {
	return n.Kind == yaml.SequenceNode && n.Style&yaml.FlowStyle == 0 && len(n.Content) > 0 && plainNode(n)
}

// indentLines indents every line of text that is not empty by indent columns.
func indentLines(text []byte, indent int) []byte {
	if indent == 0 {
		return text
	}
	pad := strings.Repeat(" ", indent)
	var out bytes.Buffer
	for line := range bytes.Lines(text) {
		if len(bytes.TrimRight(line, "\n")) > 0 {
			out.WriteString(pad)
		}
		out.Write(line)
	}
	return out.Bytes()
}

// lineStarts returns the offset of the start of every line of text.
func lineStarts(text []byte) []int {
	starts := make([]int, 1, bytes.Count(text, []byte{'\n'})+1)
	for i, c := range text {
		// yaml.v3 counts a lone \r as a line break too (and \r\n as one): count lines as it does,
		// so that the lines its nodes name are the lines here.
		lone := c == '\r' && (i+1 == len(text) || text[i+1] != '\n')
		if (c == '\n' || lone) && i+1 < len(text) {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// lineStart is the offset of line n (counted from 1); past the last line it is the end of text.
func (s *source) lineStart(n int) int {
	if n-1 < len(s.lines) {
		return s.lines[n-1]
	}
	return len(s.text)
}

// line returns line n (counted from 1) without its line break.
func (s *source) line(n int) []byte {
	line := s.text[s.lineStart(n):s.lineStart(n+1)]
	return bytes.TrimRight(line, "\r\n")
}

// isDashLine reports whether line n holds a sequence item's "-" at column indent.
func (s *source) isDashLine(n, indent int) bool {
	line := s.line(n)
	if len(line) <= indent || line[indent] != '-' || len(bytes.TrimLeft(line[:indent], " ")) > 0 {
		return false
	}
	return len(line) == indent+1 || line[indent+1] == ' ' || line[indent+1] == '\t'
}

// documentEnd is the offset of the first "---" or "..." line after line from, or the end of
// the text.
func (s *source) documentEnd(from int) int {
	for n := from + 1; n <= len(s.lines); n++ {
		line := s.line(n)
		for _, marker := range []string{"---", "..."} {
			if rest, ok := bytes.CutPrefix(line, []byte(marker)); ok && (len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t') {
				return s.lineStart(n)
			}
		}
	}
	return len(s.text)
}

// lastNode returns the node written last in n's text.
func lastNode(n *yaml.Node) *yaml.Node {
	for (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode || n.Kind == yaml.DocumentNode) && len(n.Content) > 0 {
		n = n.Content[len(n.Content)-1]
	}
	return n
}
