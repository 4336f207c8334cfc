package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatewaypattern/gateway-pattern/fn/fntest"
)

// The bad inputs that are not a functionConfig problem but a problem of the whole input (a
// ResourceList that is not YAML, not UTF-8, or huge) cannot be golden cases: there is no
// ResourceList to diff. These tests build them in memory and check that the function fails
// cleanly: exit code 1, stderr naming the problem, and no panic.

// TestHostileWholeInput feeds inputs that cannot be read as a ResourceList at all.
func TestHostileWholeInput(t *testing.T) {
	for _, tc := range []struct {
		name, input string
		stderr      []string // every one must appear on stderr
	}{
		{"unclosed flow list", fntest.ResourceListHead + "items: [\n" + fntest.EgressConfig, []string{"is not valid YAML", "line 2"}},
		{"tab indentation", fntest.ResourceListHead + "items:\n\t- apiVersion: v1\n" + fntest.EgressConfig, []string{"is not valid YAML", "line 4", "cannot start any token"}},
		{"unterminated quote", fntest.ResourceListHead + "items:\n- kind: \"ConfigMap\n" + fntest.EgressConfig, []string{"is not valid YAML"}},
		{"bad indentation", fntest.ResourceListHead + "items:\n- apiVersion: v1\n   kind: ConfigMap\n" + fntest.EgressConfig, []string{"is not valid YAML", "line"}},
		{"mapping value in a plain scalar", fntest.ResourceListHead + "items: []\n" + fntest.EgressConfig + "    extra: a: b\n", []string{"is not valid YAML", "mapping values are not allowed"}},
		{"unclosed flow map in the functionConfig", fntest.ResourceListHead + "items: []\nfunctionConfig: {apiVersion: fn.gatewaypattern.dev/v1alpha1, kind: GatewayPattern\n", []string{"is not valid YAML"}},
		{"undefined alias", fntest.ResourceListHead + "items:\n- *missing\n" + fntest.EgressConfig, []string{"is not valid YAML", "unknown anchor"}},
		{"a list, not a ResourceList", "- a\n- b\n", []string{"not a ResourceList", "it is a YAML list, not a mapping"}},
		{"a scalar, not a ResourceList", "just some text\n", []string{"not a ResourceList", "it is a YAML scalar value, not a mapping"}},
		{"an item that is a string", fntest.ResourceListHead + "items:\n- just a string\n" + fntest.EgressConfig, []string{"[error] items[0]: every item must be a Kubernetes object (a YAML mapping); this one is a YAML scalar value"}},
		{"an item that is an alias", fntest.ResourceListHead + "items:\n- &a {apiVersion: v1, kind: ConfigMap, metadata: {name: x}}\n- *a\n" + fntest.EgressConfig, []string{"[error] items[1]: every item must be a Kubernetes object (a YAML mapping); this one is a YAML alias"}},
		{"invalid UTF-8 in an item", fntest.ResourceListHead + "items:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: caf\xe9\n" + fntest.EgressConfig, []string{"is not valid YAML", "UTF-8"}},
		{"invalid UTF-8 in the functionConfig", fntest.ResourceListHead + "items: []\n" + strings.Replace(fntest.EgressConfig, "google.com", "goo\xffgle.com", 1), []string{"is not valid YAML", "UTF-8"}},
		{"a lone continuation byte", fntest.ResourceListHead + "items: []\n\x80\n" + fntest.EgressConfig, []string{"is not valid YAML", "UTF-8"}},
		{"a NUL byte", fntest.ResourceListHead + "items: []\n" + strings.Replace(fntest.EgressConfig, "google.com", "google\x00.com", 1), []string{"is not valid YAML"}},
		{"empty input", "", []string{"not a ResourceList", "the input is empty"}},
		{"only a document separator", "---\n", []string{"not a ResourceList", "the input is empty"}},
		{"two documents", fntest.ResourceListHead + "items: []\n" + fntest.EgressConfig + "---\n" + fntest.ResourceListHead + "items: []\n", []string{"not a ResourceList", "several YAML documents"}},
		{"a stream of objects", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n", []string{"not a ResourceList", "several YAML documents"}},
		{"a List", "apiVersion: v1\nkind: List\nitems: []\n", []string{"not a ResourceList", `it has kind "List" and apiVersion "v1"`}},
		{"a repeated field", fntest.ResourceListHead + "items:\n- {a: 1}\nitems: []\n" + fntest.EgressConfig, []string{"not a ResourceList", `it repeats the field "items"`}},
		{"items that are not a list", fntest.ResourceListHead + "items: {a: b}\n" + fntest.EgressConfig, []string{"not a ResourceList", "its items are not a list"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code := runFunction([]byte(tc.input))
			assert.Equal(t, 1, code, "stdout:\n%s", out)
			assert.NotContains(t, stderr, "internal error")
			for _, want := range tc.stderr {
				assert.Contains(t, stderr, want)
			}
			// Nothing is lost: what is not a ResourceList comes back as it came, and a
			// ResourceList comes back as it came with the results added at its end.
			if strings.Contains(stderr, "not a ResourceList") {
				assert.Equal(t, tc.input, string(out))
			} else {
				assert.True(t, strings.HasPrefix(string(out), tc.input), "output:\n%s", out)
			}
		})
	}
}

// TestHostileEncodings: YAML may be UTF-8 (with or without a byte order mark) or UTF-16 with a
// byte order mark, and the function reads all three; other bytes that are not UTF-8 (Latin-1,
// random bytes) fail with an error on stderr. None of them may panic.
func TestHostileEncodings(t *testing.T) {
	valid := fntest.ResourceListHead + "items: []\n" + fntest.EgressConfig
	utf16 := func(s string, bigEndian bool) []byte {
		var b bytes.Buffer
		if bigEndian {
			b.WriteString("\xfe\xff")
		} else {
			b.WriteString("\xff\xfe")
		}
		for _, r := range s {
			if bigEndian {
				b.Write([]byte{byte(r >> 8), byte(r)})
			} else {
				b.Write([]byte{byte(r), byte(r >> 8)})
			}
		}
		return b.Bytes()
	}
	expected, _, code := runFunction([]byte(valid))
	require.Equal(t, 0, code)
	for name, input := range map[string][]byte{
		"UTF-8 BOM": append([]byte("\xef\xbb\xbf"), valid...),
		"UTF-16LE":  utf16(valid, false),
		"UTF-16BE":  utf16(valid, true),
	} {
		t.Run(name, func(t *testing.T) {
			out, stderr, code := runFunction(input)
			assert.Equal(t, 0, code, stderr)
			assert.Equal(t, string(expected), string(out), "the output is UTF-8 and the same as for the UTF-8 input")
		})
	}
	for name, input := range map[string][]byte{
		"Latin-1 bytes":                    []byte(strings.ReplaceAll(valid, "google", "g\xf6\xf6gle")),
		"random bytes":                     bytes.Repeat([]byte{0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1}, 100),
		"UTF-16 without a byte order mark": utf16(valid, false)[2:],
	} {
		t.Run(name, func(t *testing.T) {
			out, stderr, code := runFunction(input)
			assert.Equal(t, 1, code, "stdout:\n%s", out)
			assert.NotContains(t, stderr, "internal error")
			assert.NotEmpty(t, stderr)
		})
	}
}

// TestHostileStandaloneConfig: the standalone mode reads the functionConfig from a file; a file
// that is not YAML is reported with its name.
func TestHostileStandaloneConfig(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"unclosed.yaml": "apiVersion: fn.gatewaypattern.dev/v1alpha1\nkind: GatewayPattern\nspec: {pattern: Egress\n",
		"tabs.yaml":     "apiVersion: fn.gatewaypattern.dev/v1alpha1\nkind: GatewayPattern\nspec:\n\tpattern: Egress\n",
		"latin1.yaml":   "apiVersion: fn.gatewaypattern.dev/v1alpha1\nkind: GatewayPattern\nmetadata:\n  name: caf\xe9\n",
	} {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(dir, name)
			require.NoError(t, os.WriteFile(file, []byte(content), 0o644))
			var out, stderr bytes.Buffer
			code := run([]string{file}, strings.NewReader(""), &out, &stderr)
			assert.Equal(t, 1, code, "stdout:\n%s", out.String())
			assert.NotContains(t, stderr.String(), "internal error")
			assert.Contains(t, stderr.String(), name)
		})
	}
	t.Run("duplicate key", func(t *testing.T) {
		file := filepath.Join(dir, "duplicates.yaml")
		require.NoError(t, os.WriteFile(file, []byte("apiVersion: fn.gatewaypattern.dev/v1alpha1\nkind: GatewayPattern\nkind: GatewayPattern\n"), 0o644))
		var out, stderr bytes.Buffer
		code := run([]string{file}, strings.NewReader(""), &out, &stderr)
		assert.Equal(t, 1, code)
		assert.Contains(t, stderr.String(), "kind: Invalid value: \"\": the key appears twice in the same object; remove one")
	})
	t.Run("missing file", func(t *testing.T) {
		var out, stderr bytes.Buffer
		code := run([]string{filepath.Join(dir, "absent.yaml")}, strings.NewReader(""), &out, &stderr)
		assert.Equal(t, 1, code)
		assert.Contains(t, stderr.String(), "absent.yaml")
	})
}

// TestHostileHugeInput runs the function on a ResourceList of about 50 MB: it must succeed,
// generate its objects and give back every item. Its duration is logged, not asserted.
func TestHostileHugeInput(t *testing.T) {
	if testing.Short() {
		t.Skip("50 MB input: skipped with -short")
	}
	var in bytes.Buffer
	in.WriteString(fntest.ResourceListHead + "items:\n")
	value := strings.Repeat("x", 1000)
	n := 0
	for in.Len() < 50<<20 {
		fmt.Fprintf(&in, "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: cm-%d # comment %d\n    namespace: apps\n  data:\n    key: %s\n", n, n, value)
		n++
	}
	in.WriteString(fntest.EgressConfig)
	start := time.Now()
	out, stderr, code := runFunction(in.Bytes())
	t.Logf("%d MB input, %d items: %v", in.Len()>>20, n, time.Since(start))
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, string(out), "name: cm-0 # comment 0\n")
	assert.Contains(t, string(out), fmt.Sprintf("name: cm-%d # comment %d\n", n-1, n-1))
	assert.Equal(t, n, strings.Count(string(out), "\n  kind: ConfigMap\n"))
	assert.Contains(t, string(out), "kind: ServiceEntry")
}

// TestHostileHugeConfig: a functionConfig with a 10 MB string value fails with an error naming
// the field, without a panic, and the error quotes the value cut short.
func TestHostileHugeConfig(t *testing.T) {
	if testing.Short() {
		t.Skip("10 MB input: skipped with -short")
	}
	huge := strings.Repeat("a", 10<<20)
	input := fntest.ResourceListHead + "items: []\n" + strings.Replace(fntest.EgressConfig, "host: google.com", "host: "+huge, 1)
	start := time.Now()
	_, stderr, code := runFunction([]byte(input))
	t.Logf("10 MB host name: %v", time.Since(start))
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "spec.egress.hosts[0].host")
	assert.NotContains(t, stderr, "internal error")
	assert.Less(t, len(stderr), 1000, "stderr must not echo the 10 MB value")
	assert.Contains(t, stderr, fmt.Sprintf("... (%d bytes)", len(huge)+2))
}

// TestHostileLongValues: a value of the wrong type that is a whole list or object is quoted cut
// short in the results and on stderr.
func TestHostileLongValues(t *testing.T) {
	list := "[" + strings.Repeat("x, ", 100_000) + "x]"
	input := fntest.ResourceListHead + "items: []\n" + strings.Replace(fntest.EgressConfig, "pattern: Egress", "pattern: Egress\n    values: "+list, 1)
	out, stderr, code := runFunction([]byte(input))
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, " spec.values: Invalid value: [\"x\",\"x\",")
	assert.Contains(t, stderr, " bytes): must be an object\n")
	assert.Less(t, len(stderr), 1000)
	assert.Less(t, len(out), len(input)+1000)
}

// TestHostileAliasBomb: a billion-laughs document (9 levels of 10 aliases: 10^9 values) in the
// functionConfig is refused once it expands past the limit of 10^6 values, with the path where
// it did. It is not a golden case: refusing it walks 10^6 values, too slow to run 50 times in
// TestDeterminism.
func TestHostileAliasBomb(t *testing.T) {
	bomb := "    values:\n      global:\n        l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n"
	for level := 1; level < 9; level++ {
		prev := fmt.Sprintf("*l%d", level-1)
		bomb += fmt.Sprintf("        l%d: &l%d [%s]\n", level, level, strings.TrimSuffix(strings.Repeat(prev+", ", 10), ", "))
	}
	config := strings.Replace(fntest.EgressConfig, "    pattern: Egress\n", "    pattern: Egress\n"+bomb, 1)
	input := []byte(fntest.ResourceListHead + "items:\n" + fntest.PassThroughItem + config)
	out, stderr, code := runFunction(input)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "[error] fn.gatewaypattern.dev/v1alpha1/GatewayPattern/istio-egressgateway spec.values.global.l")
	assert.Contains(t, stderr, "the document expands to more than 1000000 values (through aliases?)\n")
	assert.Equal(t, 1, strings.Count(stderr, "\n"), "one error, not one per value")
	assert.Equal(t, fntest.ItemsOf(t, input), fntest.ItemsOf(t, out), "a failed run returns the items unchanged")
	assert.Less(t, len(out), 2*len(input), "the output does not expand the aliases")
}
