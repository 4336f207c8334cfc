// Package schema proves the generated GatewayPattern schemas right against the function itself:
// the JSON schema (schema/gatewaypattern.schema.json, checked with a JSON Schema validator) and
// the OpenAPI schema of the catalog entry (catalog.yaml, checked the way kyaml's function
// framework checks a functionConfig) must accept every GatewayPattern the function accepts, and
// refuse the typos and wrong types the function refuses.
package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/kube-openapi/pkg/validation/spec"
	"k8s.io/kube-openapi/pkg/validation/strfmt"
	"k8s.io/kube-openapi/pkg/validation/validate"
	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/resid"
	"sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/gatewaypattern/gateway-pattern/krm"
	genschema "github.com/gatewaypattern/gateway-pattern/krm/schema"
)

const root = "../.."

// schemas are the two generated schemas, ready to validate a GatewayPattern given as a JSON
// value (map[string]any, []any, string, json.Number, bool, nil).
type schemas struct {
	jsonSchema *jsonschema.Schema
	jsonDoc    map[string]any // the JSON schema itself, to find where it is free-form
	openAPI    *spec.Schema
}

func load(t *testing.T) schemas {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, genschema.JSONSchemaFile))
	require.NoError(t, err)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	const url = "file:///gatewaypattern.schema.json"
	require.NoError(t, c.AddResource(url, doc))
	compiled, err := c.Compile(url) // also checks it against the draft-07 meta-schema
	require.NoError(t, err)

	catalog, err := os.ReadFile(filepath.Join(root, genschema.CatalogFile))
	require.NoError(t, err)
	var definition framework.KRMFunctionDefinition
	require.NoError(t, sigsyaml.UnmarshalStrict(catalog, &definition), "catalog.yaml must have exactly the fields of a KRMFunctionDefinition")
	openAPI, err := framework.SchemaFromFunctionDefinition(resid.NewGvk(krm.Group, krm.Version, krm.Kind), string(catalog))
	require.NoError(t, err)
	return schemas{jsonSchema: compiled, jsonDoc: doc.(map[string]any), openAPI: openAPI}
}

// check validates a GatewayPattern against both schemas; each error is "" when it is valid.
func (s schemas) check(doc any) (jsonErr, openAPIErr string) {
	if err := s.jsonSchema.Validate(doc); err != nil {
		jsonErr = err.Error()
	}
	if err := validate.AgainstSchema(s.openAPI, toOpenAPIValue(doc), strfmt.Default); err != nil {
		openAPIErr = err.Error()
	}
	return jsonErr, openAPIErr
}

// config is one GatewayPattern found in the repository.
type config struct {
	source string
	doc    any // as JSON: what both validators read
}

// failedRun matches the error results of a ResourceList as kyaml writes them.
var failedRun = regexp.MustCompile(`(?m)^  severity: error$`)

// configs returns every distinct GatewayPattern of the examples, of the golden test inputs (the
// functionConfig and GatewayPattern items of each ResourceList) and of testdata/ here.
func configs(t *testing.T) []config {
	t.Helper()
	var out []config
	seen := map[string]bool{}
	add := func(source string, node *yaml.RNode) {
		if node.YNode().Kind != yaml.MappingNode || node.GetKind() != krm.Kind {
			return
		}
		text, err := node.String()
		require.NoError(t, err)
		data, err := sigsyaml.YAMLToJSON([]byte(text))
		require.NoError(t, err)
		if seen[string(data)] {
			return
		}
		seen[string(data)] = true
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		require.NoError(t, err)
		out = append(out, config{source: source, doc: withoutKustomizeAnnotations(doc)})
	}
	examples, err := filepath.Glob(filepath.Join(root, "examples", "*", "gatewaypattern.yaml"))
	require.NoError(t, err)
	own, err := filepath.Glob(filepath.Join("testdata", "*.yaml")) // every field set, for TestMutations
	require.NoError(t, err)
	for _, file := range append(examples, own...) {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		nodes, err := kio.FromBytes(data)
		require.NoError(t, err)
		for _, n := range nodes {
			add(file, n)
		}
	}
	inputs, err := filepath.Glob(filepath.Join(root, "testdata", "*", "input.yaml"))
	require.NoError(t, err)
	for _, file := range inputs {
		// Only the configs the function accepts: a failed run's expected output has error results.
		expected, err := os.ReadFile(filepath.Join(filepath.Dir(file), "expected.yaml"))
		require.NoError(t, err)
		if failedRun.Match(expected) {
			continue
		}
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		rw := &kio.ByteReader{Reader: bytes.NewReader(data), OmitReaderAnnotations: true}
		nodes, err := rw.Read()
		require.NoError(t, err)
		if rw.FunctionConfig != nil {
			add(file+" (functionConfig)", rw.FunctionConfig)
		}
		for _, n := range nodes {
			add(file+" (item)", n)
		}
	}
	require.NotEmpty(t, out)
	return out
}

// withoutKustomizeAnnotations drops the annotations kio adds while reading.
func withoutKustomizeAnnotations(doc any) any {
	if annotations, ok := at(doc, "metadata", "annotations").(map[string]any); ok {
		for key := range annotations {
			if strings.HasPrefix(key, "internal.config.kubernetes.io/") || strings.HasPrefix(key, "config.kubernetes.io/index") {
				delete(annotations, key)
			}
		}
	}
	return doc
}

// functionErrors runs the function's own decoding and validation on a GatewayPattern and
// returns the field paths of its errors.
func functionErrors(doc any) map[string]string {
	_, _, report := krm.Load(toTree(doc))
	errs := map[string]string{}
	for _, e := range report.Errors {
		errs[e.Field] = e.ErrorBody()
	}
	return errs
}

func TestEveryAcceptedConfigIsValid(t *testing.T) {
	s := load(t)
	accepted := 0
	for _, c := range configs(t) {
		errs := functionErrors(c.doc)
		jsonErr, openAPIErr := s.check(c.doc)
		if len(errs) > 0 {
			continue
		}
		accepted++
		assert.Empty(t, jsonErr, "%s: the function accepts it, the JSON schema must too", c.source)
		assert.Empty(t, openAPIErr, "%s: the function accepts it, the catalog's OpenAPI schema must too", c.source)
	}
	assert.Greater(t, accepted, 10, "too few accepted GatewayPatterns found to prove anything")
	for _, c := range configs(t) {
		if strings.HasPrefix(c.source, "testdata") {
			assert.Empty(t, functionErrors(c.doc), "%s must be a GatewayPattern the function accepts", c.source)
		}
	}
}

// TestInitScaffoldsAreValid: the GatewayPatterns `gateway-pattern init` writes (testdata/init),
// as written and with every line of YAML commented out in spec uncommented (the defaults, the
// chart values, the options), are accepted by both schemas, as by the function: an editor with the
// schema accepts whatever of them a user uncomments.
func TestInitScaffoldsAreValid(t *testing.T) {
	s := load(t)
	files, err := filepath.Glob(filepath.Join(root, "testdata", "init", "*", "gatewaypattern.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		head, spec, found := strings.Cut(string(data), "\nspec:\n")
		require.True(t, found, file)
		uncommented := head + "\nspec:\n" + commentedYAML.ReplaceAllString(spec, "$1$2")
		require.Greater(t, strings.Count(uncommented, "\n  values:\n"), 0, "%s: no commented values found", file)
		for source, text := range map[string]string{file: string(data), file + " (uncommented)": uncommented} {
			json, err := sigsyaml.YAMLToJSON([]byte(text))
			require.NoError(t, err, source)
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(json))
			require.NoError(t, err)
			assert.Empty(t, functionErrors(doc), "%s: the function must accept it", source)
			jsonErr, openAPIErr := s.check(doc)
			assert.Empty(t, jsonErr, "%s: the JSON schema must accept it", source)
			assert.Empty(t, openAPIErr, "%s: the catalog's OpenAPI schema must accept it", source)
		}
	}
}

// commentedYAML is a line of YAML commented out ("# key: ..." or "# - ..."), as
// `gateway-pattern init` writes them; $1$2 uncomments it.
var commentedYAML = regexp.MustCompile(`(?m)^( *)# ( *(?:- |[\w./-]+:(?: |$)).*)$`)

// TestRefusedTyposAreInvalid: every unknown field the function refuses in the repository's bad
// inputs, the schemas refuse too (where the function does not take free-form content).
func TestRefusedTyposAreInvalid(t *testing.T) {
	s := load(t)
	found := 0
	for _, c := range configs(t) {
		for path, msg := range functionErrors(c.doc) {
			if !strings.Contains(msg, "unknown field") || s.freeForm(splitPath(path)) {
				continue
			}
			found++
			jsonErr, openAPIErr := s.check(c.doc)
			assert.NotEmpty(t, jsonErr, "%s: %s: %s; the JSON schema must refuse it", c.source, path, msg)
			assert.NotEmpty(t, openAPIErr, "%s: %s: %s; the OpenAPI schema must refuse it", c.source, path, msg)
		}
	}
	assert.Positive(t, found, "no bad input with an unknown field found")
}

// TestTypo is the plain case, with the message an editor shows.
func TestTypo(t *testing.T) {
	s := load(t)
	data, err := os.ReadFile(filepath.Join(root, "examples", "seed-egress", "gatewaypattern.yaml"))
	require.NoError(t, err)
	for _, typo := range []struct{ from, to, key string }{
		{"  values:\n    service:", "  values:\n    servce:", "servce"},
		{"    - host: google.com", "    - hots: google.com", "hots"},
		{"spec:\n  pattern: Egress", "spec:\n  patern: Egress", "patern"},
	} {
		bad := strings.Replace(string(data), typo.from, typo.to, 1)
		require.NotEqual(t, string(data), bad, "the example changed: %q not found", typo.from)
		js, err := sigsyaml.YAMLToJSON([]byte(bad))
		require.NoError(t, err)
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
		require.NoError(t, err)
		jsonErr, openAPIErr := s.check(doc)
		assert.Contains(t, jsonErr, typo.key, "the JSON schema must name the unknown field")
		assert.Contains(t, openAPIErr, typo.key, "the OpenAPI schema must name the unknown field")
		assert.NotEmpty(t, functionErrors(doc), "the function refuses it too")
	}
}

// TestMutations changes every accepted GatewayPattern one field at a time (a misspelt key, a
// value of the wrong type, a removed key, null, an empty string) and compares the verdicts:
// whatever the function accepts, both schemas accept; a misspelt key or a wrong type the function
// refuses at that very field, both schemas refuse (unless the schema is free-form there, where
// the function checks Kubernetes objects itself).
func TestMutations(t *testing.T) {
	s := load(t)
	checked, refused := 0, 0
	stricter := map[string]int{}
	looser := 0
	for _, c := range configs(t) {
		if len(functionErrors(c.doc)) > 0 {
			continue
		}
		for _, m := range mutations(c.doc) {
			errs := functionErrors(m.doc)
			jsonErr, openAPIErr := s.check(m.doc)
			checked++
			where := fmt.Sprintf("%s with %s", c.source, m.what)
			if len(errs) == 0 {
				for _, verdict := range []struct{ dialect, err string }{{"JSON", jsonErr}, {"OpenAPI", openAPIErr}} {
					if why := knownStricter(m, s, verdict.dialect); why != "" {
						if verdict.err != "" {
							stricter[verdict.dialect+" schema: "+why]++
						}
						continue
					}
					assert.Empty(t, verdict.err, "%s: the function accepts it, the %s schema must too", where, verdict.dialect)
				}
				continue
			}
			if m.choice && s.hasEnum(m.path) {
				m.strict = true
			}
			if !m.strict {
				continue
			}
			if s.freeForm(m.path) {
				if jsonErr == "" {
					looser++
				}
				continue
			}
			if _, atPath := errs[fieldPath(m.path)]; !atPath {
				if _, atPath = errs[fieldPathAsKey(m.path)]; !atPath {
					continue
				}
			}
			refused++
			assert.NotEmpty(t, jsonErr, "%s: the function refuses it (%v), the JSON schema must too", where, errs)
			assert.NotEmpty(t, openAPIErr, "%s: the function refuses it (%v), the OpenAPI schema must too", where, errs)
		}
	}
	t.Logf("%d mutations compared, %d refused by the function at the mutated field", checked, refused)
	t.Logf("%d misspelt keys or wrong types inside free-form content (Kubernetes objects in Raw values, values.global) refused by the function, which checks them itself, and not by the schemas", looser)
	for why, n := range stricter {
		t.Logf("%d accepted by the function but not by a schema, on purpose: %s", n, why)
	}
	assert.Greater(t, refused, 100)
}

// knownStricter says why a schema may refuse a mutation the function accepts, or "".
func knownStricter(m mutation, s schemas, dialect string) string {
	if len(m.path) >= 3 && m.path[0] == "spec" && m.path[1] == "values" && strings.HasPrefix(m.path[2], "networkGatewayPorts") {
		return "the function checks values.networkGatewayPorts (port names, protocols) only when " +
			"networkGateway is set, the schemas always: an unknown port name is always a mistake"
	}
	if dialect == "OpenAPI" && strings.HasSuffix(m.what, " = null") && s.hasEnum(m.path) {
		return "null for a nullable field with choices: kube-openapi's enum check cannot match null " +
			"(the OpenAPI schema lists null among the choices, as OpenAPI 3.0.3 asks)"
	}
	return ""
}

type mutation struct {
	what   string
	path   []string // the mutated field
	strict bool     // a misspelt key or a wrong type: the schemas must refuse what the function does
	choice bool     // a word no enum lists: where the schema has an enum, it must refuse it too
	doc    any
}

// mutations returns copies of doc, each with one change.
func mutations(doc any) []mutation {
	var out []mutation
	var walk func(v any, path []string)
	walk = func(v any, path []string) {
		switch t := v.(type) {
		case map[string]any:
			for _, key := range sortedKeys(t) {
				child := append(append([]string{}, path...), key)
				typo := append(append([]string{}, path...), key+"x")
				out = append(out,
					mutation{what: "key " + strings.Join(child, ".") + " misspelt", path: typo, strict: true, doc: replaced(doc, path, func(m any) any {
						mm := m.(map[string]any)
						mm[key+"x"] = mm[key]
						delete(mm, key)
						return mm
					})},
					mutation{what: "key " + strings.Join(child, ".") + " removed", path: child, doc: replaced(doc, path, func(m any) any {
						delete(m.(map[string]any), key)
						return m
					})})
				walk(t[key], child)
			}
		case []any:
			for i, item := range t {
				walk(item, append(append([]string{}, path...), strconv.Itoa(i)))
			}
		}
		if len(path) == 0 {
			return
		}
		where := strings.Join(path, ".")
		set := func(what string, value any, strict bool) {
			out = append(out, mutation{what: where + " = " + what, path: path, strict: strict, doc: replaced(doc, path, func(any) any { return value })})
		}
		set("null", nil, false)
		switch t := v.(type) {
		case map[string]any:
			set("a string", "not-an-object", true)
		case []any:
			set("a string", "not-a-list", true)
		case string:
			set("a number", json.Number("12345"), true)
			set(`""`, "", false)
			out = append(out, mutation{what: where + " = an unlisted word", path: path, choice: true, doc: replaced(doc, path, func(any) any { return "Unlisted-Word" })})
		case json.Number:
			set("a string", "not-a-number", true)
			set("a list", []any{t}, true)
		case bool:
			set("a string", "not-a-boolean", true)
		}
	}
	walk(doc, nil)
	return out
}

// replaced returns a deep copy of doc with the value at path replaced by change(value).
func replaced(doc any, path []string, change func(any) any) any {
	c := krm.CopyTree(doc)
	if len(path) == 0 {
		return change(c)
	}
	parent := c
	for _, p := range path[:len(path)-1] {
		parent = child(parent, p)
	}
	last := path[len(path)-1]
	switch t := parent.(type) {
	case map[string]any:
		t[last] = change(t[last])
	case []any:
		i, _ := strconv.Atoi(last)
		t[i] = change(t[i])
	}
	return c
}

func child(v any, key string) any {
	switch t := v.(type) {
	case map[string]any:
		return t[key]
	case []any:
		i, _ := strconv.Atoi(key)
		return t[i]
	}
	return nil
}

func at(v any, path ...string) any {
	for _, p := range path {
		v = child(v, p)
	}
	return v
}

// freeForm reports whether the JSON schema leaves the field at path (or anything it is in)
// unchecked: free-form content the function checks itself.
func (s schemas) freeForm(path []string) bool {
	node := s.jsonDoc
	for _, p := range path {
		if props, ok := node["properties"].(map[string]any); ok {
			if next, ok := props[p].(map[string]any); ok {
				node = next
				continue
			}
		}
		if items, ok := node["items"].(map[string]any); ok {
			if _, err := strconv.Atoi(p); err == nil {
				node = items
				continue
			}
		}
		switch extra := node["additionalProperties"].(type) {
		case map[string]any:
			node = extra
			continue
		case bool:
			return extra
		}
		return true // no constraint at all
	}
	_, typed := node["type"]
	_, anyOf := node["anyOf"]
	return !typed && !anyOf
}

// hasEnum reports whether the JSON schema lists the values of the field at path.
func (s schemas) hasEnum(path []string) bool {
	node := s.jsonDoc
	for _, p := range path {
		next, _ := at(node, "properties", p).(map[string]any)
		if next == nil {
			next, _ = node["items"].(map[string]any)
		}
		if next == nil {
			next, _ = node["additionalProperties"].(map[string]any)
		}
		if next == nil {
			return false
		}
		node = next
	}
	_, ok := node["enum"]
	return ok
}

// splitPath turns a field path of the function's errors (spec.values.service.ports[0].name,
// metadata.annotations[a/b]) into its parts.
func splitPath(path string) []string {
	var parts []string
	for _, dotted := range strings.Split(strings.ReplaceAll(strings.ReplaceAll(path, "[", "."), "]", ""), ".") {
		if dotted != "" {
			parts = append(parts, dotted)
		}
	}
	return parts
}

// fieldPath writes path the way the function names struct fields and list items.
func fieldPath(path []string) string {
	var b strings.Builder
	for i, p := range path {
		if _, err := strconv.Atoi(p); err == nil {
			fmt.Fprintf(&b, "[%s]", p)
			continue
		}
		if i > 0 {
			b.WriteString(".")
		}
		b.WriteString(p)
	}
	return b.String()
}

// fieldPathAsKey writes path with its last part as a map key.
func fieldPathAsKey(path []string) string {
	return fieldPath(path[:len(path)-1]) + "[" + path[len(path)-1] + "]"
}

// toTree turns a JSON value into the document tree krm decodes (what YAML decodes into: ints
// and float64s rather than json.Number).
func toTree(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = toTree(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = toTree(e)
		}
		return out
	case json.Number:
		if i, err := strconv.Atoi(string(t)); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	}
	return v
}

// toOpenAPIValue turns a JSON value into what kube-openapi's validator reads (float64 numbers).
func toOpenAPIValue(v any) any {
	data, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(data, &out)
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
