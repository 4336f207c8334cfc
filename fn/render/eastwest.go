package render

import (
	"github.com/gatewaypattern/gateway-pattern/krm"
)

// eastWestObjects builds the multi-network bridge, as Istio's multicluster samples do: the
// cross-network Gateway that passes mTLS for every *.local service through by SNI
// (AUTO_PASSTHROUGH on 15443), and, for primary-remote, the Gateway and VirtualService that
// expose istiod to remote clusters.
func eastWestObjects(gp *krm.GatewayPattern, values *krm.ChartValues) []*mapping {
	ew := gp.EastWestBlock()
	g := newIstioGateway(gp, values)
	var out []*mapping
	if *ew.ExposeServices {
		server := newMapping().
			set("port", gatewayPort(krm.CrossNetworkPort, "tls", "TLS")).
			set("tls", newMapping().set("mode", "AUTO_PASSTHROUGH")).
			set("hosts", []string{"*.local"})
		out = append(out, g.gateway([]*mapping{server}))
	}
	if ew.ExposeIstiod {
		out = append(out, g.istiodGateway(), g.istiodVirtualService(ew))
	}
	return out
}

// istiodGateway passes istiod's TLS through on its two ports, for any SNI.
func (g istioGateway) istiodGateway() *mapping {
	server := func(port int32, name string) *mapping {
		return newMapping().
			set("port", gatewayPort(port, name, "TLS")).
			set("tls", newMapping().set("mode", "PASSTHROUGH")).
			set("hosts", []string{"*"})
	}
	return g.namedGateway(g.name+"-istiod", []*mapping{server(krm.IstiodPort, "tls-istiod"), server(krm.WebhookPort, "tls-webhook")})
}

// istiodVirtualService routes 15012 to istiod's 15012 and 15017 to its webhook port, 443. A
// revisioned istiod is matched by its own name in the SNI, as Istio's expose-istiod-rev sample
// does, so that two revisions can be exposed side by side during a canary upgrade.
func (g istioGateway) istiodVirtualService(ew krm.EastWestSpec) *mapping {
	service := ew.IstiodService() + "." + krm.IstiodNamespace + ".svc"
	istiod := service + ".cluster.local"
	sniHosts := []string{"*"}
	if ew.IstiodRevision != "" {
		sniHosts = []string{service, istiod}
	}
	sni := func(port int32, to int32) *mapping {
		return route(newMapping().set("port", port).set("sniHosts", sniHosts), routeDestination(istiod, to))
	}
	return g.object("VirtualService", g.name+"-istiod", newMapping().
		set("hosts", []string{"*"}).
		set("gateways", []string{g.name + "-istiod"}).
		set("tls", []*mapping{sni(krm.IstiodPort, 15012), sni(krm.WebhookPort, 443)}).
		set("exportTo", gatewayNamespaceOnly)) // bound to the gateway alone
}
