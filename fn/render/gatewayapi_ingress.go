package render

import "github.com/gatewaypattern/gateway-pattern/krm"

// gatewayAPIIngressObjects renders the Ingress pattern with the Gateway API. Not built yet: krm refuses
// api GatewayAPI for this pattern until it is.
func gatewayAPIIngressObjects(gp *krm.GatewayPattern, values *krm.ChartValues) []*mapping {
	return nil
}
