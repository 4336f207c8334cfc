package render

import (
	"github.com/gatewaypattern/gateway-pattern/krm"
)

// ingressCertificates are the cert-manager Certificates of spec.ingress.certificates: one per
// Secret of a credentialName or credentialNames, named after it, in the gateway's namespace, since Istio reads a gateway's
// credentialName Secrets from the gateway's own namespace and cert-manager writes a Certificate's
// Secret in the Certificate's namespace.
func ingressCertificates(gp *krm.GatewayPattern) []*mapping {
	in := gp.Spec.Ingress
	var out []*mapping
	for _, c := range in.CertificatesToIssue() {
		out = append(out, certificate(gp.Metadata.Namespace, c, in.Certificates))
	}
	return out
}

func certificate(namespace string, c krm.CertificateFor, config *krm.IngressCertificates) *mapping {
	issuer := newMapping().
		set("name", config.IssuerRef.Name).
		set("kind", config.IssuerRef.Kind).
		set("group", config.IssuerRef.Group)
	spec := newMapping().
		set("secretName", c.CredentialName).
		set("dnsNames", c.DNSNames).
		set("issuerRef", issuer).
		setIf("duration", config.Duration).
		setIf("renewBefore", config.RenewBefore)
	switch k := config.PrivateKey; {
	case c.Algorithm != "":
		// The second Secret of credentialNames: the other algorithm, at its default size.
		key := newMapping().set("algorithm", string(c.Algorithm))
		if k != nil {
			key.setIf("rotationPolicy", string(k.RotationPolicy))
		}
		spec.set("privateKey", key)
	case k != nil:
		key := newMapping().
			setIf("algorithm", string(k.Algorithm)).
			setIf("size", k.Size).
			setIf("rotationPolicy", string(k.RotationPolicy))
		spec.setIf("privateKey", key)
	}
	meta := newMapping().set("name", c.CredentialName).set("namespace", namespace)
	return object("cert-manager.io/v1", "Certificate", meta).set("spec", spec)
}
