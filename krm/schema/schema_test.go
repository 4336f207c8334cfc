package schema

import (
	"encoding/json"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/resid"

	"github.com/gatewaypattern/gateway-pattern/krm"
)

const root = "../.."

// TestGeneratedFilesAreCurrent fails when catalog.yaml or the JSON schema no longer match the
// Go types and doc comments of krm (or the list of examples).
func TestGeneratedFilesAreCurrent(t *testing.T) {
	result, err := Generate(root)
	if err != nil {
		t.Fatal(err)
	}
	for name, diff := range result.Stale(root) {
		t.Errorf("%s is out of date with the Go types in krm/. Run `make schema` and commit the result.\n%s", name, diff)
	}
	if len(result.Undocumented) > 0 {
		t.Logf("fields with no doc comment, so no description in the schema:\n  %s", strings.Join(result.Undocumented, "\n  "))
	}
}

// TestCatalogReadsAsKRMFunctionDefinition reads the catalog entry the way kyaml's function
// framework does and finds the GatewayPattern's schema in it.
func TestCatalogReadsAsKRMFunctionDefinition(t *testing.T) {
	result, err := Generate(root)
	if err != nil {
		t.Fatal(err)
	}
	gvk := resid.NewGvk(krm.Group, krm.Version, krm.Kind)
	s, err := framework.SchemaFromFunctionDefinition(gvk, string(result.Files[CatalogFile]))
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"apiVersion", "kind", "metadata", "spec"} {
		if _, ok := s.Properties[field]; !ok {
			t.Errorf("the schema has no property %s", field)
		}
	}
	if got := s.Properties["spec"].Properties["pattern"].Enum; len(got) != len(krm.Patterns) {
		t.Errorf("spec.pattern enum = %v, want the %d patterns", got, len(krm.Patterns))
	}
	var js map[string]any
	if err := json.Unmarshal(result.Files[JSONSchemaFile], &js); err != nil {
		t.Fatalf("%s is not JSON: %v", JSONSchemaFile, err)
	}
}

func TestWithJSONNames(t *testing.T) {
	names := map[string]string{"HTTPSRedirect": "httpsRedirect", "Profile": "profile", "Platform": "platform", "TLS": "tls"}
	for in, want := range map[string]string{
		"HTTPSRedirect makes the server redirect.":    "httpsRedirect makes the server redirect.",
		"Profile, Platform and Other select presets.": "profile, platform and Other select presets.",
		"TLS configures TLS on this server.":          "tls configures TLS on this server.",
		"Kubernetes' default.":                        "Kubernetes' default.",
		"HTTPSRedirectX is not a field name.":         "HTTPSRedirectX is not a field name.",
	} {
		if got := withJSONNames(in, names); got != want {
			t.Errorf("withJSONNames(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDiff(t *testing.T) {
	a := "1\n2\n3\n4\n5\n6\n7\n8\n9\n"
	b := "1\n2\n3\n4\nfive\n6\n7\n8\n9\n"
	want := "--- a\n+++ b\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
	if got := Diff("a", a, "b", b); got != want {
		t.Errorf("Diff:\n%s\nwant:\n%s", got, want)
	}
	if Diff("a", a, "b", a) != "" {
		t.Error("equal texts must give no diff")
	}
}
