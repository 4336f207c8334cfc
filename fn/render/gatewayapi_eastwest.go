package render

import (
	"github.com/gatewaypattern/gateway-pattern/krm"
)

// gatewayAPIEastWestObjects renders the EastWest pattern with the Gateway API.
//
// Sidecar mode: the same bridge as eastWestObjects, as one Gateway of class istio whose
// listeners are the Istio API's servers: cross-network (15443, TLS passed through for "*.local"
// with Istio's auto-passthrough listener option: AUTO_PASSTHROUGH), and with exposeIstiod
// istiod (15012) and istiod-webhook (15017) with their routes to istiod. This is the shape of
// Istio's own Gateway API east-west conversion tests (pilot/pkg/config/kube/gateway/testdata/
// eastwest-tlsoption.yaml).
//
// Ambient mode: the Gateway of class istio-east-west that samples/multicluster/
// gen-eastwest-gateway.sh --ambient writes: one listener, mesh, HBONE on 15008, TLS terminated
// with Istio's mutual TLS (double HBONE), labelled with the network. krm refuses what it
// cannot carry (istiod, the chart's workload).
func gatewayAPIEastWestObjects(gp *krm.GatewayPattern, values *krm.ChartValues) []*mapping {
	ew := gp.EastWestBlock()
	if gp.Spec.Mode == krm.ModeAmbient {
		gw := gatewayAPIGateway(gp, values, classEastWest)
		setLabel(gw, networkLabel, ew.Network)
		return append([]*mapping{gatewayListeners(gw, []*mapping{hboneListener()})}, gatewayAPIWorkload(gp, values)...)
	}
	var listeners []*mapping
	if *ew.ExposeServices {
		listeners = append(listeners, crossNetworkListener())
	}
	var routes []*mapping
	if ew.ExposeIstiod {
		l, r := istiodListenersAndRoutes(gp, values, ew)
		listeners, routes = append(listeners, l...), r
	}
	if len(listeners) == 0 {
		return nil // as with the Istio API: nothing to expose, no Gateway (one needs a listener)
	}
	gw := gatewayAPIGateway(gp, values, classIstio)
	// The network label goes on the Gateway only when Istio deploys it: Istio copies it to the
	// gateway's Service and pods, where istiod looks for a network's gateways. With the chart's
	// workload the chart already puts it there (networkGateway), and on this Gateway it would be
	// wrong: istiod also takes every spec.addresses entry of a network-labelled Gateway as that
	// network's gateway address (handleGatewayResource in pilot/pkg/serviceregistry/kube/
	// controller/network.go), and our address is the Service's cluster-local name, which every
	// other cluster's istiod resolves to its own cluster's gateway.
	if !gp.RendersChartWorkload() && ew.Network != "" {
		setLabel(gw, networkLabel, ew.Network)
	}
	objects := append([]*mapping{gatewayListeners(gw, listeners)}, gatewayAPIWorkload(gp, values)...)
	return append(objects, routes...)
}

// networkLabel names a gateway's network (label.TopologyNetwork in istio.io/api).
const networkLabel = "topology.istio.io/network"

// Istio's Gateway API extensions for listeners (tls.options), documented in Istio's Gateway API
// task and used by its multicluster samples.
const (
	// listenerProtocolOption: auto-passthrough makes a TLS passthrough listener Istio's
	// AUTO_PASSTHROUGH server, routing by the SNI outbound_.<port>_.<subset>_.<host> that
	// sidecars of other networks send, with no route.
	listenerProtocolOption = "gateway.istio.io/listener-protocol"
	// tlsTerminateModeOption (gatewayapi_ingress.go) ISTIO_MUTUAL terminates a listener's TLS
	// with the mesh's certificates: for the ambient east-west gateway, the outer HBONE tunnel.
)

// crossNetworkListener passes the mesh's mTLS for every *.local service through by SNI, like
// the Istio API's AUTO_PASSTHROUGH server on 15443. No route attaches to it.
func crossNetworkListener() *mapping {
	return newMapping().
		set("name", "cross-network").
		set("hostname", "*.local").
		set("port", krm.CrossNetworkPort).
		set("protocol", "TLS").
		set("tls", newMapping().
			set("mode", "Passthrough").
			set("options", newMapping().set(listenerProtocolOption, "auto-passthrough")))
}

// hboneListener is the ambient east-west gateway's one listener, as gen-eastwest-gateway.sh
// --ambient writes it.
func hboneListener() *mapping {
	return newMapping().
		set("name", "mesh").
		set("port", krm.HBONEPort).
		set("protocol", "HBONE").
		set("tls", newMapping().
			set("mode", "Terminate").
			set("options", newMapping().set(tlsTerminateModeOption, "ISTIO_MUTUAL")))
}

// istiodListenersAndRoutes exposes istiod as eastWestObjects does: 15012 to istiod's 15012 and
// 15017 to its webhook port, 443 (the istiod Service has no port 15017).
//
// For a revisioned istiod the Istio API matches the revision's own names in the SNI (Istio's
// expose-istiod-rev sample): here a TLS passthrough listener and a TLSRoute with those
// hostnames. Without a revision it takes every SNI, none included (sniHosts "*", Istio's
// expose-istiod sample); a TLSRoute cannot say that (its hostnames are required and a bare "*"
// is not a hostname), so the listener is TCP with a TCPRoute, which passes the same bytes to the
// same place whatever the SNI.
func istiodListenersAndRoutes(gp *krm.GatewayPattern, values *krm.ChartValues, ew krm.EastWestSpec) (listeners, routes []*mapping) {
	gateway := gp.GatewayName(values)
	service := ew.IstiodService()
	svc := service + "." + krm.IstiodNamespace + ".svc"
	protocol, kind := "TCP", "TCPRoute"
	if ew.IstiodRevision != "" {
		protocol, kind = "TLS", "TLSRoute"
	}
	expose := []struct {
		listener, route string
		port, to        int32
	}{
		{"istiod", gateway + "-istiod", krm.IstiodPort, krm.IstiodPort},
		{"istiod-webhook", gateway + "-istiod-webhook", krm.WebhookPort, 443},
	}
	for _, e := range expose {
		l := newMapping().set("name", e.listener).set("port", e.port).set("protocol", protocol)
		if protocol == "TLS" {
			l.set("tls", newMapping().set("mode", "Passthrough"))
		}
		listeners = append(listeners, l.set("allowedRoutes", allowedRoutesSame()))

		spec := newMapping().set("parentRefs", []*mapping{newMapping().
			set("name", gateway).
			set("sectionName", e.listener)})
		if kind == "TLSRoute" {
			spec.set("hostnames", []string{svc, svc + ".cluster.local"})
		}
		backend := newMapping().set("name", service)
		if gp.Metadata.Namespace != krm.IstiodNamespace {
			backend.set("namespace", krm.IstiodNamespace)
		}
		spec.set("rules", []*mapping{newMapping().set("backendRefs", []*mapping{backend.set("port", e.to)})})
		routes = append(routes, gatewayAPIObject(gp, kind, e.route, spec))
	}
	if gp.Metadata.Namespace != krm.IstiodNamespace {
		routes = append(routes, istiodReferenceGrant(gp, values, kind, service))
	}
	return listeners, routes
}

// istiodReferenceGrant lets the routes in the gateway's namespace send to istiod in
// istio-system, as the Gateway API requires of a backend in another namespace; it grants the one
// Service, not every Service of istio-system.
func istiodReferenceGrant(gp *krm.GatewayPattern, values *krm.ChartValues, kind, service string) *mapping {
	return referenceGrant(gp.GatewayName(values), gp.Metadata.Namespace, krm.IstiodNamespace, []string{kind}, service)
}

// allowedRoutesSame admits routes of the gateway's own namespace only: the function places its
// routes there.
func allowedRoutesSame() *mapping {
	return newMapping().set("namespaces", newMapping().set("from", "Same"))
}

// gatewayListeners sets a Gateway's listeners.
func gatewayListeners(gw *mapping, listeners []*mapping) *mapping {
	(&mapping{child(gw.node, "spec")}).set("listeners", listeners)
	return gw
}

// setLabel sets a label on an object's metadata.
func setLabel(obj *mapping, key, value string) {
	meta := child(obj.node, "metadata")
	(&mapping{child(meta, "labels")}).set(key, value)
}
