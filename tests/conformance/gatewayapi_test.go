package conformance

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// gatewayAPIExamples walks a directory of the sigs.k8s.io/gateway-api module and returns, by file
// and document index, each document of a kind gateway-pattern emits.
func gatewayAPIExamples(t *testing.T, sub string) map[string][]byte {
	t.Helper()
	mod, err := moduleDir("sigs.k8s.io/gateway-api")
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string][]byte{}
	root := filepath.Join(mod, sub)
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		all, err := readDocuments(data)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		for i, doc := range all {
			_, h, err := toJSON(doc)
			if err != nil {
				return err
			}
			if _, ok := gatewayAPIKinds[h.gvk()]; ok {
				docs[rel+"#"+string(rune('0'+i))] = doc
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return docs
}

// The Gateway API project's own examples of the standard channel pass, and every one of its
// invalid examples fails: the validator applies the CRDs' schemas and CEL rules, not only the
// Go types.
func TestGatewayAPIProjectExamples(t *testing.T) {
	valid := gatewayAPIExamples(t, "examples/standard")
	if len(valid) < 30 {
		t.Fatalf("only %d valid examples found; the module layout changed?", len(valid))
	}
	for name, doc := range valid {
		if err := ValidateObject(doc); err != nil {
			t.Errorf("%s: want valid, got %v", name, err)
		}
	}
	invalid := gatewayAPIExamples(t, "hack/invalid-examples/standard")
	if len(invalid) < 20 {
		t.Fatalf("only %d invalid examples found; the module layout changed?", len(invalid))
	}
	for name, doc := range invalid {
		err := ValidateObject(doc)
		var oe *ObjectError
		if testing.Verbose() && err != nil {
			t.Logf("%s: %v", name, err)
		}
		if !errors.As(err, &oe) {
			t.Errorf("%s: want a validation error, got %v", name, err)
		}
	}
	t.Logf("%d valid and %d invalid Gateway API examples checked", len(valid), len(invalid))
}
