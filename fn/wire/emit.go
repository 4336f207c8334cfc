package wire

import (
	"bytes"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	yn "github.com/gatewaypattern/gateway-pattern/fn/internal/yamlnode"
)

// The generated objects are plain trees: block mappings and sequences of short scalars. For them
// emitFast writes exactly the bytes yaml.v3's encoder writes (configured as newEncoder does), in
// a fraction of its time and memory: the encoder runs a general emitter that queues a large
// event per node and classifies every character of every scalar. Whatever emitFast is not sure
// of (comments, flow style, multi-line or quoted text, anchors, unusual tags, scalars that are
// not obviously plain) makes it give up on the whole object, which then goes to yaml.v3. Every
// golden output holds objects written this way, and FuzzEmitFast compares the two on arbitrary
// trees.

// emitFast writes n as a YAML document at column 0, as yaml.v3 would, and reports whether it
// could. On false, what it wrote to out must be discarded.
func emitFast(out *bytes.Buffer, n *yaml.Node) bool {
	switch n.Kind {
	case yaml.MappingNode, yaml.SequenceNode:
		if len(n.Content) == 0 {
			return emitEmpty(out, n)
		}
		return emitBlock(out, n, 0, false)
	}
	return false
}

// emitBlock writes a non-empty mapping or sequence whose first line starts at the current
// position (after "- " in a sequence item, or at the start of a line) at column indent.
func emitBlock(out *bytes.Buffer, n *yaml.Node, indent int, inItem bool) bool {
	if !plainNode(n) || len(n.Content) == 0 {
		return false
	}
	switch n.Kind {
	case yaml.MappingNode:
		if n.Tag != yn.TagMap && n.Tag != "" {
			return false
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, value := n.Content[i], n.Content[i+1]
			if i > 0 || !inItem {
				writeIndent(out, indent)
			}
			// yaml.v3 writes a key over 128 bytes as an explicit "? key" entry.
			if key.Kind != yaml.ScalarNode || len(key.Value) > 128 || !emitScalar(out, key) {
				return false
			}
			out.WriteByte(':')
			if !emitValue(out, value, false, indent, indent+2) {
				return false
			}
		}
	case yaml.SequenceNode:
		if n.Tag != yn.TagSeq && n.Tag != "" {
			return false
		}
		if inItem {
			return false // a sequence as the first thing of an item ("- - a"): leave it to yaml.v3
		}
		for _, item := range n.Content {
			writeIndent(out, indent)
			out.WriteByte('-')
			if !emitValue(out, item, true, indent, indent+2) {
				return false
			}
		}
	default:
		return false
	}
	return true
}

// emitValue writes what follows "key:" or (afterDash) "-": a scalar or an empty collection on
// the same line, a mapping item on the same line after "- ", a nested block on the lines below.
// seqIndent is where a sequence under a key goes (the key's own column: sequences are not
// indented under their key); mapIndent where a mapping goes.
func emitValue(out *bytes.Buffer, value *yaml.Node, afterDash bool, seqIndent, mapIndent int) bool {
	switch {
	case value.Kind == yaml.ScalarNode:
		out.WriteByte(' ')
		if !emitScalar(out, value) {
			return false
		}
		out.WriteByte('\n')
		return true
	case len(value.Content) == 0:
		out.WriteByte(' ')
		return emitEmpty(out, value)
	case afterDash && value.Kind == yaml.MappingNode:
		out.WriteByte(' ')
		return emitBlock(out, value, mapIndent, true)
	case afterDash:
		return false
	case value.Kind == yaml.SequenceNode:
		out.WriteByte('\n')
		return emitBlock(out, value, seqIndent, false)
	default:
		out.WriteByte('\n')
		return emitBlock(out, value, mapIndent, false)
	}
}

// emitEmpty writes an empty mapping or sequence as yaml.v3 does, {} or [], and ends the line.
func emitEmpty(out *bytes.Buffer, n *yaml.Node) bool {
	switch {
	case !plainNode(n) || len(n.Content) != 0:
		return false
	case n.Kind == yaml.MappingNode && (n.Tag == yn.TagMap || n.Tag == ""):
		out.WriteString("{}\n")
	case n.Kind == yaml.SequenceNode && (n.Tag == yn.TagSeq || n.Tag == ""):
		out.WriteString("[]\n")
	default:
		return false
	}
	return true
}

// plainNode reports whether n carries nothing emitFast leaves to yaml.v3: comments, anchors, a
// style other than the default block style.
func plainNode(n *yaml.Node) bool {
	return n.Style == 0 && n.Anchor == "" && n.HeadComment == "" && n.LineComment == "" && n.FootComment == ""
}

// quotedNode reports whether n carries nothing emitFast leaves to yaml.v3 but its double quotes.
func quotedNode(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Anchor == "" && n.HeadComment == "" && n.LineComment == "" && n.FootComment == ""
}

// emitScalar writes a scalar that yaml.v3 would write plain, or in double quotes when its text
// would read as another type (a string "true" or "15020") or when yamlnode.String asked for them (a string
// "yes"), and reports false for any other.
func emitScalar(out *bytes.Buffer, n *yaml.Node) bool {
	v := n.Value
	if n.Style == yaml.DoubleQuotedStyle {
		// Quoted by yamlnode.String (a YAML 1.1 boolean or number): yaml.v3 writes the text as it is between
		// double quotes when it holds nothing to escape, which plainString's text never does.
		if n.Tag != yn.TagString || plainString(v) == unsure || !quotedNode(n) {
			return false
		}
		out.WriteByte('"')
		out.WriteString(v)
		out.WriteByte('"')
		return true
	}
	switch n.Tag {
	case yn.TagString, "":
		switch plainString(v) {
		case asPlain:
			out.WriteString(v)
		case asQuoted:
			if n.Tag == "" {
				return false // untagged text that reads as another type is that type: leave it
			}
			out.WriteByte('"')
			out.WriteString(v)
			out.WriteByte('"')
		case asSingleQuoted:
			out.WriteByte('\'')
			out.WriteString(v)
			out.WriteByte('\'')
		default:
			return false
		}
	case yn.TagInt:
		digits := strings.TrimPrefix(v, "-")
		if !isDecimal(digits) || len(digits) > 18 || len(digits) > 1 && digits[0] == '0' {
			return false // not as strconv.FormatInt writes it: leave it to yaml.v3
		}
		out.WriteString(v)
	case yn.TagBool:
		if v != "true" && v != "false" {
			return false
		}
		out.WriteString(v)
	case yn.TagNull:
		if v != "null" {
			return false
		}
		out.WriteString(v)
	default:
		return false
	}
	return n.Kind == yaml.ScalarNode && plainNode(n)
}

type stringForm int

const (
	unsure         stringForm = iota
	asPlain                   // it reads back as this string when written plain
	asQuoted                  // written plain it would read as a bool, null or number: "true"
	asSingleQuoted            // it starts with "*", which plain would read as an alias: '*.example.com'
)

// plainString decides how yaml.v3 writes the string v, for the strings it is sure of: "", or
// letters, digits and ._/-:@=+* only, starting with a letter, a digit, "/" or "*", not ending in
// ":"; and ".".
func plainString(v string) stringForm {
	if v == "" {
		return asQuoted // plain, nothing reads as null
	}
	if v == "." {
		return asPlain // exportTo: ["."]; no YAML 1.1 or 1.2 type reads a lone dot
	}
	if rest, ok := strings.CutPrefix(v, "*"); ok {
		if rest == "" || plainString("x"+rest) == asPlain {
			return asSingleQuoted
		}
		return unsure
	}
	if !isAlnum(v[0]) && v[0] != '/' || v[len(v)-1] == ':' {
		return unsure
	}
	letters := false // a letter that no number or timestamp holds
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case isAlnum(c):
			if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') && strings.IndexByte("abcdefABCDEFoOxXtTzZ", c) < 0 {
				letters = true
			}
		case strings.IndexByte("._/-:@=+*", c) >= 0: // "*" only after the first byte: "*/*" is handled above
		default:
			return unsure
		}
	}
	if !isDigit(v[0]) {
		switch v {
		case "true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL":
			return asQuoted
		}
		return asPlain
	}
	// Starting with a digit: a number, a timestamp, or text.
	switch {
	case isDecimal(v) && len(v) <= 18:
		return asQuoted
	case letters && strings.IndexAny(v, "-:") < 0:
		return asPlain
	}
	return unsure
}

func isDecimal(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isAlnum(c byte) bool  { return isLetter(c) || isDigit(c) }

func writeIndent(out *bytes.Buffer, indent int) {
	for range indent {
		out.WriteByte(' ')
	}
}
