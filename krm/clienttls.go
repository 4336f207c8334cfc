package krm

import (
	"fmt"

	"google.golang.org/protobuf/types/dynamicpb"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/gatewaypattern/gateway-pattern/krm/istioapi"
)

// ClientTLS is Istio's ClientTLSSettings (a DestinationRule's tls), decoded whole by
// krm/istioapi: every field takes Istio's names and values. Istio is a message of istio.io/api's
// own descriptor.
type ClientTLS struct {
	Istio *dynamicpb.Message
}

// decodeTree decodes the object as Istio's ClientTLSSettings; mode left out is SIMPLE.
func (t *ClientTLS) decodeTree(v any, path *field.Path) field.ErrorList {
	m, ok := v.(map[string]any)
	if !ok {
		return field.ErrorList{field.Invalid(path, v, "must be an object")}
	}
	t.Istio = istioapi.New(istioapi.ClientTLSSettings)
	errs := istioapi.Decode(m, t.Istio, path)
	if _, set := m["mode"]; !set {
		istioapi.Set(t.Istio, "mode", "SIMPLE")
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
	mode, credentialName := istioapi.EnumName(t.Istio, "mode"), istioapi.String(t.Istio, "credentialName")
	if !h.TLSOrigination {
		r.errorf(p, "", "settings of the TLS the gateway opens to the host; set tlsOrigination: true too")
	}
	switch mode {
	case "SIMPLE", "MUTUAL":
	default:
		r.Errors = append(r.Errors, field.NotSupported(p.Child("mode"), mode, []string{"SIMPLE", "MUTUAL"}))
	}
	if credentialName != "" {
		for _, msg := range validation.IsDNS1123Subdomain(credentialName) {
			r.errorf(p.Child("credentialName"), credentialName, "%s", msg)
		}
	}
	if mode == "MUTUAL" && credentialName == "" && (istioapi.String(t.Istio, "clientCertificate") == "" || istioapi.String(t.Istio, "privateKey") == "") {
		r.Errors = append(r.Errors, field.Required(p.Child("credentialName"), fmt.Sprintf(
			"MUTUAL presents a client certificate to %s: name the Secret in the gateway's namespace that holds it (tls.crt, tls.key, and ca.crt to check the host), or give clientCertificate and privateKey files", h.Host)))
	}
}
