package krm

import (
	"fmt"
	"slices"

	"google.golang.org/protobuf/reflect/protoreflect"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/gatewaypattern/gateway-pattern/krm/istioapi"
)

// serverTLSOwnFields are the keys of tls that this package decodes, defaults and validates
// itself; krm/istioapi checks every other key against Istio's ServerTLSSettings.
var serverTLSOwnFields = []string{"mode", "credentialName"}

// ServerTLSFields are the JSON names of Istio's ServerTLSSettings that a server's tls takes
// besides mode and credentialName, in Istio's order: all of them but httpsRedirect, which is the
// server's own field (servers[].httpsRedirect).
func ServerTLSFields() []string {
	fields := istioapi.Message(istioapi.ServerTLSSettings).Fields()
	var names []string
	for i := range fields.Len() {
		if name := fields.Get(i).JSONName(); name != "httpsRedirect" && !slices.Contains(serverTLSOwnFields, name) {
			names = append(names, name)
		}
	}
	return names
}

// decodeTree decodes mode and credentialName as the other fields of the API, and the rest as
// Istio's ServerTLSSettings (krm/istioapi), so that an unknown key is told the closest of all of
// Istio's names.
func (t *ServerTLS) decodeTree(v any, path *field.Path) field.ErrorList {
	m, ok := v.(map[string]any)
	if !ok {
		return field.ErrorList{field.Invalid(path, v, "must be an object")}
	}
	own, rest := map[string]any{}, map[string]any{}
	for k, item := range m {
		if slices.Contains(serverTLSOwnFields, k) {
			own[k] = item
		} else {
			rest[k] = item
		}
	}
	type plain ServerTLS // the same fields without this method: the ordinary decoder
	var p plain
	errs := decodeTree(own, &p, path)
	t.Mode, t.CredentialName = p.Mode, p.CredentialName
	redirect, redirectSet := rest["httpsRedirect"]
	delete(rest, "httpsRedirect")
	if len(rest) > 0 {
		t.Istio = istioapi.New(istioapi.ServerTLSSettings)
		errs = append(errs, istioapi.Decode(rest, t.Istio, path)...)
	}
	if redirectSet {
		errs = append(errs, field.Invalid(path.Child("httpsRedirect"), redirect,
			"httpsRedirect is the server's own field here: set servers[].httpsRedirect on a plain HTTP server"))
	}
	return errs
}

// validateServerTLSSources checks the certificate of a server's tls, as Istio's validation
// of a Gateway does (one source of certificates; a file-based one complete) and before it:
// Istio takes several sources and warns, here the Gateway is not written.
func validateServerTLSSources(tls *ServerTLS, p *field.Path, r *Problems) {
	var in serverTLSSettings
	if tls.Istio != nil {
		in = readServerTLSSettings(tls.Istio)
	}
	credential := p.Child("credentialName")
	if tls.Mode == TLSPassthrough {
		if tls.CredentialName != "" {
			r.errorf(credential, tls.CredentialName, "PASSTHROUGH does not terminate TLS, so it uses no certificate; remove credentialName")
		}
		for _, f := range []struct {
			name string
			set  bool
		}{
			{"credentialNames", len(in.CredentialNames) > 0}, {"serverCertificate", in.ServerCertificate != ""},
			{"privateKey", in.PrivateKey != ""}, {"caCertificates", in.CaCertificates != ""}, {"caCrl", in.CaCrl != ""},
			{"tlsCertificates", len(in.TLSCertificates) > 0}, {"caCertCredentialName", in.CaCertCredentialName != ""},
		} {
			if f.set {
				r.Errors = append(r.Errors, field.Forbidden(p.Child(f.name), "PASSTHROUGH does not terminate TLS, so it uses no certificate; remove "+f.name))
			}
		}
		return
	}
	// The sources of the certificate, by the field that gives each.
	var sources []string
	if tls.CredentialName != "" {
		sources = append(sources, "credentialName")
	}
	if len(in.CredentialNames) > 0 {
		sources = append(sources, "credentialNames")
	}
	if in.ServerCertificate != "" || in.PrivateKey != "" {
		sources = append(sources, "serverCertificate")
	}
	if len(in.TLSCertificates) > 0 {
		sources = append(sources, "tlsCertificates")
	}
	if len(sources) == 0 {
		r.Errors = append(r.Errors, field.Required(credential,
			fmt.Sprintf("%s terminates TLS with the certificate in this Secret (in the gateway's namespace)", tls.Mode)))
	}
	for _, extra := range sources[min(1, len(sources)):] {
		r.Errors = append(r.Errors, field.Forbidden(p.Child(extra), fmt.Sprintf(
			"%s is set too: Istio takes the certificate from one of credentialName, credentialNames, serverCertificate and privateKey, or tlsCertificates", sources[0])))
	}
	if tls.CredentialName != "" {
		for _, msg := range validation.IsDNS1123Subdomain(tls.CredentialName) {
			r.errorf(credential, tls.CredentialName, "%s", msg)
		}
	}
	for i, name := range in.CredentialNames {
		for _, msg := range validation.IsDNS1123Subdomain(name) {
			r.errorf(p.Child("credentialNames").Index(i), name, "%s", msg)
		}
	}
	if len(in.CredentialNames) > 2 {
		r.errorf(p.Child("credentialNames"), len(in.CredentialNames), "takes at most 2 Secrets (one RSA and one ECDSA certificate)")
	}
	if (in.ServerCertificate == "") != (in.PrivateKey == "") {
		missing := "serverCertificate"
		if in.PrivateKey == "" {
			missing = "privateKey"
		}
		r.Errors = append(r.Errors, field.Required(p.Child(missing), "serverCertificate and privateKey are the two files of one certificate"))
	}
	for i, c := range in.TLSCertificates {
		if c.ServerCertificate == "" {
			r.Errors = append(r.Errors, field.Required(p.Child("tlsCertificates").Index(i).Child("serverCertificate"), "each certificate needs its file"))
		}
		if c.PrivateKey == "" {
			r.Errors = append(r.Errors, field.Required(p.Child("tlsCertificates").Index(i).Child("privateKey"), "each certificate needs its key's file"))
		}
	}
	fileBased := tls.CredentialName == "" && len(in.CredentialNames) == 0 && (in.ServerCertificate != "" || in.PrivateKey != "" || len(in.TLSCertificates) > 0)
	if fileBased && tls.Mode != TLSSimple && in.CaCertificates == "" {
		r.Errors = append(r.Errors, field.Required(p.Child("caCertificates"), fmt.Sprintf("%s with a certificate from files checks clients against this CA bundle file", tls.Mode)))
	}
	if in.CaCrl != "" {
		switch {
		case tls.Mode == TLSSimple:
			r.errorf(p.Child("caCrl"), in.CaCrl, "SIMPLE does not check client certificates, so it uses no revocation list")
		case tls.CredentialName != "":
			r.errorf(p.Child("caCrl"), in.CaCrl, "with credentialName the revocation list is the Secret's ca.crl key, not a file")
		}
	}
}

// serverTLSSettings are the fields of Istio's ServerTLSSettings that validateServerTLSSources
// reads, read from the decoded message (istio.io/api's generated type is not linked; see
// krm/istioapi).
type serverTLSSettings struct {
	CredentialNames                               []string
	ServerCertificate, PrivateKey, CaCertificates string
	CaCrl, CaCertCredentialName                   string
	TLSCertificates                               []tlsCertificate
}

type tlsCertificate struct{ ServerCertificate, PrivateKey string }

func readServerTLSSettings(m protoreflect.Message) serverTLSSettings {
	in := serverTLSSettings{
		CredentialNames:      istioapi.Strings(m, "credentialNames"),
		ServerCertificate:    istioapi.String(m, "serverCertificate"),
		PrivateKey:           istioapi.String(m, "privateKey"),
		CaCertificates:       istioapi.String(m, "caCertificates"),
		CaCrl:                istioapi.String(m, "caCrl"),
		CaCertCredentialName: istioapi.String(m, "caCertCredentialName"),
	}
	for _, c := range istioapi.Messages(m, "tlsCertificates") {
		in.TLSCertificates = append(in.TLSCertificates, tlsCertificate{
			ServerCertificate: istioapi.String(c, "serverCertificate"), PrivateKey: istioapi.String(c, "privateKey")})
	}
	return in
}
