package render

import "github.com/gatewaypattern/gateway-pattern/krm"

// gatewayAPIEastWestObjects renders the EastWest pattern with the Gateway API. Not built yet: krm refuses
// api GatewayAPI for this pattern until it is.
func gatewayAPIEastWestObjects(gp *krm.GatewayPattern, values *krm.ChartValues) []*mapping {
	return nil
}
