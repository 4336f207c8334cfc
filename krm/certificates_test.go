package krm

import (
	"testing"

	networking "istio.io/api/networking/v1alpha3"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/stretchr/testify/require"
)

// One Certificate per credentialName, for the union of its servers' hosts (case-insensitively
// once each), none for PASSTHROUGH servers, excluded credentials or plain HTTP servers.
func TestCertificatesToIssue(t *testing.T) {
	in := &IngressSpec{
		Servers: []IngressServer{
			{Port: 80, Hosts: []string{"shop.example.com"}, HTTPSRedirect: true},
			{Port: 443, Hosts: []string{"shop.example.com", "www.example.com"}, TLS: &ServerTLS{Mode: TLSSimple, CredentialName: "shop-tls"}},
			{Port: 8443, Hosts: []string{"WWW.example.com", "*.shop.example.com"}, TLS: &ServerTLS{Mode: TLSMutual, CredentialName: "shop-tls"}},
			{Port: 443, Hosts: []string{"db.example.com"}, TLS: &ServerTLS{Mode: TLSPassthrough}},
			{Port: 443, Hosts: []string{"legacy.example.com"}, TLS: &ServerTLS{Mode: TLSSimple, CredentialName: "legacy-tls"}},
			{Port: 443, Hosts: []string{"blog.example.com"}, TLS: &ServerTLS{Mode: TLSSimple, CredentialName: "blog-tls"}},
		},
		Certificates: &IngressCertificates{IssuerRef: IssuerRef{Name: "letsencrypt"}, ExcludeCredentialNames: []string{"legacy-tls"}},
	}
	require.Equal(t, []CertificateFor{
		{CredentialName: "shop-tls", DNSNames: []string{"shop.example.com", "www.example.com", "*.shop.example.com"}},
		{CredentialName: "blog-tls", DNSNames: []string{"blog.example.com"}},
	}, in.CertificatesToIssue())

	in.Certificates = nil
	require.Empty(t, in.CertificatesToIssue())
}

// credentialNames: a Certificate per Secret, the first with privateKey's algorithm and the second
// with the other one, so the server has the RSA and the ECDSA certificate it is for.
func TestCertificatesToIssueCredentialNames(t *testing.T) {
	pair := &networking.ServerTLSSettings{CredentialNames: []string{"shop-rsa", "shop-ecdsa"}}
	in := &IngressSpec{
		Servers: []IngressServer{
			{Port: 443, Hosts: []string{"shop.example.com"}, TLS: &ServerTLS{Mode: TLSSimple, Istio: pair}},
			{Port: 5433, Protocol: ProtocolTLS, Hosts: []string{"db.example.com"}, TLS: &ServerTLS{Mode: TLSSimple, Istio: &networking.ServerTLSSettings{CredentialNames: []string{"db-tls"}}}},
		},
		Certificates: &IngressCertificates{IssuerRef: IssuerRef{Name: "letsencrypt"}},
	}
	require.Equal(t, []CertificateFor{
		{CredentialName: "shop-rsa", DNSNames: []string{"shop.example.com"}},
		{CredentialName: "shop-ecdsa", DNSNames: []string{"shop.example.com"}, Algorithm: PrivateKeyECDSA},
		{CredentialName: "db-tls", DNSNames: []string{"db.example.com"}},
	}, in.CertificatesToIssue())

	in.Certificates.PrivateKey = &CertificatePrivateKey{Algorithm: PrivateKeyECDSA}
	require.Equal(t, PrivateKeyRSA, in.CertificatesToIssue()[1].Algorithm)

	in.Certificates.ExcludeCredentialNames = []string{"shop-ecdsa"}
	require.Len(t, in.CertificatesToIssue(), 2)
}

// renewBefore is checked against the duration cert-manager uses when none is given (90 days).
func TestCertificatesRenewBeforeDefaultDuration(t *testing.T) {
	in := &IngressSpec{
		Servers:      []IngressServer{{Port: 443, Hosts: []string{"shop.example.com"}, TLS: &ServerTLS{Mode: TLSSimple, CredentialName: "shop-tls"}}},
		Certificates: &IngressCertificates{IssuerRef: IssuerRef{Name: "letsencrypt"}, RenewBefore: "2400h"},
	}
	defaultIngress(in)
	var r Problems
	validateCertificates(in, "istio-ingress", field.NewPath("spec", "ingress"), &r)
	require.Equal(t, []string{`spec.ingress.certificates.renewBefore: Invalid value: "2400h": must be shorter than duration (2160h, cert-manager's default), or cert-manager would renew the certificate as soon as it is issued`},
		errorStrings(r.Errors))
	require.Empty(t, r.Warnings)
}

func errorStrings(errs field.ErrorList) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}
