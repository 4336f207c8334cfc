package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

var update = flag.Bool("update", false, "rewrite the expected outputs of testdata/ from the current behaviour (review the diff)")

// TestGolden runs the function on every testdata/<case>/input.yaml ResourceList and diffs the
// whole output with testdata/<case>/expected.yaml. It also checks the promises every run keeps:
// the exit code is 1 exactly when there are error results, stderr carries the same lines as the
// results, a failed run gives the items back unchanged, and a successful run is a fixed point.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/*/input.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, inputs, "no golden cases found")
	for _, input := range inputs {
		dir := filepath.Dir(input)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			in, err := os.ReadFile(input)
			require.NoError(t, err)
			out, stderr, code := runFunction(in)

			expectedFile := filepath.Join(dir, "expected.yaml")
			if *update {
				require.NoError(t, os.WriteFile(expectedFile, out, 0o644))
			}
			expected, err := os.ReadFile(expectedFile)
			require.NoError(t, err, "run `go test . -update` to create it")
			assert.Equal(t, string(expected), string(out), "output differs from %s", expectedFile)

			results := resultsOf(t, out)
			assert.Equal(t, results.ExitCode(), code, "exit code must be 1 exactly when there are error results")
			var lines []string
			for _, r := range results {
				lines = append(lines, r.String())
			}
			assert.Equal(t, strings.Join(lines, "\n"), strings.TrimSuffix(stderr, "\n"), "stderr must carry the results")

			if code != 0 {
				assert.Equal(t, itemsOf(t, in), itemsOf(t, out), "a failed run must return the items unchanged")
				assert.True(t, bytes.HasPrefix(out, in), "a failed run gives the input back byte for byte, with only its results after it")
				return
			}
			again, _, code := runFunction(out)
			assert.Equal(t, 0, code)
			assert.Equal(t, itemsOf(t, out), itemsOf(t, again), "running on its own output must change nothing")
			second, _, _ := runFunction(in)
			assert.Equal(t, string(out), string(second), "the same input must give the same bytes")
		})
	}
}

func runFunction(input []byte) (stdout []byte, stderr string, code int) {
	var out, errOut bytes.Buffer
	code = run(nil, bytes.NewReader(input), &out, &errOut)
	return out.Bytes(), errOut.String(), code
}

func resultsOf(t *testing.T, out []byte) framework.Results {
	t.Helper()
	rl, err := yaml.Parse(string(out))
	require.NoError(t, err)
	var results framework.Results
	if node := rl.Field("results"); node != nil {
		require.NoError(t, node.Value.Document().Decode(&results))
	}
	return results
}

// itemsOf returns the items of a ResourceList as the text kyaml writes them.
func itemsOf(t *testing.T, resourceList []byte) string {
	t.Helper()
	return encodeItems(t, resourceListItems(t, resourceList))
}

// resourceListItems reads the items of a ResourceList with kyaml's parser, not the function's.
func resourceListItems(t *testing.T, resourceList []byte) []*yaml.Node {
	t.Helper()
	rl, err := yaml.Parse(string(resourceList))
	require.NoError(t, err, "the ResourceList must parse")
	require.Equal(t, "ResourceList", rl.GetKind())
	if items := rl.Field("items"); items != nil {
		return items.Value.YNode().Content
	}
	return nil
}

// encodeItems writes items as kyaml writes a list.
func encodeItems(t *testing.T, items []*yaml.Node) string {
	t.Helper()
	var buf bytes.Buffer
	encoder := yaml.NewEncoder(&buf)
	require.NoError(t, encoder.Encode(&yaml.Node{Kind: yaml.SequenceNode, Content: items}))
	require.NoError(t, encoder.Close())
	return buf.String()
}

// TestDeterminism runs every golden input 50 times: every run must give the same bytes (no map
// order, time or randomness leaks into the output).
func TestDeterminism(t *testing.T) {
	inputs, err := filepath.Glob("testdata/*/input.yaml")
	require.NoError(t, err)
	for _, input := range inputs {
		in, err := os.ReadFile(input)
		require.NoError(t, err)
		first, firstErr, _ := runFunction(in)
		for range 49 {
			out, errOut, _ := runFunction(in)
			if !bytes.Equal(first, out) || firstErr != errOut {
				t.Fatalf("%s: two runs gave different output", input)
			}
		}
	}
}
