package conformance

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	sigsjson "sigs.k8s.io/json"

	"istio.io/istio/pkg/config"
	"istio.io/istio/pkg/config/crd"
	"istio.io/istio/pkg/config/schema/collections"
	"istio.io/istio/pkg/config/schema/resource"
)

// istioKinds are the Istio kinds gateway-pattern may emit, each at the one version it emits (v1).
// The schemas come from Istio's own registry; their ValidateConfig is the function registered in
// istio.io/istio/pkg/config/validation (ValidateGateway, ValidateVirtualService, ...), the same one
// istiod's validation webhook and `istioctl validate` run.
var istioKinds = map[schema.GroupVersionKind]resource.Schema{
	{Group: "networking.istio.io", Version: "v1", Kind: "Gateway"}:           collections.Gateway,
	{Group: "networking.istio.io", Version: "v1", Kind: "VirtualService"}:    collections.VirtualService,
	{Group: "networking.istio.io", Version: "v1", Kind: "ServiceEntry"}:      collections.ServiceEntry,
	{Group: "networking.istio.io", Version: "v1", Kind: "DestinationRule"}:   collections.DestinationRule,
	{Group: "networking.istio.io", Version: "v1", Kind: "Sidecar"}:           collections.Sidecar,
	{Group: "security.istio.io", Version: "v1", Kind: "AuthorizationPolicy"}: collections.AuthorizationPolicy,
}

var istioGroups = map[string]bool{"networking.istio.io": true, "security.istio.io": true}

// istioObject is the shape of an Istio custom resource. Decoding it strictly rejects unknown
// top-level fields (including status, which generated config never carries) and unknown metadata.
type istioObject struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   metav1.ObjectMeta `json:"metadata"`
	Spec       json.RawMessage   `json:"spec"`
}

func validateIstio(js []byte, s resource.Schema) []error {
	var obj istioObject
	if errs := strictUnmarshal(js, &obj); len(errs) > 0 {
		return errs
	}
	var problems []error

	// Metadata as the API server checks it for any namespaced custom resource. An object without a
	// namespace is validated as if in "default", as `istioctl validate` does.
	meta := obj.Metadata.DeepCopy()
	if meta.Namespace == "" {
		meta.Namespace = metav1.NamespaceDefault
	}
	problems = appendFieldErrors(problems,
		apivalidation.ValidateObjectMeta(meta, true, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata")))

	// The spec, decoded by Istio's own protobuf JSON decoding with unknown fields rejected.
	spec, err := s.NewInstance()
	if err != nil {
		return append(problems, fmt.Errorf("internal: cannot create %s: %w", s.Kind(), err))
	}
	specJSON := string(obj.Spec)
	if strings.TrimSpace(specJSON) == "" || specJSON == "null" {
		specJSON = "{}"
	}
	if err := config.ApplyJSONStrict(spec, specJSON); err != nil {
		return append(problems, fmt.Errorf("spec: cannot be decoded as %s: %w", s.Proto(), err))
	}

	// Istio's semantic validation. Warnings count as failures: generated config must be clean.
	warn, err := s.ValidateConfig(config.Config{
		Meta: config.Meta{
			GroupVersionKind: s.GroupVersionKind(),
			Name:             meta.Name,
			Namespace:        meta.Namespace,
			Labels:           meta.Labels,
			Annotations:      meta.Annotations,
		},
		Spec: spec,
	})
	for _, e := range flatten(err) {
		problems = append(problems, fmt.Errorf("istio validation error: %w", e))
	}
	for _, w := range flatten(warn) {
		problems = append(problems, fmt.Errorf("istio validation warning: %w", w))
	}

	// The CRD's structural schema and CEL rules, as the API server applies them. This also rejects
	// what the protobuf decoder tolerates, such as snake_case field names.
	problems = append(problems, validateAgainstCRD(js)...)
	return problems
}

func validateAgainstCRD(js []byte) []error {
	v, err := istioCRDValidator()
	if err != nil {
		return []error{err}
	}
	return validateWithCRD(v, js)
}

// validateWithCRD checks an object against the CRD schemas v holds, as the API server does.
func validateWithCRD(v *crd.Validator, js []byte) []error {
	// Integers must stay integers: CEL rules compare them as int, not float64.
	var m map[string]any
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(js, &m); err != nil {
		return []error{err}
	}
	if err := v.ValidateCustomResource(&unstructured.Unstructured{Object: m}); err != nil {
		return []error{fmt.Errorf("CRD schema: %w", err)}
	}
	return nil
}

var (
	crdOnce      sync.Once
	crdValidator *crd.Validator
	crdErr       error
)

// IstioCRDFileEnv names an environment variable that may point at a CRD YAML file to use instead of
// the one shipped in the istio.io/api module this module builds against.
const IstioCRDFileEnv = "CONFORMANCE_ISTIO_CRDS"

// istioCRDValidator loads Istio's CRDs, as published in the istio.io/api module
// (kubernetes/customresourcedefinitions.gen.yaml), once. The file is read from the module cache at
// run time; nothing of it is copied into this repository.
func istioCRDValidator() (*crd.Validator, error) {
	crdOnce.Do(func() {
		file := os.Getenv(IstioCRDFileEnv)
		if file == "" {
			dir, err := moduleDir("istio.io/api")
			if err != nil {
				crdErr = err
				return
			}
			file = filepath.Join(dir, "kubernetes", "customresourcedefinitions.gen.yaml")
		}
		crdValidator, crdErr = crd.NewValidatorFromFilesWithOptions([]string{file}, crd.WithoutCRDValidation())
		if crdErr != nil {
			crdErr = fmt.Errorf("loading Istio CRDs from %s: %w", file, crdErr)
		}
	})
	return crdValidator, crdErr
}

// moduleDir asks the go command where a dependency of this module lives.
func moduleDir(module string) (string, error) {
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("cannot find this package's source directory")
	}
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", module)
	cmd.Dir = filepath.Dir(self)
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			err = fmt.Errorf("%w: %s", err, ee.Stderr)
		}
		return "", fmt.Errorf("locating module %s (set %s to a CRD file to skip this): %w", module, IstioCRDFileEnv, err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return "", fmt.Errorf("module %s is not downloaded; run `go mod download %s`", module, module)
	}
	return dir, nil
}

// strictUnmarshal decodes JSON the way the API server does in strict mode: field names are
// case-sensitive, and unknown or duplicate fields are errors.
func strictUnmarshal(js []byte, into any) []error {
	strict, err := sigsjson.UnmarshalStrict(js, into, sigsjson.DisallowDuplicateFields, sigsjson.DisallowUnknownFields)
	if err != nil {
		return []error{fmt.Errorf("cannot decode: %w", err)}
	}
	return strict
}

// flatten lists the errors inside Istio's multierrors (github.com/hashicorp/go-multierror), so each
// problem is reported on its own line.
func flatten(err error) []error {
	if err == nil {
		return nil
	}
	if m, ok := err.(interface{ WrappedErrors() []error }); ok {
		var out []error
		for _, e := range m.WrappedErrors() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

func appendFieldErrors(problems []error, errs field.ErrorList) []error {
	for _, e := range errs {
		problems = append(problems, e)
	}
	return problems
}
