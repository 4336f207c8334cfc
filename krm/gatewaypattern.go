package krm

import (
	"reflect"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

var typeOfChartValues = reflect.TypeFor[ChartValues]()

// Load turns a functionConfig's document tree (what its YAML decodes into) into a GatewayPattern
// and its resolved chart values, in four steps: decode strictly, default, validate, resolve the
// chart values. It reports every problem found, each with its field path; the GatewayPattern and
// the values are usable only when there is no error.
func Load(tree any) (*GatewayPattern, *ChartValues, Problems) {
	gp, decodeErrs := Decode(tree)
	gp.Default()
	r := Problems{Errors: decodeErrs}
	// A field that did not decode is left empty, and validation would complain about it a second
	// time; the decoding error is the one that says what is wrong.
	r.add(gp.Validate(), decodeErrs)
	values, valueProblems := gp.ChartValues()
	r.add(valueProblems, decodeErrs)
	return gp, values, r
}

// Decode decodes a GatewayPattern from its document tree. Decoding is strict: an unknown field
// or a value of the wrong type is an error naming its path, and every such error is returned,
// not just the first. The GatewayPattern holds whatever did decode.
func Decode(tree any) (*GatewayPattern, field.ErrorList) {
	gp := &GatewayPattern{}
	return gp, decodeTree(tree, gp, nil)
}

// withoutPaths drops the errors at or under the path of one of errs.
func withoutPaths(list, errs field.ErrorList) field.ErrorList {
	var out field.ErrorList
	for _, e := range list {
		covered := false
		for _, d := range errs {
			if e.Field == d.Field || strings.HasPrefix(e.Field, d.Field+".") || strings.HasPrefix(e.Field, d.Field+"[") {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, e)
		}
	}
	return out
}

// Default fills in what the user may leave out.
func (gp *GatewayPattern) Default() {
	if gp.Metadata.Namespace == "" {
		gp.Metadata.Namespace = DefaultNamespace(gp.Spec.Pattern)
	}
	gp.defaultAPI()
	if e := gp.Spec.Egress; e != nil {
		if e.SidecarToGateway == "" {
			e.SidecarToGateway = SidecarToGatewayMutual
		}
		for i := range e.Hosts {
			h := &e.Hosts[i]
			if h.Protocol == "" {
				// As on the ingress side, the port says what the application speaks: on 443
				// it is TLS (HTTPS, passed through by SNI), elsewhere plain HTTP.
				h.Protocol = EgressHTTP
				if h.Port == EgressTLSPort {
					h.Protocol = EgressHTTPS
				}
			}
			if h.Port == 0 {
				h.Port = defaultEgressPort[h.Protocol]
			}
			if h.Resolution == "" {
				h.Resolution = resolutionDNS
				if IsWildcard(h.Host) && gp.EgressThroughWaypoint() {
					// A waypoint resolves each connection's own name under the wildcard.
					h.Resolution = resolutionDynamicDNS
				}
			}
		}
		if l := e.Lockdown; l != nil && l.IstiodNamespace == "" {
			l.IstiodNamespace = DefaultIstiodNamespace
		}
	}
	if ew := gp.Spec.EastWest; ew != nil && ew.ExposeServices == nil {
		exposed := true
		ew.ExposeServices = &exposed
	}
	if in := gp.Spec.Ingress; in != nil {
		defaultIngress(in)
	}
}

var defaultEgressPort = map[EgressProtocol]int32{EgressHTTP: 80, EgressHTTPS: 443, EgressTLS: 443}

// DefaultNamespace is where a pattern's objects go when the GatewayPattern names no namespace.
func DefaultNamespace(p Pattern) string {
	if p == Ingress {
		return "istio-ingress"
	}
	return "istio-system"
}

// EastWestBlock returns the eastWest block, or an empty (defaulted) one when it is absent.
func (gp *GatewayPattern) EastWestBlock() EastWestSpec {
	if gp.Spec.EastWest != nil {
		return *gp.Spec.EastWest
	}
	exposed := true
	return EastWestSpec{ExposeServices: &exposed}
}

// PatternValues are the chart values a pattern implies. They sit under the user's values: the
// user always wins.
func (gp *GatewayPattern) PatternValues() map[string]any {
	switch gp.Spec.Pattern {
	case Egress:
		return map[string]any{"service": map[string]any{"type": "ClusterIP"}}
	case EastWest:
		ew := gp.EastWestBlock()
		ports := []any{servicePort("status-port", 15021), servicePort("tls", 15443)}
		if ew.ExposeIstiod {
			ports = append(ports, servicePort("tls-istiod", 15012), servicePort("tls-webhook", 15017))
		}
		values := map[string]any{"service": map[string]any{"type": "LoadBalancer", "ports": ports}}
		// An invalid network is reported at spec.eastWest.network, not again as a chart value.
		if ew.Network != "" && len(validation.IsValidLabelValue(ew.Network)) == 0 {
			values["networkGateway"] = ew.Network
		}
		return values
	default:
		service := map[string]any{"type": "LoadBalancer"}
		userService, _ := gp.Spec.Values["service"].(map[string]any)
		if _, given := userService["ports"]; !given && gp.Spec.Ingress != nil {
			service["ports"] = ingressServicePorts(gp.Spec.Ingress)
		}
		return map[string]any{"service": service}
	}
}

// GatewayName is the name of every workload object: the chart's name value, or else the
// GatewayPattern's name (the release name).
func (gp *GatewayPattern) GatewayName(values *ChartValues) string {
	if values != nil && values.Name != "" {
		return values.Name
	}
	return gp.Metadata.Name
}

// OwnerID is the value of the OwnerAnnotation on the objects this GatewayPattern generates:
// namespace/name.
func (gp *GatewayPattern) OwnerID() string {
	return gp.Metadata.Namespace + "/" + gp.Metadata.Name
}
