package schema

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/gatewaypattern/gateway-pattern/krm"
)

// Where a field takes Istio's own vocabulary (krm/istioapi), its schema is Istio's own: read from
// the CRDs istio.io/api ships (kubernetes/customresourcedefinitions.gen.yaml, in the module the
// function is built with), not written again here. Istio's CEL rules (x-kubernetes-validations)
// are left out: JSON Schema cannot say them, and the function checks the same rules itself.

var (
	typeServerTLS    = reflect.TypeFor[krm.ServerTLS]()
	typeIngressRoute = reflect.TypeFor[krm.IngressRoute]()
	typeClientTLS    = reflect.TypeFor[krm.ClientTLS]()
)

// istioCRDFile is the CRD file in istio.io/api's module.
const istioCRDFile = "kubernetes/customresourcedefinitions.gen.yaml"

// istioSchema returns Istio's OpenAPI schema of a field of one of its CRDs: kind of group
// networking.istio.io, version v1, under path (property names; "[]" for a list's items).
func istioSchema(root, kind string, path ...string) (map[string]any, error) {
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "istio.io/api")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("locating istio.io/api (go list -m): %w", err)
	}
	file := filepath.Join(strings.TrimSpace(string(out)), istioCRDFile)
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	for _, doc := range strings.Split(string(data), "\n---\n") {
		var crd struct {
			Spec struct {
				Group string `json:"group"`
				Names struct {
					Kind string `json:"kind"`
				} `json:"names"`
				Versions []struct {
					Name   string `json:"name"`
					Schema struct {
						OpenAPIV3Schema map[string]any `yaml:"openAPIV3Schema"`
					} `json:"schema"`
				} `json:"versions"`
			} `json:"spec"`
		}
		if err := yaml.Unmarshal([]byte(doc), &crd); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		if crd.Spec.Group != "networking.istio.io" || crd.Spec.Names.Kind != kind {
			continue
		}
		for _, v := range crd.Spec.Versions {
			if v.Name != "v1" {
				continue
			}
			s := v.Schema.OpenAPIV3Schema
			for _, p := range path {
				if p == "[]" {
					s, _ = s["items"].(map[string]any)
				} else {
					props, _ := s["properties"].(map[string]any)
					s, _ = props[p].(map[string]any)
				}
				if s == nil {
					return nil, fmt.Errorf("%s: %s v1 has no %s", file, kind, strings.Join(path, "."))
				}
			}
			return s, nil
		}
	}
	return nil, fmt.Errorf("%s: no CRD of kind %s, version v1", file, kind)
}

// fromOpenAPI is the node of one of Istio's OpenAPI schemas. Objects with properties are closed,
// as krm/istioapi decodes them (an unknown key is an error), and null is taken where krm/istioapi
// takes it: for a list or an object, not for a scalar.
func fromOpenAPI(s map[string]any) (*node, error) {
	n := &node{}
	if d, ok := s["description"].(string); ok {
		n.description = d
	}
	if t, ok := s["type"].(string); ok {
		n.types = []string{t}
	}
	n.nullable, _ = s["nullable"].(bool)
	if rules, ok := s["x-kubernetes-validations"].([]any); ok && slices.Equal(n.types, []string{"string"}) {
		// A google.protobuf.Duration (Istio's CRDs give it as a string checked by a CEL rule
		// on duration(self)) is a message to krm/istioapi, which takes null for it as unset.
		for _, r := range rules {
			if rule, _ := r.(map[string]any)["rule"].(string); strings.Contains(rule, "duration(self)") {
				n.nullable = true
			}
		}
	}
	if f, ok := s["format"].(string); ok {
		n.format = f
	}
	if enum, ok := s["enum"].([]any); ok {
		for _, v := range enum {
			n.enum = append(n.enum, fmt.Sprint(v))
		}
	}
	if v, ok := s["minItems"]; ok {
		n.minItems = toInt(v)
	}
	if v, ok := s["maxItems"]; ok {
		n.maxItems = toInt(v)
	}
	if oneOf, ok := s["oneOf"]; ok {
		exclusive, ok := exclusiveOf(oneOf)
		if !ok {
			return nil, fmt.Errorf("Istio's schema uses a oneOf other than a proto oneof, which krm/schema does not read yet")
		}
		n.exclusive = exclusive
	}
	if additional, ok := s["additionalProperties"].(map[string]any); ok {
		item, err := fromOpenAPI(additional)
		if err != nil {
			return nil, err
		}
		n.additional = item
	}
	for _, unsupported := range []string{"anyOf", "allOf", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string"} {
		if _, ok := s[unsupported]; ok {
			return nil, fmt.Errorf("Istio's schema uses %s, which krm/schema does not read yet", unsupported)
		}
	}
	if items, ok := s["items"].(map[string]any); ok {
		item, err := fromOpenAPI(items)
		if err != nil {
			return nil, err
		}
		n.items = item
	}
	if props, ok := s["properties"].(map[string]any); ok {
		names := make([]string, 0, len(props))
		for name := range props {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			child, err := fromOpenAPI(props[name].(map[string]any))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			if slices.Equal(child.types, []string{"array"}) || slices.Equal(child.types, []string{"object"}) {
				child.nullable = true // null is an empty list or an unset object to krm/istioapi, as to krm
			}
			n.properties = append(n.properties, property{name: name, schema: child})
		}
		n.closed = true
	}
	return n, nil
}

// exclusiveOf reads the oneOf by which Istio's schemas say a proto oneof, at most one of some
// fields: [{not: {anyOf: [{required: [a]}, {required: [b]}]}}, {required: [a]}, {required: [b]}].
func exclusiveOf(v any) ([]string, bool) {
	branches, ok := v.([]any)
	if !ok || len(branches) < 2 {
		return nil, false
	}
	single := func(b any) (string, bool) {
		m, ok := b.(map[string]any)
		if !ok || len(m) != 1 {
			return "", false
		}
		req, ok := m["required"].([]any)
		if !ok || len(req) != 1 {
			return "", false
		}
		name, ok := req[0].(string)
		return name, ok
	}
	var names []string
	for _, b := range branches[1:] {
		name, ok := single(b)
		if !ok {
			return nil, false
		}
		names = append(names, name)
	}
	first, ok := branches[0].(map[string]any)
	if !ok || len(first) != 1 {
		return nil, false
	}
	not, ok := first["not"].(map[string]any)
	if !ok || len(not) != 1 {
		return nil, false
	}
	anyOf, ok := not["anyOf"].([]any)
	if !ok || len(anyOf) != len(names) {
		return nil, false
	}
	for i, b := range anyOf {
		if name, ok := single(b); !ok || name != names[i] {
			return nil, false
		}
	}
	return names, true
}

func toInt(v any) int {
	switch n := v.(type) {
	case int:
		return n
	case int64:
		return int(n)
	case float64:
		return int(n)
	}
	return 0
}

// serverTLSSchema is the schema of a server's tls: mode and credentialName as krm declares them,
// and every other field of Istio's ServerTLSSettings as Istio's Gateway CRD describes it.
func (w *walker) serverTLSSchema(at place) (*node, error) {
	return w.withIstioFields(typeServerTLS, krm.ServerTLSFields(), at, "Gateway", "spec", "servers", "[]", "tls")
}

// ingressRouteSchema is the schema of an ingress route: hosts, prefix and destination as krm
// declares them, and every other field of Istio's HTTPRoute that a route takes as Istio's
// VirtualService CRD describes it.
func (w *walker) ingressRouteSchema(at place) (*node, error) {
	return w.withIstioFields(typeIngressRoute, krm.RouteFields(), at, "VirtualService", "spec", "http", "[]")
}

// withIstioFields is the schema of t, a krm type that declares some fields itself and decodes
// the others (fields) with an Istio message: krm's own fields, then those fields as Istio's CRD
// for kind describes them at path. A field the CRD does not describe is an error, so a change of
// Istio's API shows here rather than as a schema that accepts less than the function.
func (w *walker) withIstioFields(t reflect.Type, fields []string, at place, kind string, path ...string) (*node, error) {
	n, err := w.structSchema(t, at)
	if err != nil {
		return nil, err
	}
	s, err := istioSchema(w.root, kind, path...)
	if err != nil {
		return nil, err
	}
	istio, err := fromOpenAPI(s)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", at.path, err)
	}
	for _, p := range istio.properties {
		if slices.Contains(fields, p.name) {
			n.properties = append(n.properties, p)
		}
	}
	var missing []string
	for _, name := range fields {
		if !slices.ContainsFunc(n.properties, func(p property) bool { return p.name == name }) {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: Istio's %s CRD describes no %s", at.path, kind, strings.Join(missing, ", "))
	}
	return n, nil
}
