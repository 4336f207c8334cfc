package krm

import (
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// DefaultIstiodNamespace is where istiod runs unless spec.egress.lockdown.istiodNamespace says
// otherwise.
const DefaultIstiodNamespace = "istio-system"

// IstiodXDSPort is istiod's port for xDS and certificate signing over TLS, the only port of
// istiod a sidecar opens a connection to (15017 is the webhook port the API server calls; 15010,
// plain-text xDS, is not used by injected sidecars).
const IstiodXDSPort int32 = 15012

func validateLockdown(l *EgressLockdown, gatewayNamespace string, path *field.Path, r *Problems) {
	namespaces := path.Child("namespaces")
	if len(l.Namespaces) == 0 {
		r.Errors = append(r.Errors, field.Required(namespaces, "the application namespaces whose pods may leave the cluster only through the egress gateway, such as [shop]"))
	}
	seen := map[string]bool{}
	for i, ns := range l.Namespaces {
		p := namespaces.Index(i)
		switch {
		case ns == "":
			r.Errors = append(r.Errors, field.Required(p, "an application namespace"))
			continue
		case seen[ns]:
			r.Errors = append(r.Errors, field.Duplicate(p, ns))
			continue
		}
		seen[ns] = true
		if msgs := validation.IsDNS1123Label(ns); len(msgs) > 0 {
			for _, msg := range msgs {
				r.errorf(p, ns, "%s", msg)
			}
			continue
		}
		switch ns {
		case gatewayNamespace:
			// A NetworkPolicy for every pod of the namespace would cut the gateway itself off
			// from the external hosts it forwards to.
			r.errorf(p, ns, "the egress gateway's own namespace: its NetworkPolicy would stop the gateway from reaching the external hosts; lock down application namespaces only")
		case l.IstiodNamespace:
			r.errorf(p, ns, "istiod's namespace (istiodNamespace): its NetworkPolicy would stop istiod from reaching the Kubernetes API server; lock down application namespaces only")
		}
	}
	if l.IstiodNamespace != "" {
		for _, msg := range validation.IsDNS1123Label(l.IstiodNamespace) {
			r.errorf(path.Child("istiodNamespace"), l.IstiodNamespace, "%s", msg)
		}
	}
}
