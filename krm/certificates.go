package krm

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// IngressCertificates is how cert-manager issues the ingress servers' certificates. Every server
// that terminates TLS (SIMPLE, MUTUAL, OPTIONAL_MUTUAL; HTTPS, or TLS forwarded as TCP) gets its
// Secrets from generated Certificates, unless listed in excludeCredentialNames: the Secret of its
// tls.credentialName, or each Secret of its tls.credentialNames (Istio's pair of an RSA and an
// ECDSA certificate for one server), the first issued with privateKey's algorithm and the second
// with the other one (ECDSA when privateKey is RSA, its default; RSA when it is ECDSA), at that
// algorithm's default size.
type IngressCertificates struct {
	// IssuerRef is the cert-manager issuer that signs the certificates. Required.
	IssuerRef IssuerRef `json:"issuerRef"`
	// Duration is the lifetime the certificates ask for, a Go duration of at least 1h such as
	// 2160h. Default: cert-manager's (90 days); the issuer may choose another (Let's Encrypt
	// issues 90-day certificates whatever is asked).
	Duration string `json:"duration,omitempty"`
	// RenewBefore is how long before expiry cert-manager renews, a Go duration of at least 5m,
	// shorter than duration. Default: cert-manager's (a third of the lifetime).
	RenewBefore string `json:"renewBefore,omitempty"`
	// PrivateKey is the key the certificates are issued for. Default: cert-manager's (RSA
	// 2048, a new key at every renewal).
	PrivateKey *CertificatePrivateKey `json:"privateKey,omitempty"`
	// ExcludeCredentialNames are Secrets (of a credentialName or credentialNames) that you
	// manage yourself (copied in, or issued by another Certificate): no Certificate is generated
	// for them.
	ExcludeCredentialNames []string `json:"excludeCredentialNames,omitempty"`
}

// IssuerRef names a cert-manager issuer.
type IssuerRef struct {
	// Name of the Issuer or ClusterIssuer. Required.
	Name string `json:"name"`
	// Kind is Issuer (in the gateway's namespace) or ClusterIssuer; with another group, the
	// kind of that external issuer. Default: Issuer.
	Kind string `json:"kind,omitempty" krm:"defaulted"`
	// Group is the issuer's API group. Default: cert-manager.io; another group names an
	// external issuer (such as awspca.cert-manager.io).
	Group string `json:"group,omitempty" krm:"defaulted"`
}

// CertificatePrivateKey is the private key of the generated certificates.
type CertificatePrivateKey struct {
	// Algorithm is RSA or ECDSA, the keys the gateway (Envoy) serves. Default: RSA.
	Algorithm PrivateKeyAlgorithm `json:"algorithm,omitempty"`
	// Size is the key size in bits: 2048 to 8192 for RSA (default 2048); 256, 384 or 521 for
	// ECDSA (default 256).
	Size int32 `json:"size,omitempty"`
	// RotationPolicy is Always (a new key at every renewal) or Never (keep the Secret's key).
	// Default: cert-manager's (Always since cert-manager 1.18).
	RotationPolicy RotationPolicy `json:"rotationPolicy,omitempty"`
}

// PrivateKeyAlgorithm is the algorithm of a certificate's private key.
type PrivateKeyAlgorithm string

const (
	PrivateKeyRSA   PrivateKeyAlgorithm = "RSA"
	PrivateKeyECDSA PrivateKeyAlgorithm = "ECDSA"
)

// PrivateKeyAlgorithms are the algorithms a certificate's key may use. cert-manager also offers
// Ed25519, which Envoy does not serve.
var PrivateKeyAlgorithms = []PrivateKeyAlgorithm{PrivateKeyRSA, PrivateKeyECDSA}

// RotationPolicy says whether a renewal makes a new private key.
type RotationPolicy string

const (
	RotationAlways RotationPolicy = "Always"
	RotationNever  RotationPolicy = "Never"
)

// RotationPolicies are the rotation policies cert-manager accepts.
var RotationPolicies = []RotationPolicy{RotationAlways, RotationNever}

// The cert-manager API group and the kinds of its own issuers.
const (
	CertManagerGroup  = "cert-manager.io"
	KindIssuer        = "Issuer"
	KindClusterIssuer = "ClusterIssuer"
)

var certManagerIssuerKinds = []string{KindIssuer, KindClusterIssuer}

// The key sizes cert-manager's webhook accepts: RSA in a range, ECDSA one of its curves.
var (
	rsaKeySizes  = [2]int32{2048, 8192}
	ecdsaKeySize = []int32{256, 384, 521}
)

// cert-manager's webhook refuses shorter durations and renewal windows, and a renewBefore not
// shorter than the duration, which defaults to 90 days.
const (
	minCertificateDuration     = time.Hour
	minRenewBefore             = 5 * time.Minute
	defaultCertificateDuration = 90 * 24 * time.Hour
)

// CertificateFor is one Certificate to generate: the Secret it writes (a server's
// credentialName, or one of its credentialNames) and the DNS names it covers.
type CertificateFor struct {
	CredentialName string
	DNSNames       []string
	// Algorithm, when set, replaces privateKey's algorithm (and its size, which is then that
	// algorithm's default): the second Secret of credentialNames takes the other algorithm than
	// the first, so that the server has the RSA and the ECDSA certificate credentialNames is for.
	Algorithm PrivateKeyAlgorithm
}

// credentialUse is a Secret a server terminates TLS with: its name, the field that names it,
// and the key algorithm its Certificate takes ("" for privateKey's).
type credentialUse struct {
	name      string
	index     int // in credentialNames; -1 for credentialName
	algorithm PrivateKeyAlgorithm
}

// credentialsOf are the Secrets server s terminates TLS with (none for PASSTHROUGH or a
// certificate from files): its credentialName, or each of its credentialNames, the first with
// privateKey's algorithm and the second with the other one (RSA by default, so ECDSA).
func (c *IngressCertificates) credentialsOf(s IngressServer) []credentialUse {
	if s.TLS == nil || s.TLS.Mode == TLSPassthrough {
		return nil
	}
	if s.TLS.CredentialName != "" {
		return []credentialUse{{name: s.TLS.CredentialName, index: -1}}
	}
	if s.TLS.Istio == nil {
		return nil
	}
	var out []credentialUse
	for i, name := range s.TLS.Istio.CredentialNames {
		use := credentialUse{name: name, index: i}
		if i == 1 {
			use.algorithm = PrivateKeyECDSA
			if c.PrivateKey != nil && c.PrivateKey.Algorithm == PrivateKeyECDSA {
				use.algorithm = PrivateKeyRSA
			}
		}
		out = append(out, use)
	}
	return out
}

// CertificatesToIssue lists the Certificates the ingress block asks cert-manager for, in the order
// their Secrets first appear: one per Secret named in the credentialName or credentialNames of a
// server that terminates TLS (not excluded), for the hosts of every server that uses it. Server
// hosts are DNS names or *. wildcards (validateHost), which is what a certificate's dnsNames
// accept.
func (in *IngressSpec) CertificatesToIssue() []CertificateFor {
	if in == nil || in.Certificates == nil {
		return nil
	}
	var out []CertificateFor
	index := map[string]int{}
	for _, s := range in.Servers {
		for _, use := range in.Certificates.credentialsOf(s) {
			if slices.Contains(in.Certificates.ExcludeCredentialNames, use.name) {
				continue
			}
			i, ok := index[use.name]
			if !ok {
				i = len(out)
				index[use.name] = i
				out = append(out, CertificateFor{CredentialName: use.name, Algorithm: use.algorithm})
			}
			c := &out[i]
			for _, h := range s.Hosts {
				if !slices.ContainsFunc(c.DNSNames, func(d string) bool { return strings.EqualFold(d, h) }) {
					c.DNSNames = append(c.DNSNames, h)
				}
			}
		}
	}
	return out
}

func defaultCertificates(c *IngressCertificates) {
	if c.IssuerRef.Group == "" {
		c.IssuerRef.Group = CertManagerGroup
	}
	if c.IssuerRef.Kind == "" && c.IssuerRef.Group == CertManagerGroup {
		c.IssuerRef.Kind = KindIssuer
	}
}

func validateCertificates(in *IngressSpec, namespace string, path *field.Path, r *Problems) {
	c := in.Certificates
	if c == nil {
		return
	}
	p := path.Child("certificates")
	ref := p.Child("issuerRef")
	if c.IssuerRef.Name == "" {
		r.Errors = append(r.Errors, field.Required(ref.Child("name"), "the Issuer or ClusterIssuer that signs the certificates, such as letsencrypt"))
	} else {
		for _, msg := range validation.IsDNS1123Subdomain(c.IssuerRef.Name) {
			r.errorf(ref.Child("name"), c.IssuerRef.Name, "%s", msg)
		}
	}
	switch {
	case c.IssuerRef.Group == CertManagerGroup && !slices.Contains(certManagerIssuerKinds, c.IssuerRef.Kind):
		r.errorf(ref.Child("kind"), c.IssuerRef.Kind, "cert-manager's own issuers are Issuer (in the gateway's namespace, %s) or ClusterIssuer; for an external issuer also set its group", namespace)
	case c.IssuerRef.Kind == "":
		r.Errors = append(r.Errors, field.Required(ref.Child("kind"), fmt.Sprintf("the kind of the external issuer of group %s", c.IssuerRef.Group)))
	default:
		for _, msg := range validation.IsDNS1123Subdomain(c.IssuerRef.Group) {
			r.errorf(ref.Child("group"), c.IssuerRef.Group, "%s", msg)
		}
	}
	duration, durationOK := certificateDuration(c.Duration, minCertificateDuration, p.Child("duration"), r)
	renew, renewOK := certificateDuration(c.RenewBefore, minRenewBefore, p.Child("renewBefore"), r)
	if c.Duration == "" {
		duration, durationOK = defaultCertificateDuration, true
	}
	if durationOK && renewOK && renew >= duration {
		lifetime := c.Duration
		if lifetime == "" {
			lifetime = "2160h, cert-manager's default"
		}
		r.errorf(p.Child("renewBefore"), c.RenewBefore, "must be shorter than duration (%s), or cert-manager would renew the certificate as soon as it is issued", lifetime)
	}
	if k := c.PrivateKey; k != nil {
		kp := p.Child("privateKey")
		switch {
		case k.Algorithm == "Ed25519":
			r.errorf(kp.Child("algorithm"), k.Algorithm, "the gateway (Envoy) serves RSA and ECDSA certificates only")
		case k.Algorithm != "" && !slices.Contains(PrivateKeyAlgorithms, k.Algorithm):
			r.Errors = append(r.Errors, field.NotSupported(kp.Child("algorithm"), k.Algorithm, PrivateKeyAlgorithms))
		case k.Size != 0 && k.Algorithm == PrivateKeyECDSA:
			if !slices.Contains(ecdsaKeySize, k.Size) {
				r.errorf(kp.Child("size"), k.Size, "ECDSA keys are %s bits", orList(ecdsaKeySize))
			}
		case k.Size != 0:
			if k.Size < rsaKeySizes[0] || k.Size > rsaKeySizes[1] {
				r.errorf(kp.Child("size"), k.Size, "RSA keys are %d to %d bits", rsaKeySizes[0], rsaKeySizes[1])
			}
		}
		if k.RotationPolicy != "" && !slices.Contains(RotationPolicies, k.RotationPolicy) {
			r.Errors = append(r.Errors, field.NotSupported(kp.Child("rotationPolicy"), k.RotationPolicy, RotationPolicies))
		}
	}
	// Each Secret a terminating server uses, with the key algorithm its Certificate takes and
	// where that was decided first.
	type keyOf struct {
		algorithm PrivateKeyAlgorithm
		where     *field.Path
	}
	terminating := map[string]keyOf{}
	for i, s := range in.Servers {
		sp := path.Child("servers").Index(i)
		for _, use := range c.credentialsOf(s) {
			where := sp.Child("tls", "credentialName")
			if use.index >= 0 {
				where = sp.Child("tls", "credentialNames").Index(use.index)
			}
			first, seen := terminating[use.name]
			if !seen {
				terminating[use.name] = keyOf{use.algorithm, where}
				continue
			}
			if first.algorithm != use.algorithm && !slices.Contains(c.ExcludeCredentialNames, use.name) {
				r.errorf(where, use.name, "%s names the same Secret, whose Certificate would be issued there with %s key and here with %s; one Certificate writes one Secret: give the two their own Secrets, or list this one in certificates.excludeCredentialNames",
					first.where, keyName(first.algorithm, c), keyName(use.algorithm, c))
			}
		}
	}
	for i, name := range c.ExcludeCredentialNames {
		if _, ok := terminating[name]; !ok {
			r.errorf(p.Child("excludeCredentialNames").Index(i), name, "no server that terminates TLS has this tls.credentialName (or names it in tls.credentialNames)")
		}
	}
	if len(terminating) == 0 {
		r.Errors = append(r.Errors, field.Forbidden(p, "no server terminates TLS with a tls.credentialName (or tls.credentialNames), so there is no Secret for a Certificate to write; remove certificates, or add a server with tls {mode: SIMPLE, credentialName: <secret>}"))
		return
	}
	issued := in.CertificatesToIssue()
	if len(issued) == 0 && len(c.ExcludeCredentialNames) > 0 {
		r.errorf(p.Child("excludeCredentialNames"), strings.Join(c.ExcludeCredentialNames, ", "), "excludes every server's credentialName, so no Certificate is generated; remove certificates")
	}
	for i, s := range in.Servers {
		uses := c.credentialsOf(s)
		if len(uses) == 0 || (s.TLS.Mode != TLSMutual && s.TLS.Mode != TLSOptionalMutual) ||
			slices.Contains(c.ExcludeCredentialNames, uses[0].name) ||
			(s.TLS.Istio != nil && s.TLS.Istio.CaCertCredentialName != "") {
			continue
		}
		// Istio reads the client CA of credentialNames from the first one's Secrets.
		name := uses[0].name
		r.warnf(path.Child("servers").Index(i).Child("tls", "mode"), s.TLS.Mode,
			"%s needs the CA that signs client certificates: Istio reads it from the Secret %s-cacert (key ca.crt or cacert), else from key ca.crt of the Secret %s; cert-manager writes ca.crt only for some issuers (CA, Vault and self-signed ones; ACME issuers such as Let's Encrypt do not), so create the Secret %s-cacert in namespace %s with the client CA in ca.crt",
			s.TLS.Mode, name, name, name, namespace)
	}
}

// keyName says which key a Certificate is issued with: "an ECDSA" or privateKey's.
func keyName(algorithm PrivateKeyAlgorithm, c *IngressCertificates) string {
	if algorithm != "" {
		return "an " + string(algorithm)
	}
	if c.PrivateKey != nil && c.PrivateKey.Algorithm != "" {
		return "privateKey's (" + string(c.PrivateKey.Algorithm) + ")"
	}
	return "privateKey's (RSA)"
}

// certificateDuration checks a cert-manager duration (Go syntax, at least min); ok says it parsed
// and is set.
func certificateDuration(value string, min time.Duration, path *field.Path, r *Problems) (time.Duration, bool) {
	if value == "" {
		return 0, false
	}
	d, err := time.ParseDuration(value)
	switch {
	case err != nil:
		r.errorf(path, value, "must be a Go duration such as 2160h or 720h30m (units h, m, s; no d)")
		return 0, false
	case d < min:
		r.errorf(path, value, "cert-manager accepts no less than %s", shortDuration(min))
		return 0, false
	}
	return d, true
}

// shortDuration prints 1h0m0s as 1h and 5m0s as 5m.
func shortDuration(d time.Duration) string {
	s := d.String()
	s = strings.TrimSuffix(s, "0s")
	return strings.TrimSuffix(s, "0m")
}

// orList prints 1, 2 or 3.
func orList[T any](items []T) string {
	var parts []string
	for _, item := range items {
		parts = append(parts, fmt.Sprint(item))
	}
	if len(parts) < 2 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}
