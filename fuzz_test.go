package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/gatewaypattern/gateway-pattern/fn/fntest"
	"github.com/gatewaypattern/gateway-pattern/fn/wire"
)

// FuzzFunction runs the whole function on arbitrary ResourceList bytes. Whatever the input: no
// panic, exit code 0 or 1; input that is not a ResourceList given back byte for byte; exit 1
// exactly when there is an error result, with the items given back unchanged (or, when the writer
// cannot write the list so that it reads as meant, the input back byte for byte); on success an
// output that parses as a ResourceList again, in which every item the function did not generate
// is unchanged, and which a second run gives back byte for byte. The seed corpus is every golden input (testdata/*/input.yaml) plus testdata/fuzz/FuzzFunction.
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
			if _, err := kio.FromBytes(out); err != nil {
				t.Fatalf("exit 0 but kyaml does not read the output: %v\n%s", err, out)
			}
			if results := fntest.ResultsOf(t, out); results.ExitCode() != 0 {
				t.Fatalf("exit 0 with error results:\n%s", out)
			}
			if in, got := unmanagedItems(t, input), unmanagedItems(t, out); in != got {
				t.Fatalf("the items the function did not make changed:\n--- input\n%s\n--- output\n%s", in, got)
			}
			if again, _, _ := runFunction(out); !bytes.Equal(again, out) {
				t.Fatalf("running on its own output changed it:\n--- first\n%s\n--- second\n%s", out, again)
			}
		case 1:
			if strings.Contains(stderr, "not a ResourceList") {
				if !bytes.Equal(input, out) {
					t.Fatalf("input that is not a ResourceList must come back unchanged:\n--- input\n%q\n--- output\n%q", input, out)
				}
				return
			}
			// What the writer cannot write so that it reads as meant (wire.ErrCannotWrite) comes
			// back as it came: no results can be added to it, so stderr carries the error alone.
			if strings.Contains(stderr, wire.ErrCannotWrite.Error()) {
				if !bytes.Equal(input, out) {
					t.Fatalf("a ResourceList that cannot be written must come back unchanged:\n--- input\n%q\n--- output\n%q", input, out)
				}
				return
			}
			if results := fntest.ResultsOf(t, out); results.ExitCode() != 1 {
				t.Fatalf("exit 1 without an error result:\n%s", out)
			}
			if in, got := fntest.ItemsOf(t, input), fntest.ItemsOf(t, out); in != got {
				t.Fatalf("a failed run changed the items:\n--- input\n%s\n--- output\n%s", in, got)
			}
		default:
			t.Fatalf("exit code %d", code)
		}
	})
}

// unmanagedItems returns, as the text kyaml writes them, the items of a ResourceList that do
// not carry the label of generated objects: the function must pass them through unchanged.
func unmanagedItems(t *testing.T, resourceList []byte) string {
	t.Helper()
	var keep []*yaml.Node
	for _, item := range fntest.ResourceListItems(t, resourceList) {
		if label, _ := yaml.NewRNode(item).Pipe(yaml.Lookup("metadata", "labels", "app.kubernetes.io/managed-by")); label == nil || yaml.GetValue(label) != "gateway-pattern" {
			keep = append(keep, item)
		}
	}
	return fntest.EncodeItems(t, keep)
}
