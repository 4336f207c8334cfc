package render

import "github.com/gatewaypattern/gateway-pattern/krm"

// gatewayAPIEgressObjects renders the Egress pattern with the Gateway API. Not built yet: krm refuses
// api GatewayAPI for this pattern until it is.
func gatewayAPIEgressObjects(gp *krm.GatewayPattern, values *krm.ChartValues) []*mapping {
	return nil
}
