package render

import (
	"github.com/gatewaypattern/gateway-pattern/krm"
)

// istioGateway holds what every Istio object of a pattern shares: the Gateway's name and
// namespace (those of the workload) and the pod labels its selector must match.
type istioGateway struct {
	name      string
	namespace string
	app       string
	istio     string
	// deployedByIstio: the pods are the ones Istio deploys for a Gateway API Gateway (workload
	// Automated), labelled gateway.networking.k8s.io/gateway-name, not the chart's.
	deployedByIstio bool
}

// podLabels select the gateway's pods: the chart's app and istio labels (both, so two gateways
// whose istio labels agree are never confused), or the label Istio gives the pods it deploys for
// a Gateway API Gateway.
func (g istioGateway) podLabels() *mapping {
	if g.deployedByIstio {
		return newMapping().set(gatewayNameLabel, g.name)
	}
	return newMapping().set("app", g.app).set("istio", g.istio)
}

func newIstioGateway(gp *krm.GatewayPattern, values *krm.ChartValues) istioGateway {
	app, istio := PodLabels(gp.Metadata.Name, values)
	return istioGateway{name: gp.GatewayName(values), namespace: gp.Metadata.Namespace, app: app, istio: istio}
}

// The visibility (exportTo) of every generated VirtualService, DestinationRule and ServiceEntry is
// written out, never left to Istio's default (every namespace, or the mesh's defaultExportTo): an
// object only the gateway uses must not change what the sidecars of the mesh do, and one the
// sidecars use must reach them whatever the mesh's default: every namespace ("*") unless
// spec.egress.exportTo narrows it (see krm.EgressSpec.SidecarExportTo).
//
// gatewayNamespaceOnly: seen only by proxies in the gateway's namespace (Istio's ".").
var gatewayNamespaceOnly = []string{"."}

// serviceFQDN is the cluster-local name of the generated gateway Service.
func (g istioGateway) serviceFQDN() string {
	return g.name + "." + g.namespace + ".svc.cluster.local"
}

// object is an Istio object in the gateway's namespace.
func (g istioGateway) object(kind, name string, spec *mapping) *mapping {
	apiVersion := "networking.istio.io/v1"
	if kind == "AuthorizationPolicy" {
		apiVersion = "security.istio.io/v1"
	}
	meta := newMapping().set("name", name).set("namespace", g.namespace)
	return object(apiVersion, kind, meta).set("spec", spec)
}

// gateway is the Gateway named after the pattern, selecting exactly the generated pods: both of
// their selector labels, so two gateways whose istio labels agree are never confused.
func (g istioGateway) gateway(servers []*mapping) *mapping {
	return g.namedGateway(g.name, servers)
}

func (g istioGateway) namedGateway(name string, servers []*mapping) *mapping {
	return g.object("Gateway", name, newMapping().set("selector", g.podLabels()).set("servers", servers))
}

func gatewayPort(number int32, name, protocol string) *mapping {
	return newMapping().set("number", number).set("name", name).set("protocol", protocol)
}

func routeDestination(host string, port int32) *mapping {
	return newMapping().set("destination", newMapping().
		set("host", host).
		set("port", newMapping().set("number", port)))
}
