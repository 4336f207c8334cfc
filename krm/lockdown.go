package krm

import (
	"slices"

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

// SidecarExportTo is the exportTo of the objects sidecars use: ["*"] by default, otherwise the
// gateway's namespace (".") and the listed namespaces, each once.
func (e *EgressSpec) SidecarExportTo(gatewayNamespace string) []string {
	if len(e.ExportTo) == 0 || slices.Contains(e.ExportTo, "*") {
		return []string{"*"}
	}
	out := []string{"."}
	for _, ns := range e.ExportTo {
		if ns != "." && ns != gatewayNamespace && !slices.Contains(out, ns) {
			out = append(out, ns)
		}
	}
	return out
}

// validateExportTo accepts what Istio accepts in exportTo and what keeps the egress routes
// usable: "*" alone, ".", or namespace names; not "~" (seen by no one: no sidecar would send the
// hosts to the gateway). With a lockdown, each locked namespace must see the routes, or its
// sidecars (REGISTRY_ONLY) could not reach the hosts at all.
func validateExportTo(e *EgressSpec, path *field.Path, r *Problems) {
	p := path.Child("exportTo")
	seen := map[string]bool{}
	for i, ns := range e.ExportTo {
		pi := p.Index(i)
		switch {
		case seen[ns]:
			r.Errors = append(r.Errors, field.Duplicate(pi, ns))
		case ns == "*":
			if len(e.ExportTo) > 1 {
				r.errorf(pi, ns, "* already exports to every namespace; use it alone, or list namespaces")
			}
		case ns == "~":
			r.errorf(pi, ns, "~ exports to no namespace: no sidecar would send the hosts to the gateway; list the namespaces that use them, or leave exportTo out (every namespace)")
		case ns == ".":
		default:
			for _, msg := range validation.IsDNS1123Label(ns) {
				r.errorf(pi, ns, "%s", msg)
			}
		}
		seen[ns] = true
	}
	if e.Lockdown == nil || len(e.ExportTo) == 0 || slices.Contains(e.ExportTo, "*") {
		return
	}
	for i, ns := range e.Lockdown.Namespaces {
		if ns != "" && !slices.Contains(e.ExportTo, ns) {
			r.errorf(path.Child("lockdown", "namespaces").Index(i), ns, "not in spec.egress.exportTo: its sidecars (REGISTRY_ONLY) would not know the egress hosts and could reach none of them; add %s to exportTo", ns)
		}
	}
}
