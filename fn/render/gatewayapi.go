package render

import "github.com/gatewaypattern/gateway-pattern/krm"

// This file and gatewayapi_*.go render a GatewayPattern with spec.api: GatewayAPI: the same
// traffic paths as the Istio API rendering (ingress.go, egress.go, eastwest.go), as Kubernetes
// Gateway API objects (gateway.networking.k8s.io), with Istio's objects only where the Gateway
// API has no equivalent.

// gatewayAPIObjects returns the objects of a pattern rendered with the Gateway API (the chart's
// workload, when there is one, is added by Objects).
func gatewayAPIObjects(gp *krm.GatewayPattern, values *krm.ChartValues) []*mapping {
	switch gp.Spec.Pattern {
	case krm.Ingress:
		return gatewayAPIIngressObjects(gp, values)
	case krm.Egress:
		return gatewayAPIEgressObjects(gp, values)
	case krm.EastWest:
		return gatewayAPIEastWestObjects(gp, values)
	}
	return nil
}

// The Gateway API's group and the versions the generated objects use: the newest each kind is
// served at by the standard channel of sigs.k8s.io/gateway-api v1.6 (the CRDs tests/conformance
// validates against).
const (
	gatewayAPIGroup = "gateway.networking.k8s.io"
	gatewayAPIv1    = gatewayAPIGroup + "/v1"
)

// Gateway classes Istio installs.
const (
	classIstio    = "istio"           // gateways (ingress, egress, sidecar-mode east-west)
	classWaypoint = "istio-waypoint"  // ambient waypoints
	classEastWest = "istio-east-west" // ambient east-west gateways (HBONE on 15008)
)

// gatewayNameLabel is the label Istio gives the pods it deploys for a Gateway API Gateway, with
// the Gateway's name.
const gatewayNameLabel = gatewayAPIGroup + "/gateway-name"

// gatewayAPIGateway starts a pattern's Gateway API Gateway, of the given class, named and placed
// like the workload. With the chart's workload it binds to the generated Service through
// spec.addresses (a Hostname: Istio's "manual deployment"), so the gateway's pods are the chart's
// pods; with workload Automated Istio deploys the gateway itself (Deployment and Service named
// <gateway>-<class>). The pattern adds its listeners.
func gatewayAPIGateway(gp *krm.GatewayPattern, values *krm.ChartValues, class string) *mapping {
	name := gp.GatewayName(values)
	meta := newMapping().set("name", name).set("namespace", gp.Metadata.Namespace)
	spec := newMapping().set("gatewayClassName", class)
	if gp.RendersChartWorkload() {
		spec.set("addresses", []*mapping{newMapping().
			set("type", "Hostname").
			set("value", name+"."+gp.Metadata.Namespace+".svc.cluster.local")})
	}
	gw := object(gatewayAPIv1, "Gateway", meta).set("spec", spec)
	if gp.IsAutomated() {
		automatedGateway(gw, gp, values) // gatewayapi_automated.go
	}
	return gw
}

// gatewayAPIServiceName is the name of the Service in front of the gateway's pods: the chart's
// Service, or the one Istio creates for an automatically deployed Gateway (<gateway>-<class>).
func gatewayAPIServiceName(gp *krm.GatewayPattern, values *krm.ChartValues, class string) string {
	// Istio names the objects of its waypoint and east-west classes after the Gateway alone
	// (DisableNameSuffix in pilot/pkg/config/kube/gatewaycommon/classinfo.go).
	if gp.RendersChartWorkload() || class == classWaypoint || class == classEastWest {
		return gp.GatewayName(values)
	}
	return gp.GatewayName(values) + "-" + class
}

// gatewayAPIObject is a Gateway API object (or a route) in the gateway's namespace.
func gatewayAPIObject(gp *krm.GatewayPattern, kind, name string, spec *mapping) *mapping {
	meta := newMapping().set("name", name).set("namespace", gp.Metadata.Namespace)
	return object(gatewayAPIv1, kind, meta).set("spec", spec)
}

// referenceGrant is the ReferenceGrant a pattern puts in a backend's namespace so that its routes
// (of the given kinds, in the gateway's namespace) may refer to Services there: every Service, or
// the one named service. It is named after the gateway and its namespace, since the grant is about
// the routes of that namespace, so two gateways of one name in two namespaces (a gateway per team,
// say) can both reach a shared namespace without their grants colliding. The version is v1beta1,
// the one Istio watches.
func referenceGrant(gateway, fromNamespace, toNamespace string, kinds []string, service string) *mapping {
	var from []*mapping
	for _, kind := range kinds {
		from = append(from, newMapping().set("group", gatewayAPIGroup).set("kind", kind).set("namespace", fromNamespace))
	}
	to := newMapping().set("group", "").set("kind", "Service").setIf("name", service)
	meta := newMapping().set("name", gateway+"-"+fromNamespace).set("namespace", toNamespace)
	return object(gatewayAPIGroup+"/v1beta1", "ReferenceGrant", meta).
		set("spec", newMapping().set("from", from).set("to", []*mapping{to}))
}
