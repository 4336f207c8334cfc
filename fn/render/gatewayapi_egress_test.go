package render_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// isGatewayAPI reports whether a pattern's objects are its Gateway API rendering.
func isGatewayAPI(objects []*yaml.RNode) bool {
	return slices.ContainsFunc(ofKind(objects, "Gateway"), func(g *yaml.RNode) bool {
		return strings.HasPrefix(g.GetApiVersion(), "gateway.networking.k8s.io/")
	})
}

// gatewayAPIEgressProblems follows the Gateway API rendering of the Egress pattern as Istio's
// Gateway API conversion links it. With an egress gateway: every ServiceEntry port the application
// calls has a route attached to the ServiceEntry on that port, sending to the gateway Service on a
// port the Service exposes (the chart's, or Istio's <gateway>-istio, which has one per listener);
// a listener of that port and a fitting protocol takes it, and a route on that listener, for the
// host, forwards to the host itself (backendRef Hostname). Behind a waypoint: every ServiceEntry
// names the generated waypoint, and every policy's targetRefs name generated ServiceEntries.
func gatewayAPIEgressProblems(objects []*yaml.RNode, servicePorts []int) []string {
	var problems []string
	entries := map[string]*yaml.RNode{}
	for _, se := range ofKind(objects, "ServiceEntry") {
		entries[se.GetName()] = se
	}
	var gw *yaml.RNode
	for _, g := range ofKind(objects, "Gateway") {
		gw = g
	}
	if stringOf(gw, "spec", "gatewayClassName") == "istio-waypoint" {
		for _, se := range entries {
			if got := se.GetLabels()["istio.io/use-waypoint"]; got != gw.GetName() {
				problems = append(problems, fmt.Sprintf("ServiceEntry %s uses waypoint %q, not the generated %s", se.GetName(), got, gw.GetName()))
			}
		}
		for _, ap := range ofKind(objects, "AuthorizationPolicy") {
			refs, _ := ap.Pipe(yaml.Lookup("spec", "targetRefs"))
			for _, r := range refs.Content() {
				if name := stringOf(yaml.NewRNode(r), "name"); entries[name] == nil {
					problems = append(problems, fmt.Sprintf("AuthorizationPolicy %s targets ServiceEntry %s, which is not generated", ap.GetName(), name))
				}
			}
		}
		return problems
	}
	service := gw.GetName() + "-istio" // Istio's Service for the Gateway it deploys
	listenerPorts := map[int]bool{}
	listeners := map[string]*yaml.RNode{}
	list, _ := gw.Pipe(yaml.Lookup("spec", "listeners"))
	for _, l := range list.Content() {
		listener := yaml.NewRNode(l)
		listeners[stringOf(listener, "name")] = listener
		listenerPorts[intOf(listener, "port")] = true
	}
	if address := stringOf(gw, "spec", "addresses", "0", "value"); address != "" {
		service, _, _ = strings.Cut(address, ".") // the chart's Service, the Gateway's address
	}
	// hops are the other Services: an HTTPS or TLS host's own hop Service over the mutual-TLS hop,
	// selecting the gateway's pods, its port leading to the pods' port of the gateway Service's
	// 443 (the chart's targetPort, or 443 on the pods Istio deploys).
	hops := map[string]*yaml.RNode{}
	var gatewaySelector map[string]string
	for _, svc := range ofKind(objects, "Service") {
		if svc.GetName() == service {
			gatewaySelector = mapOf(svc, "spec", "selector")
		} else {
			hops[svc.GetName()] = svc
		}
	}
	if gatewaySelector == nil {
		gatewaySelector = map[string]string{"gateway.networking.k8s.io/gateway-name": gw.GetName()}
	}
	if len(ofKind(objects, "Service")) == len(hops) {
		servicePorts = nil
		for p := range listenerPorts {
			servicePorts = append(servicePorts, p)
		}
	}
	routes := slices.Concat(ofKind(objects, "HTTPRoute"), ofKind(objects, "TLSRoute"), ofKind(objects, "TCPRoute"))
	called := map[string]bool{} // ServiceEntry/port a route attaches to
	for _, r := range routes {
		parent, _ := r.Pipe(yaml.Lookup("spec", "parentRefs", "0"))
		if stringOf(parent, "kind") != "ServiceEntry" {
			continue
		}
		se := entries[stringOf(parent, "name")]
		if se == nil {
			problems = append(problems, fmt.Sprintf("%s %s is attached to ServiceEntry %s, which is not generated", r.GetKind(), r.GetName(), stringOf(parent, "name")))
			continue
		}
		host := stringsOf(se, "spec", "hosts")[0]
		called[se.GetName()+"/"+fmt.Sprint(intOf(parent, "port"))] = true
		backend, _ := r.Pipe(yaml.Lookup("spec", "rules", "0", "backendRefs", "0"))
		port := intOf(backend, "port")
		kind := r.GetKind() // of the route on the Gateway
		if hop := hops[stringOf(backend, "name")]; hop != nil {
			if got := mapOf(hop, "spec", "selector"); !maps.Equal(got, gatewaySelector) {
				problems = append(problems, fmt.Sprintf("hop Service %s selects %v, not the gateway's pods %v", hop.GetName(), got, gatewaySelector))
			}
			hopPort, _ := hop.Pipe(yaml.Lookup("spec", "ports", "0"))
			if intOf(hopPort, "port") != port {
				problems = append(problems, fmt.Sprintf("%s %s sends %s to port %d of hop Service %s, which has %d", r.GetKind(), r.GetName(), host, port, hop.GetName(), intOf(hopPort, "port")))
			}
			port, kind = 443, "TCPRoute" // the mutual-TLS hop's port; the gateway passes the app's TLS on
		} else if got := stringOf(backend, "name"); got != service {
			problems = append(problems, fmt.Sprintf("%s %s sends %s to %s, not the gateway Service %s", r.GetKind(), r.GetName(), host, got, service))
		}
		if !slices.Contains(servicePorts, port) {
			problems = append(problems, fmt.Sprintf("%s %s sends %s to port %d, which the gateway Service does not expose", r.GetKind(), r.GetName(), host, port))
		}
		forwarded := slices.ContainsFunc(routes, func(on *yaml.RNode) bool {
			ref, _ := on.Pipe(yaml.Lookup("spec", "parentRefs", "0"))
			l := listeners[stringOf(ref, "sectionName")]
			to, _ := on.Pipe(yaml.Lookup("spec", "rules", "0", "backendRefs", "0"))
			fits := l != nil && (on.GetKind() != "HTTPRoute") == (stringOf(l, "protocol") == "TLS")
			hostnames := stringsOf(on, "spec", "hostnames")
			if on.GetKind() == "TCPRoute" { // no hostnames of its own: its listener's
				hostnames = []string{stringOf(l, "hostname")}
			}
			return on.GetKind() == kind && stringOf(ref, "name") == gw.GetName() && fits &&
				intOf(l, "port") == port && slices.Contains(hostnames, host) &&
				stringOf(to, "kind") == "Hostname" && stringOf(to, "name") == host
		})
		if !forwarded {
			problems = append(problems, fmt.Sprintf("no %s on a listener of Gateway %s on port %d forwards %s to the host", kind, gw.GetName(), port, host))
		}
	}
	for name, se := range entries {
		ports, _ := se.Pipe(yaml.Lookup("spec", "ports"))
		for _, p := range ports.Content() {
			port := intOf(yaml.NewRNode(p), "number")
			origination := port == 443 && stringOf(yaml.NewRNode(p), "protocol") == "HTTPS" && len(ports.Content()) > 1
			if !origination && !called[name+"/"+fmt.Sprint(port)] {
				problems = append(problems, fmt.Sprintf("ServiceEntry %s: no route attached on port %d sends it to the gateway", name, port))
			}
		}
	}
	return problems
}

// TestGatewayAPIEgressChainCatchesMistakes: the check fails on a route sent to the wrong Service,
// a route on the Gateway for another host, and a ServiceEntry bound to another waypoint.
func TestGatewayAPIEgressChainCatchesMistakes(t *testing.T) {
	read := func(s string) []*yaml.RNode {
		objects, err := (&kio.ByteReader{Reader: strings.NewReader(s)}).Read()
		require.NoError(t, err)
		return objects
	}
	objects := read(`
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: egress}
spec:
  gatewayClassName: istio
  listeners: [{name: http-google-com, hostname: google.com, port: 80, protocol: HTTP}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: egress-google-com}
spec:
  hosts: [google.com]
  ports: [{number: 80, name: http, protocol: HTTP}, {number: 8080, name: http-8080, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: egress-google-com-mesh}
spec:
  parentRefs: [{group: networking.istio.io, kind: ServiceEntry, name: egress-google-com, port: 80}]
  rules: [{backendRefs: [{name: istio-egressgateway, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: egress-google-com}
spec:
  parentRefs: [{name: egress, sectionName: http-google-com}]
  hostnames: [www.google.com]
  rules: [{backendRefs: [{group: networking.istio.io, kind: Hostname, name: google.com, port: 80}]}]
`)
	require.Equal(t, []string{
		"HTTPRoute egress-google-com-mesh sends google.com to istio-egressgateway, not the gateway Service egress-istio",
		"no HTTPRoute on a listener of Gateway egress on port 80 forwards google.com to the host",
		"ServiceEntry egress-google-com: no route attached on port 8080 sends it to the gateway",
	}, gatewayAPIEgressProblems(objects, nil))

	objects = read(`
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: waypoint}
spec: {gatewayClassName: istio-waypoint}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: egress-google-com, labels: {istio.io/use-waypoint: other}}
spec: {hosts: [google.com]}
`)
	require.Equal(t, []string{`ServiceEntry egress-google-com uses waypoint "other", not the generated waypoint`},
		gatewayAPIEgressProblems(objects, nil))
}
