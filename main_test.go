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

	"github.com/gatewaypattern/gateway-pattern/fn"
	"github.com/gatewaypattern/gateway-pattern/fn/fntest"
	"github.com/gatewaypattern/gateway-pattern/fn/wire"
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

			explained := filepath.Join(dir, "explain.txt")
			if code != 0 {
				assert.NoFileExists(t, explained, "a failed run explains nothing")
				assert.Equal(t, fntest.ItemsOf(t, in), fntest.ItemsOf(t, out), "a failed run must return the items unchanged")
				assert.True(t, bytes.HasPrefix(out, in), "a failed run gives the input back byte for byte, with only its results after it")
				return
			}
			text := explainGolden(t, in, explained)
			var infos []string
			for _, r := range results {
				if r.Severity == "info" {
					infos = append(infos, r.Message)
				}
			}
			assert.ElementsMatch(t, infos, explainedLines(text), "--explain must print exactly the info results")

			again, _, code := runFunction(out)
			assert.Equal(t, 0, code)
			assert.Equal(t, fntest.ItemsOf(t, out), fntest.ItemsOf(t, again), "running on its own output must change nothing")
			second, _, _ := runFunction(in)
			assert.Equal(t, string(out), string(second), "the same input must give the same bytes")
		})
	}
}

// explainGolden runs the --explain mode on a ResourceList and diffs its output with file.
func explainGolden(t *testing.T, input []byte, file string) string {
	t.Helper()
	rl, err := wire.Read(input)
	require.NoError(t, err)
	var out, errOut bytes.Buffer
	require.False(t, fn.Explain(rl, &out, &errOut), "stderr:\n%s", errOut.String())
	if *update {
		require.NoError(t, os.WriteFile(file, out.Bytes(), 0o644))
	}
	expected, err := os.ReadFile(file)
	require.NoError(t, err, "run `go test . -update` to create it")
	assert.Equal(t, string(expected), out.String(), "--explain output differs from %s", file)
	return out.String()
}

// explainedLines are the lines under the headings of --explain's output.
func explainedLines(text string) []string {
	var lines []string
	for _, line := range strings.Split(text, "\n") {
		if l, ok := strings.CutPrefix(line, "  "); ok {
			lines = append(lines, l)
		}
	}
	return lines
}

// TestExamplesExplain runs `gateway-pattern --explain` on every example's gatewaypattern.yaml and
// diffs the output with examples/<name>/.expected/explain.txt; a bad-* example prints nothing on
// stdout and its errors on stderr.
func TestExamplesExplain(t *testing.T) {
	configs, err := filepath.Glob("examples/*/gatewaypattern.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, configs)
	for _, config := range configs {
		dir := filepath.Dir(config)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run([]string{"--explain", config}, nil, &out, &errOut)
			file := filepath.Join(dir, ".expected", "explain.txt")
			if strings.HasPrefix(filepath.Base(dir), "bad-") {
				assert.Equal(t, 1, code)
				assert.Empty(t, out.String())
				assert.Contains(t, errOut.String(), "[error] ")
				assert.NoFileExists(t, file)
				return
			}
			require.Equal(t, 0, code, "stderr:\n%s", errOut.String())
			assert.NotContains(t, errOut.String(), "[info]", "--explain prints the info results on stdout, not stderr too")
			if *update {
				require.NoError(t, os.WriteFile(file, out.Bytes(), 0o644))
			}
			expected, err := os.ReadFile(file)
			require.NoError(t, err, "run `go test . -update` to create it")
			assert.Equal(t, string(expected), out.String(), "--explain output differs from %s", file)
		})
	}
}

// TestExplainNeedsConfig: --explain alone is a usage error, not a panic.
func TestExplainNeedsConfig(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, 1, run([]string{"--explain"}, nil, &out, &errOut))
	assert.Empty(t, out.String())
	assert.Equal(t, "[error]: --explain needs the functionConfig: gateway-pattern --explain CONFIG.yaml [RESOURCES.yaml ...]\n", errOut.String())
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
