package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/kio"
)

// FuzzFunction runs the whole function on arbitrary ResourceList bytes. Whatever the input: no
// panic, exit code 0 or 1, and on success an output that parses as a ResourceList again. The
// seed corpus is every golden input (testdata/*/input.yaml) plus testdata/fuzz/FuzzFunction.
func FuzzFunction(f *testing.F) {
	inputs, _ := filepath.Glob("testdata/*/input.yaml")
	for _, file := range inputs {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		out, stderr, code := runFunction(input)
		if strings.Contains(stderr, "internal error") {
			t.Fatalf("the function recovered from a panic:\n%s", stderr)
		}
		switch code {
		case 0:
			if _, err := (&kio.ByteReadWriter{Reader: bytes.NewReader(out)}).Read(); err != nil {
				t.Fatalf("exit 0 but the output does not parse: %v\n%s", err, out)
			}
		case 1:
		default:
			t.Fatalf("exit code %d", code)
		}
	})
}
