package schema

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/gatewaypattern/gateway-pattern/krm"
	"github.com/gatewaypattern/gateway-pattern/krm/kubetypes"
)

// node is one schema, independent of the dialect it is written in (see render.go).
type node struct {
	types       []string // JSON types; none: any value
	nullable    bool     // null is accepted too
	description string
	format      string // OpenAPI only: int32, int64
	enum        []string
	properties  []property
	required    []string
	additional  *node // the schema of every map value
	open        bool  // keys beyond properties are free-form (preserved, not checked)
	closed      bool  // keys beyond properties are errors
	items       *node
	intOrString bool // an integer or a string (Kubernetes' IntOrString)
	unsetObject bool // an integer, or {} for unset (krm.OptionalInt)
	minimum     *int64
	pattern     string // strings only
	minLength   int
	minItems    int
	maxItems    int
	// exclusive are properties of which at most one may be set: a proto oneof, as Istio's
	// schemas say it (oneOf: none of them, or exactly one).
	exclusive []string
}

type property struct {
	name   string
	schema *node
}

// place is where in a GatewayPattern a schema applies.
type place struct {
	path   string // JSON path: spec.values.service.ports[].protocol
	values bool   // under spec.values
	merged bool   // merged over the chart's defaults: nothing under it is required
}

func (p place) child(name string) place {
	if p.path != "" {
		name = p.path + "." + name
	}
	return place{path: name, values: p.values, merged: p.merged}
}

const valuesPath = "spec.values"

var (
	krmPkgPath     = reflect.TypeFor[krm.GatewayPattern]().PkgPath()
	typeChartValue = reflect.TypeFor[krm.ChartValues]()
	typeScalar     = reflect.TypeFor[krm.Scalar]()
	typeQuantity   = reflect.TypeFor[krm.Quantity]()
	typeOptional   = reflect.TypeFor[krm.OptionalInt]()
	typeGlobal     = reflect.TypeFor[krm.GlobalValues]()
	typeIntOrStr   = reflect.TypeFor[intstr.IntOrString]()
	typeUnmarshal  = reflect.TypeFor[json.Unmarshaler]()
	typeRaw        = reflect.TypeFor[krm.Raw]()
)

// walker builds the schema of a Go type of package krm, the way krm's strict decoder reads it.
type walker struct {
	root         string // the repository root, where `go list -m` finds istio.io/api
	docs         map[string]*typeDocs
	choices      map[string][]string // krm.ValueChoices, by full path
	keys         map[string][]string // krm.ValueKeys, by full path
	usedChoices  map[string]bool
	undocumented []string
}

func newWalker(root string, docs map[string]*typeDocs) *walker {
	w := &walker{root: root, docs: docs, choices: map[string][]string{}, keys: map[string][]string{}, usedChoices: map[string]bool{}}
	for path, values := range krm.ValueChoices() {
		w.choices[valuesPath+"."+path] = values
	}
	for path, keys := range krm.ValueKeys() {
		w.keys[valuesPath+"."+path] = keys
	}
	return w
}

// gatewayPattern is the schema of a whole GatewayPattern.
func (w *walker) gatewayPattern() (*node, error) {
	root, err := w.schemaOf(reflect.TypeFor[krm.GatewayPattern](), place{})
	if err != nil {
		return nil, err
	}
	// apiVersion and kind are described here, from krm's constants.
	w.undocumented = slices.DeleteFunc(w.undocumented, func(s string) bool {
		return strings.HasSuffix(s, "(apiVersion)") || strings.HasSuffix(s, "(kind)")
	})
	for _, p := range root.properties {
		switch p.name {
		case "apiVersion":
			p.schema.enum = []string{krm.APIVersion}
			p.schema.description = "The API version of a GatewayPattern: " + krm.APIVersion + "."
			p.schema.minLength = 0
		case "kind":
			p.schema.enum = []string{krm.Kind}
			p.schema.description = "The kind of the function's configuration: " + krm.Kind + "."
			p.schema.minLength = 0
		}
	}
	var unused []string
	for path := range w.choices {
		if !w.usedChoices[path] {
			unused = append(unused, path)
		}
	}
	for path := range w.keys {
		if !w.usedChoices[path] {
			unused = append(unused, path)
		}
	}
	if len(unused) > 0 {
		sort.Strings(unused)
		return nil, fmt.Errorf("krm.ValueChoices or krm.ValueKeys names %s: no such value of the right type under %s", strings.Join(unused, ", "), valuesPath)
	}
	return root, nil
}

func (w *walker) schemaOf(t reflect.Type, at place) (*node, error) {
	switch {
	case t == typeIntOrStr:
		return &node{intOrString: true}, nil
	case t == typeScalar:
		return &node{types: []string{"string", "number", "boolean"}}, nil
	case t == typeQuantity:
		return &node{types: []string{"string", "number"}, pattern: krm.QuantityPattern}, nil
	case t == typeOptional:
		return &node{unsetObject: true, nullable: true}, nil
	case t == typeServerTLS:
		return w.serverTLSSchema(at)
	case t == typeIngressRoute:
		return w.ingressRouteSchema(at)
	case t == typeClientTLS:
		// Istio's ClientTLSSettings whole, as its DestinationRule CRD describes it.
		s, err := istioSchema(w.root, "DestinationRule", "spec", "trafficPolicy", "tls")
		if err != nil {
			return nil, err
		}
		n, err := fromOpenAPI(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", at.path, err)
		}
		return n, nil
	case t.Kind() == reflect.Struct && krm.DecodesItself(t):
		if t == typeGlobal {
			n, err := w.structSchema(t, at)
			if err != nil {
				return nil, err
			}
			n.closed, n.open = false, true
			return n, nil
		}
		return nil, fmt.Errorf("%s: type %s decodes itself; teach krm/schema its shape", at.path, t)
	case t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(typeUnmarshal):
		return nil, fmt.Errorf("%s: type %s decodes itself from JSON; teach krm/schema its shape", at.path, t)
	}
	switch t.Kind() {
	case reflect.Pointer:
		n, err := w.schemaOf(t.Elem(), at)
		if err != nil {
			return nil, err
		}
		n.nullable = true
		return n, nil
	case reflect.Interface:
		return &node{nullable: true}, nil
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return nil, fmt.Errorf("%s: map keys of type %s", at.path, t.Key())
		}
		if keys, ok := w.keys[at.path]; ok {
			// A map with fixed keys: an object with those properties and no others.
			w.usedChoices[at.path] = true
			n := &node{types: []string{"object"}, nullable: true, closed: true}
			for _, key := range keys {
				elem, err := w.schemaOf(t.Elem(), at.child("*"))
				if err != nil {
					return nil, err
				}
				elem.description = w.typeDoc(t.Elem())
				n.properties = append(n.properties, property{name: key, schema: elem})
			}
			return n, nil
		}
		elem, err := w.schemaOf(t.Elem(), at.child("*"))
		if err != nil {
			return nil, err
		}
		return &node{types: []string{"object"}, nullable: true, additional: elem}, nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return &node{types: []string{"string"}, nullable: true, format: "byte"}, nil
		}
		item := place{path: at.path + "[]", values: at.values} // a list replaces: its items are whole
		elem, err := w.schemaOf(t.Elem(), item)
		if err != nil {
			return nil, err
		}
		return &node{types: []string{"array"}, nullable: true, items: elem}, nil
	case reflect.Struct:
		return w.structSchema(t, at)
	case reflect.String:
		n := &node{types: []string{"string"}}
		if values, ok := w.choices[at.path]; ok {
			n.enum = values
			w.usedChoices[at.path] = true
		} else if t.PkgPath() == krmPkgPath && w.docs[t.Name()] != nil && len(w.docs[t.Name()].consts) > 0 {
			n.enum = w.docs[t.Name()].consts
		}
		return n, nil
	case reflect.Bool:
		return &node{types: []string{"boolean"}}, nil
	case reflect.Int32, reflect.Int64:
		return &node{types: []string{"integer"}, format: fmt.Sprintf("int%d", t.Bits())}, nil
	case reflect.Int, reflect.Int8, reflect.Int16:
		return &node{types: []string{"integer"}}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		zero := int64(0)
		return &node{types: []string{"integer"}, minimum: &zero}, nil
	case reflect.Float32, reflect.Float64:
		return &node{types: []string{"number"}}, nil
	}
	return nil, fmt.Errorf("%s: no schema for Go type %s", at.path, t)
}

func (w *walker) structSchema(t reflect.Type, at place) (*node, error) {
	n := &node{types: []string{"object"}, closed: true}
	fields := jsonFields(t)
	jsonNames := map[string]string{}
	for _, f := range fields {
		jsonNames[f.goName] = f.name
	}
	for _, f := range fields {
		here := at.child(f.name)
		var (
			child *node
			err   error
		)
		if here.path == valuesPath {
			// spec.values is a plain map to the decoder; the chart values are checked once merged.
			child, err = w.schemaOf(typeChartValue, place{path: valuesPath, values: true, merged: true})
			if child != nil {
				child.nullable = true
			}
		} else if f.typ == typeRaw {
			var kubeType reflect.Type
			if kubeType, err = kubetypes.Resolve(f.kube); err == nil {
				child = rawSchema(kubeType)
			}
		} else {
			child, err = w.schemaOf(f.typ, here)
		}
		if err != nil {
			return nil, err
		}
		doc := w.fieldDoc(f.owner, f.goName)
		if doc == "" {
			doc = w.typeDoc(f.typ)
		}
		if doc == "" {
			w.undocumented = append(w.undocumented, fmt.Sprintf("%s.%s (%s)", f.owner.Name(), f.goName, here.path))
		}
		child.description = joinSentences(withJSONNames(doc, jsonNames), child.description)
		required := !at.merged && (!f.omitempty || docRequired.MatchString(doc))
		if required {
			n.required = append(n.required, f.name)
			child.nullable = false // to the function, null is as missing as a missing key
			switch {
			case slices.Contains(child.types, "string") && len(child.types) == 1 && child.enum == nil:
				child.minLength = 1 // validation refuses "" as much as a missing value
			case slices.Contains(child.types, "array"):
				child.minItems = 1
			}
		} else if f.defaulted {
			// Left out it gets its default; written out, its zero value is an error.
			switch {
			case child.enum != nil: // "" is not among the choices
			case slices.Equal(child.types, []string{"string"}):
				child.minLength = 1
			case slices.Equal(child.types, []string{"integer"}):
				one := int64(1)
				child.minimum = &one
			}
		} else if f.omitempty && child.enum != nil && !slices.Contains(child.enum, "") && !child.nullable {
			child.enum = append([]string{""}, child.enum...) // "" is the same as leaving it out
		}
		n.properties = append(n.properties, property{name: f.name, schema: child})
	}
	return n, nil
}

// fieldDoc is the doc comment of a field of a krm struct.
func (w *walker) fieldDoc(owner reflect.Type, goName string) string {
	if owner.PkgPath() != krmPkgPath || w.docs[owner.Name()] == nil {
		return ""
	}
	return w.docs[owner.Name()].fields[goName]
}

// typeDoc is the doc comment of a krm type (through pointers), for fields with no comment.
func (w *walker) typeDoc(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.PkgPath() != krmPkgPath || w.docs[t.Name()] == nil {
		return ""
	}
	return w.docs[t.Name()].doc
}

type jsonField struct {
	name, goName string
	typ, owner   reflect.Type
	omitempty    bool
	kube         string // the kube tag of a krm.Raw field
	defaulted    bool   // tagged krm:"defaulted": its zero value written out is refused
}

// jsonFields lists a struct's fields by their JSON names, flattening embedded structs the way
// krm's decoder does.
func jsonFields(t reflect.Type) []jsonField {
	var out []jsonField
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		if f.Anonymous && (name == "" || strings.Contains(opts, "inline")) && f.Type.Kind() == reflect.Struct {
			out = append(out, jsonFields(f.Type)...)
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, jsonField{name: name, goName: f.Name, typ: f.Type, owner: t, omitempty: strings.Contains(opts, "omitempty"), kube: f.Tag.Get("kube"),
			defaulted: f.Tag.Get("krm") == krm.DefaultedTag})
	}
	return out
}

// rawSchema is the schema of a krm.Raw value checked against T: the outline of T (object, list of objects, map
// of strings); what is inside T's objects is kept as written and checked by the function against
// T when it runs, so the schema leaves it free-form.
func rawSchema(t reflect.Type) *node {
	n := outline(t)
	n.nullable = true
	item := t
	for item.Kind() == reflect.Slice || item.Kind() == reflect.Pointer {
		item = item.Elem()
	}
	if group, ok := strings.CutPrefix(item.PkgPath(), "k8s.io/api/"); ok && item.Name() != "" {
		what := "Checked"
		if t.Kind() == reflect.Slice {
			what = "Each item is checked"
		}
		n.description = fmt.Sprintf("%s against the Kubernetes type %s %s when the function runs.", what, group, item.Name())
	}
	return n
}

func outline(t reflect.Type) *node {
	switch t.Kind() {
	case reflect.Pointer:
		return outline(t.Elem())
	case reflect.Slice:
		return &node{types: []string{"array"}, items: outline(t.Elem())}
	case reflect.Map:
		return &node{types: []string{"object"}, additional: outline(t.Elem())}
	case reflect.String:
		return &node{types: []string{"string"}}
	case reflect.Bool:
		return &node{types: []string{"boolean"}}
	case reflect.Struct:
		return &node{types: []string{"object"}, open: true}
	}
	return &node{}
}

func joinSentences(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " " + b
}
