package krm

import (
	"fmt"

	networking "istio.io/api/networking/v1alpha3"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/gatewaypattern/gateway-pattern/krm/istioapi"
)

// ClientTLS is Istio's ClientTLSSettings (a DestinationRule's tls), decoded whole by
// krm/istioapi: every field takes Istio's names and values.
type ClientTLS struct {
	Istio *networking.ClientTLSSettings
}

// decodeTree decodes the object as Istio's ClientTLSSettings; mode left out is SIMPLE.
func (t *ClientTLS) decodeTree(v any, path *field.Path) field.ErrorList {
	m, ok := v.(map[string]any)
	if !ok {
		return field.ErrorList{field.Invalid(path, v, "must be an object")}
	}
	t.Istio = &networking.ClientTLSSettings{}
	errs := istioapi.Decode(m, t.Istio, path)
	if _, set := m["mode"]; !set {
		t.Istio.Mode = networking.ClientTLSSettings_SIMPLE
	}
	return errs
}

// validateOrigination checks a host's tlsOriginationSettings: TLS the gateway opens, SIMPLE or
// MUTUAL, and for MUTUAL a client certificate, as Istio's validation of a DestinationRule wants.
func validateOrigination(h EgressHost, p *field.Path, r *Problems) {
	t := h.TLSOriginationSettings
	if t == nil || t.Istio == nil {
		return
	}
	in := t.Istio
	if !h.TLSOrigination {
		r.errorf(p, "", "settings of the TLS the gateway opens to the host; set tlsOrigination: true too")
	}
	switch in.Mode {
	case networking.ClientTLSSettings_SIMPLE, networking.ClientTLSSettings_MUTUAL:
	default:
		r.Errors = append(r.Errors, field.NotSupported(p.Child("mode"), in.Mode.String(), []string{"SIMPLE", "MUTUAL"}))
	}
	if in.CredentialName != "" {
		for _, msg := range validation.IsDNS1123Subdomain(in.CredentialName) {
			r.errorf(p.Child("credentialName"), in.CredentialName, "%s", msg)
		}
	}
	if in.Mode == networking.ClientTLSSettings_MUTUAL && in.CredentialName == "" && (in.ClientCertificate == "" || in.PrivateKey == "") {
		r.Errors = append(r.Errors, field.Required(p.Child("credentialName"), fmt.Sprintf(
			"MUTUAL presents a client certificate to %s: name the Secret in the gateway's namespace that holds it (tls.crt, tls.key, and ca.crt to check the host), or give clientCertificate and privateKey files", h.Host)))
	}
}
