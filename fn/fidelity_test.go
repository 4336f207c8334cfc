package fn_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/gatewaypattern/gateway-pattern/fn/fntest"
)

// TestFidelity passes the manifests of testdata/fidelity (comments everywhere, block and flow
// styles, JSON, quoted keys, every kind of multi-line string, anchors and merge keys, explicit
// tags, long lines, CRDs, Lists) through the function beside a GatewayPattern's objects. Every
// manifest must come back byte for byte, in place, with the generated objects after them and the
// functionConfig as it was written; and running again on the output must give the same bytes.
// The ResourceList is laid out as kpt and kustomize write it, with wide sequence indentation,
// and with Windows line ends.
func TestFidelity(t *testing.T) {
	files, err := filepath.Glob("../testdata/fidelity/*.yaml")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 200, "the fidelity corpus holds at least 200 manifests")
	manifests := make([]string, len(files))
	for i, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		manifests[i] = string(data)
	}
	for _, layout := range []struct {
		name   string
		indent int
		crlf   bool
	}{{"compact", 0, false}, {"wide", 2, false}, {"windows line ends", 0, true}} {
		t.Run(layout.name, func(t *testing.T) {
			var items strings.Builder
			for _, m := range manifests {
				items.WriteString(asItem(m, layout.indent))
			}
			checkPassThrough(t, items.String(), len(manifests), layout.crlf)
		})
	}
	t.Run("one by one", func(t *testing.T) {
		for i, m := range manifests {
			t.Run(filepath.Base(files[i]), func(t *testing.T) { checkPassThrough(t, asItem(m, 0), 1, false) })
		}
	})
}

// checkPassThrough runs items (the text of a block sequence) with a GatewayPattern config and
// checks that they and the config come back untouched, with only generated objects added.
func checkPassThrough(t *testing.T, items string, count int, crlf bool) {
	t.Helper()
	head := "# a ResourceList as it came\napiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n"
	config := strings.Replace(fntest.EgressConfig, "functionConfig:\n", "functionConfig: # the pattern\n", 1)
	if crlf {
		head, items, config = windows(head), windows(items), windows(config)
	}
	input := head + items + config
	out, stderr, code := fntest.Run([]byte(input))
	require.Equal(t, 0, code, stderr)
	output := string(out)
	// Comment lines that end the items and that the parser gives to the functionConfig (its head
	// comment) introduce it: they stay directly above it, after the generated objects, and may be
	// indented as the functionConfig is, so that the parser still reads them as its own.
	kept, trailer := splitHeadComment(t, input, head+items, "functionConfig")
	require.True(t, strings.HasPrefix(output, kept), "the items must come back byte for byte:\n%s", firstDifference(kept, output))
	rest := output[len(kept):]
	at := strings.Index(rest, config)
	require.GreaterOrEqual(t, at, 0, "the functionConfig must come back byte for byte")
	if trailer != "" {
		above := strings.SplitAfter(rest[:at], "\n")
		above = above[:len(above)-1]
		want := strings.SplitAfter(trailer, "\n")
		want = want[:len(want)-1]
		require.GreaterOrEqual(t, len(above), len(want))
		for i, line := range want {
			require.Equal(t, strings.TrimSpace(line), strings.TrimSpace(above[len(above)-len(want)+i]), "the comments that introduce the functionConfig stay directly above it")
		}
		at -= len(strings.Join(above[len(above)-len(want):], ""))
		config = strings.Join(above[len(above)-len(want):], "") + config
	}
	generated, err := kio.FromBytes([]byte("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n" + rest[:at]))
	require.NoError(t, err, "what comes between the items and the functionConfig is generated objects")
	require.NotEmpty(t, generated)
	for _, obj := range generated {
		assert.Equal(t, "gateway-pattern", obj.GetLabels()["app.kubernetes.io/managed-by"], "%s %s is not generated", obj.GetKind(), obj.GetName())
	}
	if after := rest[at+len(config):]; after != "" {
		assert.True(t, strings.HasPrefix(after, "results:"), "only results may follow the functionConfig:\n%s", after)
	}

	all, err := kio.FromBytes(out)
	require.NoError(t, err, "the output must read as a ResourceList")
	assert.Len(t, all, count+len(generated))

	again, _, code := fntest.Run(out)
	require.Equal(t, 0, code)
	assert.Equal(t, output, string(again), "running on its own output must give the same bytes")
}

// splitHeadComment splits text, which ends right above field in the document input, into what
// comes before the head comment the parser gives field and the lines of that comment.
func splitHeadComment(t *testing.T, input, text, field string) (before, head string) {
	t.Helper()
	rl, err := yaml.Parse(input)
	require.NoError(t, err)
	node := rl.Field(field)
	require.NotNil(t, node)
	comment := node.Key.YNode().HeadComment
	if comment == "" {
		return text, ""
	}
	lines := strings.SplitAfter(text, "\n")
	lines = lines[:len(lines)-1] // text ends in a line break
	n := strings.Count(comment, "\n") + 1
	require.GreaterOrEqual(t, len(lines), n)
	for i, line := range strings.Split(comment, "\n") {
		require.Equal(t, strings.TrimSpace(line), strings.TrimSpace(lines[len(lines)-n+i]), "the head comment of %s is the end of the text above it", field)
	}
	return strings.Join(lines[:len(lines)-n], ""), strings.Join(lines[len(lines)-n:], "")
}

// asItem writes a manifest as an item of a block sequence whose "-" is at column indent: the
// first line that is not a comment or blank gets the "- ", every line is indented alike.
func asItem(manifest string, indent int) string {
	var b strings.Builder
	pad := strings.Repeat(" ", indent)
	dashed := false
	for line := range strings.Lines(manifest) {
		content := strings.TrimSpace(line)
		switch {
		case content == "":
			b.WriteString("\n")
			continue
		case !dashed && !strings.HasPrefix(content, "#"):
			b.WriteString(pad + "- " + line)
			dashed = true
		default:
			b.WriteString(pad + "  " + line)
		}
	}
	if !strings.HasSuffix(b.String(), "\n") {
		b.WriteString("\n")
	}
	return b.String()
}

func windows(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// firstDifference shows where two texts part.
func firstDifference(want, got string) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	from := max(0, i-200)
	return "--- expected\n" + want[from:min(len(want), i+200)] + "\n--- got\n" + got[from:min(len(got), i+200)]
}
