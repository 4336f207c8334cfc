package wire

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"

	yn "github.com/gatewaypattern/gateway-pattern/fn/internal/yamlnode"
)

// encodeWithYAMLv3 is what emitFast must match: yaml.v3's encoder as newEncoder configures it.
func encodeWithYAMLv3(t testing.TB, n *yaml.Node) string {
	var buf bytes.Buffer
	encoder := newEncoder(&buf)
	require.NoError(t, encoder.Encode(n))
	require.NoError(t, encoder.Close())
	return buf.String()
}

// FuzzEmitFast builds trees out of arbitrary text (keys, values, tags and nesting drawn from the
// input) and checks that whenever emitFast writes one, it writes what yaml.v3 writes.
func FuzzEmitFast(f *testing.F) {
	for _, seed := range []string{
		"name:istio-ingress;port:80;enabled:true;x:null",
		"labels{app:istio-ingress;istio:ingressgateway};ports[80;443]",
		"a[{b:1;c:2};{}];d{};e[]",
		"v:true;w:\"15020\";x:0x1F;y:1Gi;z:2026-01-02;q:1e3;r:-5",
		"k:a:b;l:a: b;m:#x;n:*.example.com;o:yes;p:~",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, input string) {
		n := fuzzTree(&input, 0)
		if n == nil {
			return
		}
		for _, root := range []*yaml.Node{n, {Kind: yaml.SequenceNode, Content: []*yaml.Node{n}}} {
			var out bytes.Buffer
			if !emitFast(&out, root) {
				continue
			}
			var want bytes.Buffer
			encoder := newEncoder(&want)
			if err := encoder.Encode(root); err != nil {
				t.Fatalf("emitFast wrote what yaml.v3 refuses (%v):\n%s", err, out.String())
			}
			_ = encoder.Close()
			if want.String() != out.String() {
				t.Fatalf("emitFast and yaml.v3 differ:\n--- yaml.v3\n%s--- emitFast\n%s", want.String(), out.String())
			}
		}
	})
}

// fuzzTree reads a tree from a tiny grammar: "k:v;k2{...};k3[...]" is a mapping, "[a;b;{...}]"
// a sequence; a scalar's tag follows from its text ("true" a bool, digits an int, "null" null,
// "\"...\"" a string that stays a string). It consumes what it reads from *s.
func fuzzTree(s *string, depth int) *yaml.Node {
	if depth > 6 {
		return nil
	}
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: yn.TagMap}
	for len(*s) > 0 && (*s)[0] != '}' && (*s)[0] != ']' {
		i := strings.IndexAny(*s, ":{[;")
		if i < 0 {
			i = len(*s)
		}
		key := (*s)[:i]
		*s = (*s)[i:]
		var value *yaml.Node
		switch {
		case strings.HasPrefix(*s, ":"):
			*s = (*s)[1:]
			j := strings.IndexAny(*s, ";}]")
			if j < 0 {
				j = len(*s)
			}
			value = fuzzScalar((*s)[:j])
			*s = (*s)[j:]
		case strings.HasPrefix(*s, "{"):
			*s = (*s)[1:]
			value = fuzzTree(s, depth+1)
			*s = strings.TrimPrefix(*s, "}")
		case strings.HasPrefix(*s, "["):
			*s = (*s)[1:]
			value = &yaml.Node{Kind: yaml.SequenceNode, Tag: yn.TagSeq}
			for len(*s) > 0 && (*s)[0] != ']' {
				var item *yaml.Node
				if (*s)[0] == '{' {
					*s = (*s)[1:]
					item = fuzzTree(s, depth+1)
					*s = strings.TrimPrefix(*s, "}")
				} else {
					j := strings.IndexAny(*s, ";]")
					if j < 0 {
						j = len(*s)
					}
					item = fuzzScalar((*s)[:j])
					*s = (*s)[j:]
				}
				if item == nil {
					return nil
				}
				value.Content = append(value.Content, item)
				*s = strings.TrimPrefix(*s, ";")
			}
			*s = strings.TrimPrefix(*s, "]")
		default:
			value = fuzzScalar("")
		}
		if value == nil {
			return nil
		}
		m.Content = append(m.Content, scalar(yn.TagString, key), value)
		*s = strings.TrimPrefix(*s, ";")
	}
	return m
}

func fuzzScalar(text string) *yaml.Node {
	switch {
	case text == "true" || text == "false":
		return scalar(yn.TagBool, text)
	case text == "null":
		return scalar(yn.TagNull, text)
	case isDecimal(strings.TrimPrefix(text, "-")):
		return scalar(yn.TagInt, text)
	case len(text) >= 2 && text[0] == '"' && text[len(text)-1] == '"':
		return scalar(yn.TagString, text[1:len(text)-1])
	}
	return scalar(yn.TagString, text)
}

func scalar(tag, value string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value}
}
