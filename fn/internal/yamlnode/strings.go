package yamlnode

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

// String is the node of a string the function writes, map keys included: every string scalar of a
// generated object is made here, so that it is read back as the same string by kubectl's reader
// (sigs.k8s.io/yaml, YAML 1.1) and by yaml.v3, kyaml and kpt (YAML 1.2). See StringStyle.
func String(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: TagString, Value: s, Style: StringStyle(s)}
}

// StringStyle is the style s must be written in: double quotes where yaml.v3's own choice would
// be read as something else, or 0 to leave the choice to yaml.v3 (plain; double quotes when YAML
// 1.2 would read another type; a literal block for multi-line text). yaml.v3 falls short in
// three ways, each of which this quotes:
//   - YAML 1.1 resolves more plain scalars to other types than YAML 1.2 does (yes, on, y, ~,
//     0777, 1:20, 2001-12-14, <<, =), and yaml.v3 quotes only what YAML 1.2 resolves;
//   - a literal block whose first line starts with a tab gets no indentation indicator, and
//     readers refuse the tab where they look for the block's indentation;
//   - CR, NEL, LS and PS are line breaks to a reader: written raw in a block, plain or
//     single-quoted scalar they come back as line feeds or folded into spaces. Only double
//     quotes escape them.
func StringStyle(s string) yaml.Style {
	if yaml11NonString(s) || strings.HasPrefix(s, "\t") || strings.ContainsAny(s, "\r\u0085\u2028\u2029") {
		return yaml.DoubleQuotedStyle
	}
	return 0
}

// yaml11Names are the plain scalars YAML 1.1 resolves by name to booleans, null, infinity, not a
// number, the merge key (<<) and the value key (=), as go.yaml.in/yaml/v2 (under kubectl's
// sigs.k8s.io/yaml) and PyYAML resolve them.
var yaml11Names = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true,
	"n": true, "N": true, "no": true, "No": true, "NO": true,
	"true": true, "True": true, "TRUE": true, "false": true, "False": true, "FALSE": true,
	"on": true, "On": true, "ON": true, "off": true, "Off": true, "OFF": true,
	"": true, "~": true, "null": true, "Null": true, "NULL": true,
	".nan": true, ".NaN": true, ".NAN": true,
	".inf": true, ".Inf": true, ".INF": true, "+.inf": true, "+.Inf": true, "+.INF": true,
	"-.inf": true, "-.Inf": true, "-.INF": true,
	"<<": true, "=": true,
}

// yaml11Number is YAML 1.1's int, float and timestamp forms (https://yaml.org/type/), as PyYAML
// resolves them, plus the base 60 form yaml.v3 quotes on its own when it marshals a Go string.
var yaml11Number = regexp.MustCompile(`^(?:` +
	`[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+` + // int
	`|[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?` + // float
	`|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)` + // base 60, inf, nan
	`|[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]` + // timestamp
	`|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?` +
	`)$`)

// yaml11NonString reports whether a YAML 1.1 reader resolves the plain scalar s to anything but
// the string s: go.yaml.in/yaml/v2 (kubectl's), whose number rules follow Go's strconv, or
// PyYAML, which follows the YAML 1.1 type repository.
func yaml11NonString(s string) bool {
	if yaml11Names[s] {
		return true
	}
	switch c := s[0]; {
	case c == '.':
		_, err := strconv.ParseFloat(s, 64)
		return err == nil || yaml11Number.MatchString(s)
	case c != '+' && c != '-' && !isDigit(c):
		return false
	}
	if yaml11Number.MatchString(s) {
		return true
	}
	// yaml.v2: a timestamp, or a number as strconv reads it once underscores are dropped.
	if _, ok := yaml2Timestamp(s); ok {
		return true
	}
	plain := strings.ReplaceAll(s, "_", "")
	if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return true
	}
	if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return true
	}
	if yaml2Float.MatchString(plain) {
		if _, err := strconv.ParseFloat(plain, 64); err == nil {
			return true
		}
	}
	if binary, ok := strings.CutPrefix(plain, "0b"); ok {
		if _, err := strconv.ParseInt(binary, 2, 64); err == nil {
			return true
		}
		if _, err := strconv.ParseUint(binary, 2, 64); err == nil {
			return true
		}
	}
	return false
}

// yaml2Float is the float syntax of go.yaml.in/yaml/v2.
var yaml2Float = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

// yaml2Timestamp parses s as go.yaml.in/yaml/v2 does a plain scalar that may be a timestamp.
func yaml2Timestamp(s string) (time.Time, bool) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i != 4 || i == len(s) || s[i] != '-' {
		return time.Time{}, false
	}
	for _, format := range []string{"2006-1-2T15:4:5.999999999Z07:00", "2006-1-2t15:4:5.999999999Z07:00", "2006-1-2 15:4:5.999999999", "2006-1-2"} {
		if t, err := time.Parse(format, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
