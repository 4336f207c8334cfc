// Package conformance checks that every object gateway-pattern emits would be accepted by Istio and
// by Kubernetes: it decodes each object strictly (unknown or duplicate fields are errors) and runs the
// same validation Istio runs in its admission webhook and in `istioctl validate`, plus the Istio CRDs'
// OpenAPI/CEL schemas as the API server applies them, plus the Kubernetes checks that can be reached
// without importing k8s.io/kubernetes (see kube.go).
//
// It is a separate Go module so that istio.io/istio and its dependency tree never reach the function's
// own module: only tests depend on it.
package conformance

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

const (
	// ManagedByLabel marks the objects the function generated; ValidateResourceList checks only those.
	ManagedByLabel = "app.kubernetes.io/managed-by"
	// ManagedByValue is ManagedByLabel's value on generated objects.
	ManagedByValue = "gateway-pattern"
	// FunctionConfigAPIVersion is the apiVersion of our own functionConfig (GatewayPattern), never validated here.
	FunctionConfigAPIVersion = "fn.gatewaypattern.dev/v1alpha1"

	resourceListAPIVersion = "config.kubernetes.io/v1"
	resourceListKind       = "ResourceList"
)

// ObjectError lists every problem found in one object.
type ObjectError struct {
	APIVersion, Kind, Namespace, Name string
	Problems                          []error
}

func (e *ObjectError) Error() string {
	var b strings.Builder
	switch {
	case e.Kind == "" && e.Name == "":
		b.WriteString("object")
	case e.Namespace != "":
		fmt.Fprintf(&b, "%s %s/%s", e.Kind, e.Namespace, e.Name)
	default:
		fmt.Fprintf(&b, "%s %s", e.Kind, e.Name)
	}
	if e.APIVersion != "" {
		fmt.Fprintf(&b, " (%s)", e.APIVersion)
	}
	b.WriteString(":")
	for _, p := range e.Problems {
		b.WriteString("\n  - ")
		b.WriteString(strings.ReplaceAll(strings.TrimSpace(p.Error()), "\n", "\n    "))
	}
	return b.String()
}

func (e *ObjectError) Unwrap() []error { return e.Problems }

// header is the part of every object needed to route it to a validator and to name it in errors.
// It is decoded leniently: the strict decode happens in the kind's own validator.
type header struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string            `json:"name"`
		Namespace string            `json:"namespace"`
		Labels    map[string]string `json:"labels"`
	} `json:"metadata"`
}

func (h header) gvk() schema.GroupVersionKind {
	return schema.FromAPIVersionAndKind(h.APIVersion, h.Kind)
}

// toJSON converts one YAML (or JSON) document to JSON, failing on duplicate keys, and reads its header.
func toJSON(doc []byte) ([]byte, header, error) {
	var h header
	if len(bytes.TrimSpace(doc)) == 0 {
		return nil, h, errors.New("empty document")
	}
	js, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return nil, h, fmt.Errorf("not a valid YAML document (duplicate keys are errors too): %w", err)
	}
	if !bytes.HasPrefix(bytes.TrimSpace(js), []byte("{")) {
		return nil, h, errors.New("document is not a YAML mapping")
	}
	if err := json.Unmarshal(js, &h); err != nil {
		return nil, h, fmt.Errorf("cannot read apiVersion/kind/metadata: %w", err)
	}
	return js, h, nil
}

// ValidateObject validates one YAML document holding one Istio or Kubernetes object of a kind that
// gateway-pattern emits. It returns nil when Istio / Kubernetes would accept the object without any
// error or warning, and an *ObjectError listing every problem otherwise.
func ValidateObject(obj []byte) error {
	if docs, err := readDocuments(obj); err == nil && len(docs) > 1 {
		return &ObjectError{Problems: []error{fmt.Errorf("%d YAML documents given, want one object", len(docs))}}
	}
	js, h, err := toJSON(obj)
	if err != nil {
		return &ObjectError{Problems: []error{err}}
	}
	problems := validateJSON(js, h)
	if len(problems) == 0 {
		return nil
	}
	return &ObjectError{
		APIVersion: h.APIVersion, Kind: h.Kind,
		Namespace: h.Metadata.Namespace, Name: h.Metadata.Name,
		Problems: problems,
	}
}

func validateJSON(js []byte, h header) []error {
	if h.APIVersion == "" || h.Kind == "" {
		return []error{errors.New("apiVersion and kind are required")}
	}
	gvk := h.gvk()
	if s, ok := istioKinds[gvk]; ok {
		return validateIstio(js, s)
	}
	if v, ok := kubeKinds[gvk]; ok {
		return v(js)
	}
	if gvk == certificateGVK {
		return validateCertificate(js)
	}
	if newObject, ok := gatewayAPIKinds[gvk]; ok {
		return validateGatewayAPI(js, newObject)
	}
	if istioGroups[gvk.Group] {
		for known := range istioKinds {
			if known.Group == gvk.Group && known.Kind == gvk.Kind {
				return []error{fmt.Errorf("%s %s: only %s is emitted by gateway-pattern, never older versions",
					h.APIVersion, h.Kind, known.GroupVersion())}
			}
		}
	}
	return []error{fmt.Errorf("unknown apiVersion/kind %s %s: not a kind gateway-pattern emits", h.APIVersion, h.Kind)}
}

// shouldCheck reports whether a ResourceList item (or stream document) is one the function generated.
func shouldCheck(h header) bool {
	if h.APIVersion == FunctionConfigAPIVersion {
		return false
	}
	return h.Metadata.Labels[ManagedByLabel] == ManagedByValue
}

// ValidateResourceList reads a KRM ResourceList (config.kubernetes.io/v1) and validates each item that
// gateway-pattern generated: items of our own apiVersion (FunctionConfigAPIVersion) and items without
// the label app.kubernetes.io/managed-by: gateway-pattern (resources passed through untouched) are
// skipped. checked counts the items validated; errs has one *ObjectError per bad item, naming it.
func ValidateResourceList(data []byte) (checked int, errs []error) {
	return validateResourceList(data, nil)
}

// ValidateStream validates a file of generated output: either one ResourceList, or a stream of
// YAML documents (what `kustomize build` or the standalone mode prints). The same skip rules as
// ValidateResourceList apply to each document.
func ValidateStream(data []byte) (checked int, errs []error) {
	return validateStream(data, nil)
}

// ValidateGenerated is ValidateStream for an output whose input is known (a golden test case's
// input.yaml beside its expected.yaml): it also skips the labelled items that appear unchanged in the
// input, since the function passed them through rather than generating them in that run (objects of
// another GatewayPattern, kept as they are). They are returned in passedThrough, named.
func ValidateGenerated(output, input []byte) (checked int, passedThrough []string, errs []error) {
	docs, err := readDocuments(input)
	if err != nil {
		return 0, nil, []error{fmt.Errorf("input: %w", err)}
	}
	inputItems := map[string]bool{}
	for _, doc := range docs {
		items, err := documentItems(doc)
		if err != nil {
			return 0, nil, []error{fmt.Errorf("input: %w", err)}
		}
		for _, item := range items {
			if c, err := canonical(item); err == nil {
				inputItems[c] = true
			}
		}
	}
	skip := func(item []byte, h header) bool {
		c, err := canonical(item)
		if err == nil && inputItems[c] {
			passedThrough = append(passedThrough, fmt.Sprintf("%s %s %s/%s", h.APIVersion, h.Kind, h.Metadata.Namespace, h.Metadata.Name))
			return true
		}
		return false
	}
	checked, errs = validateStream(output, skip)
	return checked, passedThrough, errs
}

// skipFunc tells whether a labelled item is to be left unchecked.
type skipFunc func(item []byte, h header) bool

func validateResourceList(data []byte, skip skipFunc) (checked int, errs []error) {
	items, err := resourceListItems(data)
	if err != nil {
		return 0, []error{err}
	}
	for i, item := range items {
		n, err := validateItem(item, skip)
		checked += n
		if err != nil {
			errs = append(errs, fmt.Errorf("items[%d]: %w", i, err))
		}
	}
	return checked, errs
}

func resourceListItems(data []byte) ([]json.RawMessage, error) {
	js, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		return nil, fmt.Errorf("ResourceList: not valid YAML (duplicate keys are errors too): %w", err)
	}
	var rl struct {
		APIVersion string            `json:"apiVersion"`
		Kind       string            `json:"kind"`
		Items      []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(js, &rl); err != nil {
		return nil, fmt.Errorf("ResourceList: %w", err)
	}
	if rl.APIVersion != resourceListAPIVersion || rl.Kind != resourceListKind {
		return nil, fmt.Errorf("not a ResourceList: apiVersion %q kind %q, want %s %s",
			rl.APIVersion, rl.Kind, resourceListAPIVersion, resourceListKind)
	}
	return rl.Items, nil
}

func validateStream(data []byte, skip skipFunc) (checked int, errs []error) {
	docs, err := readDocuments(data)
	if err != nil {
		return 0, []error{err}
	}
	if len(docs) == 1 && isResourceList(docs[0]) {
		return validateResourceList(docs[0], skip)
	}
	for i, doc := range docs {
		n, err := validateItem(doc, skip)
		checked += n
		if err != nil {
			errs = append(errs, fmt.Errorf("document %d: %w", i, err))
		}
	}
	return checked, errs
}

// readDocuments splits a YAML stream into its non-blank documents.
func readDocuments(data []byte) ([][]byte, error) {
	var docs [][]byte
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for {
		doc, err := r.Read()
		if err == io.EOF {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading YAML stream: %w", err)
		}
		if !isBlankYAML(doc) {
			docs = append(docs, doc)
		}
	}
}

func isResourceList(doc []byte) bool {
	_, h, err := toJSON(doc)
	return err == nil && h.APIVersion == resourceListAPIVersion && h.Kind == resourceListKind
}

// documentItems returns a document's objects: a ResourceList's items, or the document itself.
func documentItems(doc []byte) ([][]byte, error) {
	if !isResourceList(doc) {
		return [][]byte{doc}, nil
	}
	items, err := resourceListItems(doc)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(items))
	for i, item := range items {
		out[i] = item
	}
	return out, nil
}

// canonical renders an object as JSON with sorted keys, so equal objects compare equal whatever
// their formatting and comments.
func canonical(doc []byte) (string, error) {
	js, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return "", err
	}
	var v any
	if err := json.Unmarshal(js, &v); err != nil {
		return "", err
	}
	out, err := json.Marshal(v)
	return string(out), err
}

// validateItem validates one item if it was generated by the function; it returns 1 when it did.
func validateItem(doc []byte, skip skipFunc) (int, error) {
	js, h, err := toJSON(doc)
	if err != nil {
		return 0, &ObjectError{Problems: []error{err}}
	}
	if !shouldCheck(h) || (skip != nil && skip(js, h)) {
		return 0, nil
	}
	if problems := validateJSON(js, h); len(problems) > 0 {
		return 1, &ObjectError{
			APIVersion: h.APIVersion, Kind: h.Kind,
			Namespace: h.Metadata.Namespace, Name: h.Metadata.Name,
			Problems: problems,
		}
	}
	return 1, nil
}

// isBlankYAML reports whether a document holds only comments and whitespace.
func isBlankYAML(doc []byte) bool {
	for _, line := range strings.Split(string(doc), "\n") {
		l := strings.TrimSpace(line)
		if l != "" && !strings.HasPrefix(l, "#") && l != "---" {
			return false
		}
	}
	return true
}
