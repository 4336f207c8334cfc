package krm

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Problems are what loading a GatewayPattern found, each with its field path: errors make the
// function fail, warnings do not.
type Problems struct {
	Errors   field.ErrorList
	Warnings field.ErrorList
}

// add adds other's problems, but for those at or under the path of an error in covered: where a
// value did not decode or is already wrong, the one error that says so is enough.
func (r *Problems) add(other Problems, covered field.ErrorList) {
	r.Errors = append(r.Errors, withoutPaths(other.Errors, covered)...)
	r.Warnings = append(r.Warnings, withoutPaths(other.Warnings, covered)...)
}

func (r *Problems) errorf(path *field.Path, value any, format string, args ...any) {
	r.Errors = append(r.Errors, field.Invalid(path, value, fmt.Sprintf(format, args...)))
}

func (r *Problems) warnf(path *field.Path, value any, format string, args ...any) {
	r.Warnings = append(r.Warnings, field.Invalid(path, value, fmt.Sprintf(format, args...)))
}

// Validate checks a defaulted GatewayPattern's own fields (not its chart values: see
// ChartValues). It reports every problem it finds, each with its field path.
func (gp *GatewayPattern) Validate() Problems {
	var r Problems
	if gp.APIVersion != APIVersion {
		r.Errors = append(r.Errors, field.NotSupported(field.NewPath("apiVersion"), gp.APIVersion, []string{APIVersion}))
	}
	if gp.Kind != Kind {
		r.Errors = append(r.Errors, field.NotSupported(field.NewPath("kind"), gp.Kind, []string{Kind}))
	}
	gp.validateMetadata(&r)
	gp.validatePatternBlocks(&r)
	gp.validateAPI(&r)
	return r
}

// ChartValues resolves the chart values of a defaulted GatewayPattern (the pattern's defaults
// under the user's spec.values), checks them as the chart does, and checks that they serve the
// pattern (the Service exposes every port the pattern's Gateway listens on, and so on).
func (gp *GatewayPattern) ChartValues() (*ChartValues, Problems) {
	valuesPath := field.NewPath("spec", "values")
	values, r := CheckValues(gp.PatternValues(), gp.Spec.Values, valuesPath)
	var pattern Problems
	if in := gp.Spec.Ingress; in != nil && gp.Spec.Pattern == Ingress {
		validateIngressServicePorts(in, values, valuesPath, &pattern)
	}
	if e := gp.Spec.Egress; e != nil && gp.Spec.Pattern == Egress {
		validateEgressServicePorts(e, gp.RendersChartWorkload(), values, valuesPath, &pattern)
	}
	if gp.Spec.Pattern == EastWest {
		validateEastWestValues(gp, values, valuesPath, &pattern)
	}
	if gp.IsAutomated() {
		gp.validateAutomatedValues(values, gp.automatedListenerPorts(), valuesPath, &pattern)
	}
	r.add(pattern, r.Errors)
	return values, r
}

// CheckValues resolves chart values (see ResolveValues) and validates them the way the chart's
// schema and templates do, refusing also what the chart would render into an object Kubernetes
// rejects. Problems of values that did not decode are not repeated.
func CheckValues(patternDefaults, user map[string]any, path *field.Path) (*ChartValues, Problems) {
	values, decodeErrs := ResolveValues(patternDefaults, user, path)
	var checks Problems
	validateChartValues(values, path, &checks)
	if values.Name != "" {
		validateGatewayName(values.Name, path.Child("name"), &checks)
	}
	r := Problems{Errors: decodeErrs}
	r.add(checks, decodeErrs)
	return values, r
}

func (gp *GatewayPattern) validateMetadata(r *Problems) {
	path := field.NewPath("metadata")
	if gp.Metadata.Name == "" {
		r.Errors = append(r.Errors, field.Required(path.Child("name"), "the gateway's name (the Helm release name), such as istio-ingressgateway"))
	} else {
		validateGatewayName(gp.Metadata.Name, path.Child("name"), r)
	}
	if ns := gp.Metadata.Namespace; ns != "" {
		for _, msg := range validation.IsDNS1123Label(ns) {
			r.errorf(path.Child("namespace"), ns, "%s", msg)
		}
	}
}

// validateGatewayName checks a name that becomes the name of a Service and a Deployment, and the
// value of the app label.
func validateGatewayName(name string, path *field.Path, r *Problems) {
	for _, msg := range validation.IsDNS1035Label(name) {
		r.errorf(path, name, "%s (it names the gateway Service)", msg)
	}
}

func (gp *GatewayPattern) validatePatternBlocks(r *Problems) {
	spec := field.NewPath("spec")
	pattern := gp.Spec.Pattern
	switch {
	case pattern == "":
		r.Errors = append(r.Errors, field.Required(spec.Child("pattern"), "one of Ingress, Egress, EastWest"))
	case !slices.Contains(Patterns, pattern):
		r.Errors = append(r.Errors, field.NotSupported(spec.Child("pattern"), pattern, Patterns))
	}
	blocks := []struct {
		name    string
		pattern Pattern
		set     bool
	}{
		{"ingress", Ingress, gp.Spec.Ingress != nil},
		{"egress", Egress, gp.Spec.Egress != nil},
		{"eastWest", EastWest, gp.Spec.EastWest != nil},
	}
	for _, b := range blocks {
		if b.set && pattern != b.pattern && slices.Contains(Patterns, pattern) {
			r.Errors = append(r.Errors, field.Forbidden(spec.Child(b.name),
				fmt.Sprintf("only allowed with pattern %s; remove it or set spec.pattern: %s", b.pattern, b.pattern)))
		}
	}
	if in := gp.Spec.Ingress; in != nil {
		validateIngress(in, spec.Child("ingress"), r)
		validateCertificates(in, gp.Metadata.Namespace, spec.Child("ingress"), r)
	}
	if e := gp.Spec.Egress; e != nil {
		validateEgress(e, gp.EgressThroughWaypoint(), spec.Child("egress"), r)
		validateExportTo(e, spec.Child("egress"), r)
		if e.Lockdown != nil {
			validateLockdown(e.Lockdown, gp.Metadata.Namespace, spec.Child("egress", "lockdown"), r)
		}
	}
	if ew := gp.Spec.EastWest; ew != nil {
		validateEastWest(ew, spec.Child("eastWest"), r)
	}
}

// validatePort checks a port the user must give: required, then in range.
func validatePort(port int32, path *field.Path, r *Problems) {
	if port == 0 {
		r.Errors = append(r.Errors, field.Required(path, "a port number between 1 and 65535"))
		return
	}
	checkPortNumber(port, path, r)
}

// validateHost checks a host name as Istio accepts it: a DNS name, optionally with a leading
// "*." wildcard. "*" alone is refused: it would capture every host.
func validateHost(host string, path *field.Path, r *Problems) {
	if host == "*" {
		r.errorf(path, host, "a bare * matches every host; name the hosts, or use a wildcard such as *.example.com")
		return
	}
	name, _ := strings.CutPrefix(host, "*.")
	if len(validation.IsDNS1123Subdomain(strings.ToLower(name))) > 0 {
		r.errorf(path, host, "must be a DNS name such as shop.example.com (letters, digits, '-' and '.'), or a wildcard such as *.example.com with * only as the whole first label")
	}
}
