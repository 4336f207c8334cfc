// Package schema generates the schemas of the GatewayPattern from the Go types of package krm:
// the OpenAPI v3 schema inside the function's catalog entry (catalog.yaml, a
// KRMFunctionDefinition) and a JSON schema (schema/gatewaypattern.schema.json) that editors
// with yaml-language-server use to check GatewayPattern files as they are typed.
//
// The types are walked with reflection the way krm's strict decoder reads them: json tags give
// the names, a field without omitempty is required (nothing is required under spec.values, which
// merges over the chart's defaults, except in list items, which replace whole, where the field's
// comment says "Required."), the constants declared with a string type are its choices (plus
// krm.ValueChoices for chart values), every object refuses unknown keys, and only what the
// function really takes free-form (the Kubernetes objects inside krm.Raw values, the rest of
// values.global, values the chart ignores) is left open. Descriptions are the Go doc comments
// of krm's source.
//
// `make generate` (go generate ./..., which runs hack/gen-schema) writes the files; this package's test fails while
// they differ from what Generate returns.
package schema

//go:generate go run ../../hack/gen-schema -root ../..

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/gatewaypattern/gateway-pattern/krm"
)

// The generated files, relative to the repository root.
const (
	CatalogFile    = "catalog.yaml"
	JSONSchemaFile = "schema/gatewaypattern.schema.json"
)

// What the catalog entry says about the function besides its schema.
const (
	repository = "https://github.com/gatewaypattern/gateway-pattern"
	// Image is the container image of the function, as `make image` tags it.
	Image       = "gateway-pattern:dev"
	license     = "Apache 2.0"
	publisher   = "gatewaypattern.dev"
	description = "Expands one GatewayPattern into everything an Istio ingress, egress or east-west " +
		"gateway needs: the gateway workload exactly as the istio/gateway Helm chart renders it for " +
		"the same values, and the Gateway, VirtualServices, ServiceEntries, DestinationRules and " +
		"AuthorizationPolicy of the pattern, consistent with that workload by construction."
	jsonSchemaID = "https://raw.githubusercontent.com/gatewaypattern/gateway-pattern/main/" + JSONSchemaFile
)

var tags = []string{"generator", "istio", "gateway", "ingress", "egress", "east-west", "helm"}

// Result is what Generate makes.
type Result struct {
	// Files are the generated files' contents by path relative to the repository root.
	Files map[string][]byte
	// Undocumented lists the fields that have no doc comment, so no description.
	Undocumented []string
}

// Generate builds the catalog entry and the JSON schema from the sources of the repository at
// root: the doc comments of root/krm and the examples under root/examples.
func Generate(root string) (*Result, error) {
	docs, err := parseDocs(filepath.Join(root, "krm"))
	if err != nil {
		return nil, err
	}
	w := newWalker(root, docs)
	gp, err := w.gatewayPattern()
	if err != nil {
		return nil, err
	}
	gp.description = w.docs["GatewayPattern"].doc
	examples, err := exampleURLs(root)
	if err != nil {
		return nil, err
	}

	catalog, err := catalogYAML(gp, examples)
	if err != nil {
		return nil, err
	}
	js := gp.jsonSchema()
	js["$schema"] = "http://json-schema.org/draft-07/schema#"
	js["$id"] = jsonSchemaID
	js["$comment"] = "Generated from the Go types in krm/ by `make schema`; do not edit."
	js["title"] = krm.Kind + " (" + krm.APIVersion + ")"
	var jsonOut bytes.Buffer
	enc := json.NewEncoder(&jsonOut)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(js); err != nil {
		return nil, err
	}
	return &Result{
		Files:        map[string][]byte{CatalogFile: catalog, JSONSchemaFile: jsonOut.Bytes()},
		Undocumented: w.undocumented,
	}, nil
}

func catalogYAML(gp *node, examples []string) ([]byte, error) {
	definition := map[string]any{
		"apiVersion": "config.kubernetes.io/v1alpha1",
		"kind":       "KRMFunctionDefinition",
		"metadata":   map[string]any{"name": "gatewaypatterns." + krm.Group},
		"spec": map[string]any{
			"group":       krm.Group,
			"names":       map[string]any{"kind": krm.Kind},
			"description": description,
			"publisher":   publisher,
			"home":        repository,
			"tags":        tags,
			"versions": []any{map[string]any{
				"name":       krm.Version,
				"schema":     map[string]any{"openAPIV3Schema": gp.openAPI()},
				"idempotent": true,
				"runtime":    map[string]any{"container": map[string]any{"image": Image}},
				"usage":      repository + "/blob/main/README.md",
				"examples":   examples,
				"license":    license,
			}},
		},
	}
	out, err := yaml.Marshal(definition)
	if err != nil {
		return nil, err
	}
	header := "# The catalog entry of the gateway-pattern KRM function (KEP-2906 KRMFunctionDefinition).\n" +
		"# Code generated by `make schema` from the Go types in krm/. DO NOT EDIT.\n"
	return append([]byte(header), out...), nil
}

// exampleURLs links every example folder (examples/<name>/gatewaypattern.yaml) but those that
// show bad input (examples/bad-*).
func exampleURLs(root string) ([]string, error) {
	configs, err := filepath.Glob(filepath.Join(root, "examples", "*", "gatewaypattern.yaml"))
	if err != nil {
		return nil, err
	}
	var urls []string
	for _, c := range configs {
		if name := filepath.Base(filepath.Dir(c)); !strings.HasPrefix(name, "bad-") {
			urls = append(urls, repository+"/tree/main/examples/"+name)
		}
	}
	sort.Strings(urls)
	return urls, nil
}

// Write writes the generated files under root.
func (r *Result) Write(root string) error {
	for _, name := range r.sortedNames() {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, r.Files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Stale compares the generated files with those under root and returns a diff for each that
// differs or is missing.
func (r *Result) Stale(root string) map[string]string {
	stale := map[string]string{}
	for _, name := range r.sortedNames() {
		current, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			stale[name] = fmt.Sprintf("cannot read it: %v", err)
			continue
		}
		if !bytes.Equal(current, r.Files[name]) {
			stale[name] = Diff(name+" (on disk)", string(current), name+" (from the Go types)", string(r.Files[name]))
		}
	}
	return stale
}

func (r *Result) sortedNames() []string {
	var names []string
	for name := range r.Files {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
