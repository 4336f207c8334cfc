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

	"github.com/gatewaypattern/gateway-pattern/fn/fntest"
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

			results := fntest.ResultsOf(t, out)
			assert.Equal(t, results.ExitCode(), code, "exit code must be 1 exactly when there are error results")
			var lines []string
			for _, r := range results {
				lines = append(lines, r.String())
			}
			assert.Equal(t, strings.Join(lines, "\n"), strings.TrimSuffix(stderr, "\n"), "stderr must carry the results")

			if code != 0 {
				assert.Equal(t, fntest.ItemsOf(t, in), fntest.ItemsOf(t, out), "a failed run must return the items unchanged")
				assert.True(t, bytes.HasPrefix(out, in), "a failed run gives the input back byte for byte, with only its results after it")
				return
			}
			again, _, code := runFunction(out)
			assert.Equal(t, 0, code)
			assert.Equal(t, fntest.ItemsOf(t, out), fntest.ItemsOf(t, again), "running on its own output must change nothing")
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
