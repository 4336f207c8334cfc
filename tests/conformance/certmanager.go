package conformance

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"istio.io/istio/pkg/config/crd"
)

// certificateGVK is the one cert-manager kind gateway-pattern emits (spec.ingress.certificates).
var certificateGVK = cmapi.SchemeGroupVersion.WithKind(cmapi.CertificateKind)

// CertManagerCRDFileEnv names an environment variable that may point at cert-manager's Certificate
// CRD file to use instead of the one in the cert-manager module this module builds against.
const CertManagerCRDFileEnv = "CONFORMANCE_CERT_MANAGER_CRD"

// validateCertificate checks a cert-manager Certificate three ways: a strict decode into
// cert-manager's own Go type (unknown or mistyped fields fail), the Certificate CRD's OpenAPI
// schema as the API server applies it (the CRD file cert-manager publishes in its module,
// deploy/crds), and the rules of cert-manager's admission webhook that concern what we emit. The
// webhook's package is internal to cert-manager (internal/apis/certmanager/validation), so those
// rules are restated here from its source, with its constants.
func validateCertificate(js []byte) []error {
	var c cmapi.Certificate
	if errs := strictUnmarshal(js, &c); len(errs) > 0 {
		return errs
	}
	var problems []error
	meta := c.ObjectMeta.DeepCopy()
	if meta.Namespace == "" {
		meta.Namespace = metav1.NamespaceDefault
	}
	problems = appendFieldErrors(problems,
		apivalidation.ValidateObjectMeta(meta, true, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata")))
	problems = appendFieldErrors(problems, certificateWebhookRules(&c.Spec, field.NewPath("spec")))

	v, err := certManagerCRDValidator()
	if err != nil {
		return append(problems, err)
	}
	problems = append(problems, validateWithCRD(v, js)...)
	return problems
}

// certificateWebhookRules are the checks of cert-manager's webhook (ValidateCertificateSpec,
// validateIssuerRef, ValidateDuration) for the fields gateway-pattern writes.
func certificateWebhookRules(spec *cmapi.CertificateSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if spec.SecretName == "" {
		errs = append(errs, field.Required(p.Child("secretName"), "must be specified"))
	}
	for _, msg := range validation.IsDNS1123Subdomain(spec.SecretName) {
		errs = append(errs, field.Invalid(p.Child("secretName"), spec.SecretName, msg))
	}
	if spec.CommonName == "" && len(spec.DNSNames) == 0 && len(spec.IPAddresses) == 0 &&
		len(spec.URIs) == 0 && len(spec.EmailAddresses) == 0 {
		errs = append(errs, field.Invalid(p, "", "at least one of commonName, dnsNames, emailAddresses, ipAddresses or uris must be set"))
	}
	ref := spec.IssuerRef
	if ref.Name == "" {
		errs = append(errs, field.Required(p.Child("issuerRef", "name"), "must be specified"))
	}
	if (ref.Group == "" || ref.Group == cmapi.SchemeGroupVersion.Group) &&
		ref.Kind != "" && ref.Kind != cmapi.IssuerKind && ref.Kind != cmapi.ClusterIssuerKind {
		errs = append(errs, field.Invalid(p.Child("issuerRef", "kind"), ref.Kind, "must be one of Issuer or ClusterIssuer"))
	}
	if k := spec.PrivateKey; k != nil {
		switch k.Algorithm {
		case "", cmapi.RSAKeyAlgorithm:
			if k.Size != 0 && (k.Size < 2048 || k.Size > 8192) {
				errs = append(errs, field.Invalid(p.Child("privateKey", "size"), k.Size, "must be between 2048 and 8192 for rsa keyAlgorithm"))
			}
		case cmapi.ECDSAKeyAlgorithm:
			if k.Size != 0 && k.Size != 256 && k.Size != 384 && k.Size != 521 {
				errs = append(errs, field.NotSupported(p.Child("privateKey", "size"), k.Size, []string{"256", "384", "521"}))
			}
		}
	}
	duration := cmapi.DefaultCertificateDuration
	if spec.Duration != nil {
		duration = spec.Duration.Duration
	}
	if duration < cmapi.MinimumCertificateDuration {
		errs = append(errs, field.Invalid(p.Child("duration"), duration, fmt.Sprintf("certificate duration must be greater than %s", cmapi.MinimumCertificateDuration)))
	}
	if rb := spec.RenewBefore; rb != nil {
		if rb.Duration < cmapi.MinimumRenewBefore {
			errs = append(errs, field.Invalid(p.Child("renewBefore"), rb.Duration, fmt.Sprintf("certificate renewBefore must be greater than %s", cmapi.MinimumRenewBefore)))
		}
		if rb.Duration >= duration {
			errs = append(errs, field.Invalid(p.Child("renewBefore"), rb.Duration, fmt.Sprintf("certificate duration %s must be greater than renewBefore %s", duration, rb.Duration)))
		}
	}
	return errs
}

var (
	certManagerCRDOnce sync.Once
	certManagerCRD     *crd.Validator
	certManagerCRDErr  error
)

// certManagerCRDValidator loads cert-manager's Certificate CRD, as published in the cert-manager
// module (deploy/crds/cert-manager.io_certificates.yaml), once, from the module cache.
func certManagerCRDValidator() (*crd.Validator, error) {
	certManagerCRDOnce.Do(func() {
		file := os.Getenv(CertManagerCRDFileEnv)
		if file == "" {
			dir, err := moduleDir("github.com/cert-manager/cert-manager")
			if err != nil {
				certManagerCRDErr = err
				return
			}
			file = filepath.Join(dir, "deploy", "crds", "cert-manager.io_certificates.yaml")
		}
		certManagerCRD, certManagerCRDErr = crd.NewValidatorFromFilesWithOptions([]string{file}, crd.WithoutCRDValidation())
		if certManagerCRDErr != nil {
			certManagerCRDErr = fmt.Errorf("loading cert-manager's Certificate CRD from %s: %w", file, certManagerCRDErr)
		}
	})
	return certManagerCRD, certManagerCRDErr
}
