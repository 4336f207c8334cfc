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
