package render

import (
	"fmt"
	"strings"

	"github.com/gatewaypattern/gateway-pattern/krm"
)

// Notes are the info results of a successful run: how to reach what was generated.
func Notes(gp *krm.GatewayPattern, values *krm.ChartValues) []string {
	var out []string
	if values.Service.Type == "NodePort" {
		out = append(out, nodePortNote(gp, values))
	}
	return out
}

// nodePortNote says where a NodePort gateway listens: on every node's IP (on Minikube, the
// address `minikube ip` prints), at each port's nodePort.
func nodePortNote(gp *krm.GatewayPattern, values *krm.ChartValues) string {
	name, ns := gp.GatewayName(values), gp.Metadata.Namespace
	if gp.IsAutomated() {
		// The Service Istio creates for the Gateway (class istio: the Gateway API patterns of
		// another class name their own).
		name = gatewayAPIServiceName(gp, values, classIstio)
	}
	nodePorts := map[int32]int32{}
	for _, p := range values.Service.Ports {
		if p.Port != nil && p.NodePort != nil {
			nodePorts[*p.Port] = *p.NodePort
		}
	}
	var ports []string
	for _, port := range krm.ServicePortNumbers(values) {
		if port == krm.StatusPort {
			continue
		}
		if nodePort, set := nodePorts[port]; set {
			ports = append(ports, fmt.Sprintf("port %d at <node IP>:%d", port, nodePort))
		} else {
			ports = append(ports, fmt.Sprintf("port %d at <node IP>:<nodePort Kubernetes assigns: kubectl -n %s get service %s -o jsonpath='{.spec.ports[?(@.port==%d)].nodePort}'>", port, ns, name, port))
		}
	}
	return fmt.Sprintf("the gateway Service %s/%s is of type NodePort: reach %s; on Minikube the node IP is what `minikube ip` prints",
		ns, name, strings.Join(ports, ", "))
}
