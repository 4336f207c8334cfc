// Package scaffold makes a new gateway-pattern package, what `gateway-pattern init` writes: a
// GatewayPattern of one pattern with a small working example, the defaults it leaves out and the
// chart values' defaults in comments; a kustomization.yaml and a Kptfile that run the function;
// and a .krmignore. The files are a kustomize directory and a kpt package at once, like the
// repository's examples.
//
// Every default the files show is computed here from package krm (krm.GatewayPattern.Default,
// krm.GatewayPattern.DefaultValues), never copied by hand, so it cannot drift from what the
// function does.
package scaffold

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"

	yaml "go.yaml.in/yaml/v3"

	yn "github.com/gatewaypattern/gateway-pattern/fn/internal/yamlnode"
	"github.com/gatewaypattern/gateway-pattern/krm"
)

// The files of a package, in the order Files returns them.
const (
	ConfigFile        = "gatewaypattern.yaml"
	KustomizationFile = "kustomization.yaml"
	KptfileFile       = "Kptfile"
	KrmignoreFile     = ".krmignore"
)

// FileNames are the names of the files Files returns, in order.
var FileNames = []string{ConfigFile, KustomizationFile, KptfileFile, KrmignoreFile}

// Package says what to write.
type Package struct {
	// Pattern of the GatewayPattern.
	Pattern krm.Pattern
	// Name of the kpt package (the Kptfile's metadata.name): by convention its directory's name.
	Name string
	// Wiring says how kustomize and kpt run the function.
	Wiring Wiring
}

// Wiring is how kustomize and kpt run the function: exactly one of Exec and Image is set.
type Wiring struct {
	// Exec is the path of the function's binary, written as is. kustomize resolves a relative
	// path from the package directory (the kustomization's), kpt from the directory it runs in.
	Exec string
	// Image is the function's container image, written as is.
	Image string
}

// File is one file of a package.
type File struct {
	Name string
	Data []byte
}

// ParsePattern returns the pattern named s, in any case ("eastwest" is EastWest).
func ParsePattern(s string) (krm.Pattern, error) {
	for _, p := range krm.Patterns {
		if strings.EqualFold(s, string(p)) {
			return p, nil
		}
	}
	return "", fmt.Errorf("unknown pattern %q: want %s", s, orList(krm.Patterns))
}

// orList is "a, b or c".
func orList[S ~string](values []S) string {
	names := make([]string, len(values))
	for i, v := range values {
		names[i] = string(v)
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// Files returns the files of the package p, named as in FileNames.
func Files(p Package) ([]File, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	config, err := gatewayPatternFile(p)
	if err != nil {
		return nil, err
	}
	kptfile, err := kptfileText(p)
	if err != nil {
		return nil, err
	}
	return []File{
		{ConfigFile, []byte(config)},
		{KustomizationFile, []byte(kustomizationText(p.Wiring))},
		{KptfileFile, []byte(kptfile)},
		{KrmignoreFile, []byte(krmignore)},
	}, nil
}

func (p Package) check() error {
	if !slices.Contains(krm.Patterns, p.Pattern) {
		_, err := ParsePattern(string(p.Pattern))
		return err
	}
	w := p.Wiring
	switch {
	case (w.Exec == "") == (w.Image == ""):
		return fmt.Errorf("name the function either by its binary (exec) or by its image, not both or neither")
	case strings.ContainsFunc(w.Exec+w.Image, unicode.IsControl):
		return fmt.Errorf("the function's path or image %q holds a control character", w.Exec+w.Image)
	case strings.ContainsFunc(p.Name, unicode.IsControl):
		return fmt.Errorf("the package name %q holds a control character", p.Name)
	}
	return nil
}

// Example is the GatewayPattern the package of pattern p starts with, as written (not defaulted):
// one gateway in the pattern's default namespace, with the smallest block that renders.
func Example(p krm.Pattern) *krm.GatewayPattern {
	gp := &krm.GatewayPattern{
		APIVersion: krm.APIVersion,
		Kind:       krm.Kind,
		Metadata:   krm.ObjectMeta{Namespace: krm.DefaultNamespace(p)},
		Spec:       krm.Spec{Pattern: p},
	}
	// Istio's conventional gateway names; the hosts are those of Istio's own tasks (the httpbin
	// sample behind httpbin.example.com) and of the seed document.
	switch p {
	case krm.Ingress:
		gp.Metadata.Name = "istio-ingressgateway"
		gp.Spec.Ingress = &krm.IngressSpec{
			Servers: []krm.IngressServer{{Port: 80, Hosts: []string{"httpbin.example.com"}}},
			Routes: []krm.IngressRoute{{
				Hosts:       []string{"httpbin.example.com"},
				Destination: krm.Destination{Host: "httpbin.default.svc.cluster.local", Port: 8000},
			}},
		}
	case krm.Egress:
		gp.Metadata.Name = "istio-egressgateway"
		gp.Spec.Egress = &krm.EgressSpec{Hosts: []krm.EgressHost{{Host: "google.com", Port: 80}}}
	case krm.EastWest:
		gp.Metadata.Name = "istio-eastwestgateway"
		gp.Spec.EastWest = &krm.EastWestSpec{Network: "network1"}
	}
	return gp
}

func gatewayPatternFile(p Package) (string, error) {
	written := Example(p.Pattern)
	defaulted := Example(p.Pattern)
	defaulted.Default()
	values, err := commentedValues(written, "  ")
	if err != nil {
		return "", err
	}
	return configText(written, defaulted, p.Wiring, values)
}

// commentColumn is where the comments that follow a value start (they are marked with a tab in
// the templates), so that they line up.
const commentColumn = 38

// alignComments replaces the tab before a trailing comment with the spaces that start the
// comment at commentColumn (or with one space, on a longer line). No tab is ever written
// otherwise: YAML allows none in indentation, and scalar reports control characters.
func alignComments(text string) string {
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		if before, after, found := strings.Cut(line, "\t"); found {
			lines[i] = before + strings.Repeat(" ", max(1, commentColumn-len(before))) + after
		}
	}
	return strings.Join(lines, "\n")
}

// choices is "A | B | C", how the README lists a field's values.
func choices[S ~string](values []S) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = string(v)
	}
	return strings.Join(parts, " | ")
}

// scalar writes a value as YAML, strings through yamlnode.String (quoted where a YAML 1.1 or 1.2
// reader would read something else).
func scalar(value any) (string, error) {
	return encodeFlow(scalarNode(value))
}

// flowList writes a list of strings as a YAML flow sequence: [a, b].
func flowList(values []string) (string, error) {
	seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: yn.TagSeq, Style: yaml.FlowStyle}
	for _, v := range values {
		seq.Content = append(seq.Content, yn.String(v))
	}
	return encodeFlow(seq)
}

func encodeFlow(node *yaml.Node) (string, error) {
	out, err := yaml.Marshal(node)
	if err != nil {
		return "", err
	}
	text := strings.TrimSuffix(string(out), "\n")
	if strings.Contains(text, "\n") {
		return "", fmt.Errorf("%q does not fit on one line", node.Value)
	}
	return text, nil
}

// scalarNode is the YAML node of a scalar of a document tree or of a krm field.
func scalarNode(value any) *yaml.Node {
	v := reflect.ValueOf(value)
	switch {
	case value == nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: yn.TagNull, Value: "null"}
	case v.Kind() == reflect.String:
		return yn.String(v.String())
	case v.Kind() == reflect.Bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: yn.TagBool, Value: strconv.FormatBool(v.Bool())}
	case v.CanInt():
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: yn.TagInt, Value: strconv.FormatInt(v.Int(), 10)}
	case v.CanFloat():
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: yn.TagFloat, Value: strconv.FormatFloat(v.Float(), 'g', -1, 64)}
	case v.Kind() == reflect.Pointer && !v.IsNil():
		return scalarNode(v.Elem().Interface())
	}
	// Unreachable for the values krm's defaults hold; print rather than fail.
	return yn.String(fmt.Sprint(value))
}

// commentedValues writes the values the chart's templates see for gp when its spec.values is
// left out, as YAML commented out line by line, each line starting with indent. A value the
// pattern sets differently from the chart is marked. Keys come in the order of krm.ChartValues'
// fields, which is the chart's values.yaml order.
func commentedValues(gp *krm.GatewayPattern, indent string) (string, error) {
	mark := fmt.Sprintf("set by the %s pattern", gp.Spec.Pattern)
	tree := valuesNode(gp.DefaultValues(), krm.ChartDefaults(), reflect.TypeFor[krm.ChartValues](), mark)
	var out bytes.Buffer
	encoder := yaml.NewEncoder(&out)
	encoder.SetIndent(2)
	encoder.CompactSeqIndent()
	if err := encoder.Encode(tree); err != nil {
		return "", err
	}
	// The lines are commented out at the indentation of the values key itself, and the key
	// with them, so that they are the head comment of the pattern's block, which follows: kpt
	// writes a head comment back where it was, but moves comments that end a mapping.
	lines := strings.Builder{}
	lines.WriteString(indent + "# values:\n")
	for line := range strings.Lines(out.String()) {
		lines.WriteString(indent + "#   " + line)
	}
	return strings.TrimSuffix(lines.String(), "\n"), nil
}

// valuesNode is the YAML node of value, a document tree; chart is the chart's default at the same
// place, and t the Go type krm decodes it into (nil when unknown), which orders the keys.
func valuesNode(value, chart any, t reflect.Type, mark string) *yaml.Node {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch v := value.(type) {
	case map[string]any:
		node := &yaml.Node{Kind: yaml.MappingNode, Tag: yn.TagMap}
		if len(v) == 0 {
			node.Style = yaml.FlowStyle
		}
		chartMap, _ := chart.(map[string]any)
		for _, key := range orderedKeys(v, t) {
			keyNode, valueNode := yn.String(key), valuesNode(v[key], chartMap[key], childType(t, key), mark)
			if _, isMap := v[key].(map[string]any); !isMap && !reflect.DeepEqual(v[key], chartMap[key]) {
				if valueNode.Kind == yaml.ScalarNode || len(valueNode.Content) == 0 {
					valueNode.LineComment = mark
				} else {
					keyNode.LineComment = mark
				}
			}
			node.Content = append(node.Content, keyNode, valueNode)
		}
		return node
	case []any:
		node := &yaml.Node{Kind: yaml.SequenceNode, Tag: yn.TagSeq}
		if len(v) == 0 {
			node.Style = yaml.FlowStyle
		}
		var elem reflect.Type
		if t != nil && t.Kind() == reflect.Slice {
			elem = t.Elem()
		}
		for _, item := range v {
			// The items of a list have no default of their own: a list replaces the chart's whole.
			node.Content = append(node.Content, valuesNode(item, item, elem, mark))
		}
		return node
	}
	return scalarNode(value)
}

// orderedKeys are m's keys in the order of t's fields when t is a struct, the others sorted.
func orderedKeys(m map[string]any, t reflect.Type) []string {
	var keys []string
	if t != nil && t.Kind() == reflect.Struct {
		for field := range t.Fields() {
			if name := jsonName(field); name != "" {
				if _, ok := m[name]; ok {
					keys = append(keys, name)
				}
			}
		}
	}
	var rest []string
	for key := range m {
		if !slices.Contains(keys, key) {
			rest = append(rest, key)
		}
	}
	slices.Sort(rest)
	return append(keys, rest...)
}

// childType is the Go type of the value at key in a value of type t, or nil when unknown.
func childType(t reflect.Type, key string) reflect.Type {
	switch {
	case t == nil:
		return nil
	case t.Kind() == reflect.Map:
		return t.Elem()
	case t.Kind() == reflect.Struct:
		for field := range t.Fields() {
			if jsonName(field) == key {
				return field.Type
			}
		}
	}
	return nil
}

func jsonName(field reflect.StructField) string {
	name, _, _ := strings.Cut(field.Tag.Get("json"), ",")
	if name == "-" {
		return ""
	}
	return name
}
