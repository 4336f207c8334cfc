package conformance

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
	gatewayv1beta1 "sigs.k8s.io/gateway-api/apis/v1beta1"

	"istio.io/istio/pkg/config/crd"
)

// gatewayAPIKinds are the Gateway API kinds gateway-pattern may emit, each at the one version it
// emits (the version Istio watches: v1, and v1beta1 for ReferenceGrant), with the Go type of
// sigs.k8s.io/gateway-api that a strict decode uses.
var gatewayAPIKinds = map[schema.GroupVersionKind]func() any{
	gatewayv1.SchemeGroupVersion.WithKind("Gateway"):             func() any { return &gatewayv1.Gateway{} },
	gatewayv1.SchemeGroupVersion.WithKind("HTTPRoute"):           func() any { return &gatewayv1.HTTPRoute{} },
	gatewayv1.SchemeGroupVersion.WithKind("GRPCRoute"):           func() any { return &gatewayv1.GRPCRoute{} },
	gatewayv1.SchemeGroupVersion.WithKind("TLSRoute"):            func() any { return &gatewayv1.TLSRoute{} },
	gatewayv1.SchemeGroupVersion.WithKind("TCPRoute"):            func() any { return &gatewayv1.TCPRoute{} },
	gatewayv1beta1.SchemeGroupVersion.WithKind("ReferenceGrant"): func() any { return &gatewayv1beta1.ReferenceGrant{} },
}

// GatewayAPICRDDirEnv names an environment variable that may point at a directory of Gateway API
// CRD files to use instead of the standard channel of the sigs.k8s.io/gateway-api module this
// module builds against.
const GatewayAPICRDDirEnv = "CONFORMANCE_GATEWAY_API_CRDS"

// validateGatewayAPI checks a Gateway API object the way a cluster with the Gateway API's
// standard-channel CRDs would: a strict decode into the Gateway API's own Go type (unknown or
// mistyped fields fail), the object metadata rules, and the CRD's structural schema with its CEL
// rules (the Gateway API has no admission webhook any more: its CRDs carry every rule, such as
// unique listener names, hostnames only on HTTP/HTTPS/TLS listeners, a RequestRedirect never
// beside backendRefs). Istio's reading of the objects (whether its Gateway API controller accepts
// them) is proven by tests/traffic, which reads the status Istio writes.
func validateGatewayAPI(js []byte, newObject func() any) []error {
	obj := newObject()
	if errs := strictUnmarshal(js, obj); len(errs) > 0 {
		return errs
	}
	var problems []error
	if o, ok := obj.(metav1.Object); ok {
		meta := &metav1.ObjectMeta{Name: o.GetName(), Namespace: o.GetNamespace(), Labels: o.GetLabels(), Annotations: o.GetAnnotations()}
		if meta.Namespace == "" {
			meta.Namespace = metav1.NamespaceDefault
		}
		problems = appendFieldErrors(problems,
			apivalidation.ValidateObjectMeta(meta, true, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata")))
	}
	v, err := gatewayAPICRDValidator()
	if err != nil {
		return append(problems, err)
	}
	return append(problems, validateWithCRD(v, js)...)
}

var (
	gatewayAPICRDOnce sync.Once
	gatewayAPICRD     *crd.Validator
	gatewayAPICRDErr  error
)

// gatewayAPICRDValidator loads the standard channel's CRDs as published in the
// sigs.k8s.io/gateway-api module (config/crd/standard), once, from the module cache.
func gatewayAPICRDValidator() (*crd.Validator, error) {
	gatewayAPICRDOnce.Do(func() {
		dir := os.Getenv(GatewayAPICRDDirEnv)
		if dir == "" {
			mod, err := moduleDir("sigs.k8s.io/gateway-api")
			if err != nil {
				gatewayAPICRDErr = err
				return
			}
			dir = filepath.Join(mod, "config", "crd", "standard")
		}
		files, err := gatewayAPICRDFiles(dir)
		if err != nil {
			gatewayAPICRDErr = err
			return
		}
		gatewayAPICRD, gatewayAPICRDErr = crd.NewValidatorFromFilesWithOptions(files, crd.WithoutCRDValidation())
		if gatewayAPICRDErr != nil {
			gatewayAPICRDErr = fmt.Errorf("loading the Gateway API CRDs from %s: %w", dir, gatewayAPICRDErr)
		}
	})
	return gatewayAPICRD, gatewayAPICRDErr
}

// gatewayAPICRDFiles lists the CRD files of a channel directory: every
// gateway.networking.k8s.io_<kinds>.yaml but the ValidatingAdmissionPolicy that guards upgrades,
// which is not a CRD.
func gatewayAPICRDFiles(dir string) ([]string, error) {
	matches, err := filepath.Glob(filepath.Join(dir, "gateway.networking.k8s.io_*.yaml"))
	if err != nil {
		return nil, err
	}
	var files []string
	for _, f := range matches {
		if !strings.Contains(filepath.Base(f), "_vap_") {
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no Gateway API CRD files in %s", dir)
	}
	return files, nil
}
