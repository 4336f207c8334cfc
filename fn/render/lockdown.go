package render

import (
	"slices"

	"github.com/gatewaypattern/gateway-pattern/krm"
)

// lockdownObjects makes the egress gateway the only way out of each locked application namespace,
// at two layers: a namespace-wide Sidecar that sends nothing to hosts the mesh does not know
// (REGISTRY_ONLY: an unknown host lands on the BlackHoleCluster), and a NetworkPolicy that lets
// the namespace's pods open connections only to pods of the cluster, so a workload whose traffic
// does not go through its sidecar (no injection, an init-less pod, a process running as the proxy's
// user) still cannot reach an address outside the cluster.
func lockdownObjects(gp *krm.GatewayPattern, values *krm.ChartValues) []*mapping {
	e := gp.Spec.Egress
	if e == nil || e.Lockdown == nil {
		return nil
	}
	return newIstioGateway(gp, values).lockdownObjects(e, values)
}

func (g istioGateway) lockdownObjects(e *krm.EgressSpec, values *krm.ChartValues) []*mapping {
	var out []*mapping
	for _, ns := range e.Lockdown.Namespaces {
		out = append(out, g.lockdownSidecar(ns), g.lockdownNetworkPolicy(ns, e, values))
	}
	return out
}

// LockdownSidecarName names the namespace-wide Sidecar of a locked namespace: default, the name
// Istio recommends for it. Istio allows one Sidecar without workloadSelector per namespace (with
// two, its behaviour is undefined); one fixed name turns a second one into a name collision the
// function refuses, whether it is already in the package or comes from another GatewayPattern.
const LockdownSidecarName = "default"

// LockdownPolicyName names the NetworkPolicy of a locked namespace: the gateway's name with
// -lockdown. NetworkPolicies add up, so two egress gateways may each admit their own pods.
func LockdownPolicyName(gatewayName string) string { return gatewayName + "-lockdown" }

// lockdownSidecar: no workloadSelector, so it applies to every sidecar of the namespace, and
// Istio allows one such Sidecar per namespace. Its egress hosts are "*/*", the mesh's default
// (every namespace's exported services and ServiceEntries, the egress hosts among them), so calls
// to services of other namespaces keep working; what it changes is the outbound traffic policy:
// a host no ServiceEntry or Service registers goes nowhere.
func (g istioGateway) lockdownSidecar(namespace string) *mapping {
	spec := newMapping().
		set("egress", []*mapping{newMapping().set("hosts", []string{"*/*"})}).
		set("outboundTrafficPolicy", newMapping().set("mode", "REGISTRY_ONLY"))
	meta := newMapping().set("name", LockdownSidecarName).set("namespace", namespace)
	return object("networking.istio.io/v1", "Sidecar", meta).set("spec", spec)
}

// lockdownNetworkPolicy selects every pod of the namespace and admits, as egress, only:
// DNS (the kube-dns pods of kube-system, 53 over UDP and TCP), istiod (15012: xDS and
// certificates), the egress gateway's pods on the container ports behind the Service ports the
// sidecars use (a NetworkPolicy sees the pod's port, after the Service's DNAT), and every pod of
// the cluster (namespaceSelector {}), on any port, for calls inside the mesh. The last rule
// already covers the first three; they are written out so the policy says what the mesh needs,
// and stays right if that rule is narrowed. No ipBlock: nothing outside the pod network, so not
// the internet, and not the API server or node addresses either.
func (g istioGateway) lockdownNetworkPolicy(namespace string, e *krm.EgressSpec, values *krm.ChartValues) *mapping {
	inNamespace := func(ns string, pods *mapping) *mapping {
		return newMapping().
			set("namespaceSelector", newMapping().set("matchLabels", newMapping().set("kubernetes.io/metadata.name", ns))).
			set("podSelector", newMapping().set("matchLabels", pods))
	}
	port := func(protocol string, number int32) *mapping {
		return newMapping().set("protocol", protocol).set("port", number)
	}
	rule := func(to *mapping, ports ...*mapping) *mapping {
		return newMapping().set("to", []*mapping{to}).set("ports", ports)
	}
	var gatewayPorts []*mapping
	targetPorts := gatewayTargetPorts(e, values)
	if g.deployedByIstio {
		// The Service Istio deploys for a Gateway API Gateway sends each listener's port to the
		// same port of the pods.
		targetPorts = gatewayHopPorts(e)
	}
	for _, p := range targetPorts {
		gatewayPorts = append(gatewayPorts, port("TCP", p))
	}
	egress := []*mapping{
		rule(inNamespace("kube-system", newMapping().set("k8s-app", "kube-dns")), port("UDP", 53), port("TCP", 53)),
		rule(inNamespace(e.Lockdown.IstiodNamespace, newMapping().set("app", "istiod")), port("TCP", krm.IstiodXDSPort)),
		rule(inNamespace(g.namespace, g.podLabels()), gatewayPorts...),
		newMapping().set("to", []*mapping{newMapping().set("namespaceSelector", newMapping())}),
	}
	spec := newMapping().
		set("podSelector", newMapping()).
		set("policyTypes", []string{"Egress"}).
		set("egress", egress)
	meta := newMapping().set("name", LockdownPolicyName(g.name)).set("namespace", namespace)
	return object("networking.k8s.io/v1", "NetworkPolicy", meta).set("spec", spec)
}

// gatewayTargetPorts are the pod ports behind the gateway Service ports the egress hops use, in
// ascending order.
func gatewayTargetPorts(e *krm.EgressSpec, values *krm.ChartValues) []int32 {
	var ports []int32
	for _, h := range e.Hosts {
		hop := e.GatewayPort(h)
		for _, sp := range values.Service.Ports {
			if sp.Port == nil || *sp.Port != hop {
				continue
			}
			target := hop
			if sp.TargetPort != nil {
				target = *sp.TargetPort
			}
			if !slices.Contains(ports, target) {
				ports = append(ports, target)
			}
		}
	}
	slices.Sort(ports)
	return ports
}

// gatewayHopPorts are the gateway Service ports the egress hops use, in ascending order.
func gatewayHopPorts(e *krm.EgressSpec) []int32 {
	var ports []int32
	for _, h := range e.Hosts {
		if hop := e.GatewayPort(h); !slices.Contains(ports, hop) {
			ports = append(ports, hop)
		}
	}
	slices.Sort(ports)
	return ports
}
