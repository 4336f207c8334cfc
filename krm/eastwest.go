package krm

import (
	"slices"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The ports of an east-west gateway.
const (
	// CrossNetworkPort carries mTLS between networks, passed through by SNI (AUTO_PASSTHROUGH).
	CrossNetworkPort int32 = 15443
	// IstiodPort serves xDS and certificate signing to remote clusters.
	IstiodPort int32 = 15012
	// WebhookPort reaches istiod's webhooks from remote clusters.
	WebhookPort int32 = 15017
	// IstiodNamespace is where the exposed istiod runs.
	IstiodNamespace = "istio-system"
)

// IstiodService is the name of the istiod Service of a (possibly revisioned) control plane.
func (ew EastWestSpec) IstiodService() string {
	if ew.IstiodRevision != "" {
		return "istiod-" + ew.IstiodRevision
	}
	return "istiod"
}

// NodeSelectorAnnotation on a NodePort gateway Service names the nodes whose addresses istiod
// gives other networks for the gateway.
const NodeSelectorAnnotation = "traffic.istio.io/nodeSelector"

func validateEastWest(ew *EastWestSpec, path *field.Path, r *Problems) {
	if ew.Network != "" {
		for _, msg := range validation.IsValidLabelValue(ew.Network) {
			r.errorf(path.Child("network"), ew.Network, "%s (it becomes the topology.istio.io/network label)", msg)
		}
	}
	if ew.IstiodRevision != "" {
		if !ew.ExposeIstiod {
			r.errorf(path.Child("istiodRevision"), ew.IstiodRevision, "names the istiod to expose; set exposeIstiod: true or remove it")
		}
		for _, msg := range validation.IsDNS1123Label("istiod-" + ew.IstiodRevision) {
			r.errorf(path.Child("istiodRevision"), ew.IstiodRevision, "istiod-<revision> must be a Service name: %s", msg)
		}
	}
}

// validateEastWestValues checks the resolved chart values against the east-west block: the
// network agrees with networkGateway, and the Service exposes every port a Gateway listens on.
// When Istio deploys the gateway (workload Automated) it makes the Service's ports from the
// Gateway's listeners, so only the Service's type is checked here (validateAutomatedValues checks
// the rest); an ambient east-west gateway is found by the network label on its Gateway (which
// validateEastWestGatewayAPI requires), not by its Service.
func validateEastWestValues(gp *GatewayPattern, values *ChartValues, valuesPath *field.Path, r *Problems) {
	ew, user := gp.EastWestBlock(), gp.Spec.Values
	if userNetwork, set := user["networkGateway"].(string); set && ew.Network != "" && userNetwork != ew.Network {
		r.errorf(valuesPath.Child("networkGateway"), userNetwork, "conflicts with spec.eastWest.network (%s); set the network once, in eastWest.network", ew.Network)
	}
	if gp.Spec.Mode == ModeAmbient {
		return
	}
	if values.Service.Type == "None" {
		if !gp.RendersChartWorkload() {
			return // validateAutomatedValues says why
		}
		r.errorf(valuesPath.Child("service", "type"), "None", "remote clusters reach the east-west gateway through its Service: use LoadBalancer (or NodePort)")
		return
	}
	// istiod finds the gateways of a network by their Service's topology.istio.io/network label,
	// which networkGateway (eastWest.network) sets; a NodePort one only when it also names the
	// nodes whose addresses other clusters reach.
	if *ew.ExposeServices && ew.Network == "" && values.NetworkGateway == "" {
		r.warnf(field.NewPath("spec", "eastWest", "network"), "", "no network is set, so istiod will not use this gateway for cross-network traffic: it finds a network's gateways by their Service's topology.istio.io/network label, which eastWest.network sets; set it to this cluster's network name, as Istio's multi-network installation does")
	}
	if values.Service.Type == "NodePort" && values.NetworkGateway != "" {
		_, onService := values.Service.Annotations[NodeSelectorAnnotation]
		if _, everywhere := values.Annotations[NodeSelectorAnnotation]; !onService && !everywhere {
			r.errorf(valuesPath.Child("service", "type"), "NodePort", "istiod uses a NodePort gateway for cross-network traffic only when its Service carries the annotation %s, a JSON label selector of the nodes whose addresses the other clusters reach: add values.service.annotations: {%s: '{}'} for every node, or name the nodes", NodeSelectorAnnotation, NodeSelectorAnnotation)
		}
	}
	if !gp.RendersChartWorkload() {
		return
	}
	exposed := ServicePortNumbers(values)
	where := valuesPath.Child("service", "ports")
	if values.NetworkGateway != "" {
		where = valuesPath.Child("networkGatewayPorts")
	}
	need := func(port int32, name, why string) {
		if !slices.Contains(exposed, port) {
			r.errorf(where, port, "%s needs port %d on the gateway Service; add {name: %s, port: %d, targetPort: %d}", why, port, name, port, port)
		}
	}
	if *ew.ExposeServices {
		need(CrossNetworkPort, "tls", "spec.eastWest.exposeServices")
	}
	if ew.ExposeIstiod {
		need(IstiodPort, "tls-istiod", "spec.eastWest.exposeIstiod")
		need(WebhookPort, "tls-webhook", "spec.eastWest.exposeIstiod")
	}
}
