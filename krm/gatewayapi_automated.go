package krm

import (
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// With workload Automated Istio deploys the gateway from its own template (istiod's
// kube-gateway.yaml) and reads, from the Gateway, what Istio's "Gateway deployment
// customization" documents: spec.infrastructure labels and annotations (on every object it
// creates and on the pods), the networking.istio.io/service-type annotation, and a parametersRef
// ConfigMap whose deployment, service, serviceAccount, horizontalPodAutoscaler and
// podDisruptionBudget keys are strategic-merge patches of the objects it creates
// (pilot/pkg/config/kube/gatewaycommon/deploymentcontroller.go, applyOverlay). Each chart value
// below says where it goes; a value with nowhere to go is refused, never dropped.

// AutomatedValues are the top-level keys of spec.values that workload Automated maps, each to
// the place Istio reads it from (fn/render/gatewayapi_automated.go writes them there).
var AutomatedValues = []string{
	"name",                          // the Gateway's name
	"revision",                      // Gateway label istio.io/rev: which istiod deploys it
	"labels",                        // spec.infrastructure.labels
	"annotations",                   // spec.infrastructure.annotations
	"networkGateway",                // spec.infrastructure.labels topology.istio.io/network
	"service",                       // annotation networking.istio.io/service-type, service patch
	"serviceAccount",                // annotation gateway.istio.io/service-account, serviceAccount patch
	"replicaCount",                  // deployment patch
	"kind",                          // Deployment only
	"podAnnotations",                // deployment patch, pod template
	"securityContext",               // deployment patch, pod spec
	"containerSecurityContext",      // deployment patch, istio-proxy
	"resources",                     // deployment patch, istio-proxy
	"env",                           // deployment patch, istio-proxy
	"envVarFrom",                    // deployment patch, istio-proxy
	"strategy",                      // deployment patch
	"minReadySeconds",               // deployment patch
	"readinessProbe",                // deployment patch, istio-proxy
	"nodeSelector",                  // deployment patch, pod spec
	"tolerations",                   // deployment patch, pod spec
	"topologySpreadConstraints",     // deployment patch, pod spec
	"affinity",                      // deployment patch, pod spec
	"imagePullPolicy",               // deployment patch, istio-proxy
	"imagePullSecrets",              // deployment patch, pod spec
	"dnsPolicy",                     // deployment patch, pod spec
	"dnsConfig",                     // deployment patch, pod spec
	"terminationGracePeriodSeconds", // deployment patch, pod spec
	"volumes",                       // deployment patch, pod spec
	"volumeMounts",                  // deployment patch, istio-proxy
	"initContainers",                // deployment patch, pod spec
	"additionalContainers",          // deployment patch, pod spec (after istio-proxy)
	"priorityClassName",             // deployment patch, pod spec
	"lifecycle",                     // deployment patch, istio-proxy
	"autoscaling",                   // horizontalPodAutoscaler patch (Istio adds the HPA only with it)
	"podDisruptionBudget",           // podDisruptionBudget patch (Istio adds the PDB only with it)
	"rbac",                          // nothing to do: Istio's gateway has no Role, istiod serves its certificates
	// Accepted by the chart and read by none of its templates: no effect either way.
	"profile", "platform", "compatibilityVersion", "enabled", "defaultRevision", "pilot", "runAsRoot", "unprivilegedPort",
}

// AutomatedServiceValues are the keys of spec.values.service that workload Automated maps: type to
// the networking.istio.io/service-type annotation, annotations to the service patch's metadata,
// ports to the patch's nodePorts (Istio makes the ports themselves from the listeners), the rest
// to the patch's spec under the same names.
var AutomatedServiceValues = []string{
	"type", "annotations", "ports", "clusterIP", "loadBalancerIP", "loadBalancerSourceRanges",
	"externalTrafficPolicy", "internalTrafficPolicy", "healthCheckNodePort", "externalIPs",
	"ipFamilyPolicy", "ipFamilies", "allocateLoadBalancerNodePorts", "loadBalancerClass",
}

// Limits the Gateway API's CRD puts on spec.infrastructure.
const (
	maxInfrastructureLabels      = 8
	maxInfrastructureAnnotations = 16
)

// IsAutomated reports whether Istio deploys the gateway's workload (api GatewayAPI, workload
// Automated).
func (gp *GatewayPattern) IsAutomated() bool {
	return gp.UsesGatewayAPI() && gp.Spec.Workload == WorkloadAutomated
}

// InfrastructureLabels are the labels workload Automated writes to the Gateway's
// spec.infrastructure.labels: the values' labels as written, and the network label of
// networkGateway (which the chart adds to pods and Service, and from which Istio's template sets
// ISTIO_META_NETWORK; ISTIO_META_REQUESTED_NETWORK_VIEW, which the chart sets too, only Istio's
// waypoint template sets, so fn/render adds it to the deployment patch of class istio).
func (gp *GatewayPattern) InfrastructureLabels(values *ChartValues) map[string]string {
	out := map[string]string{}
	user, _ := gp.Spec.Values["labels"].(map[string]any)
	for k := range user {
		if s, ok := values.Labels[k]; ok {
			out[k] = fmt.Sprint(s.Value)
		}
	}
	if values.NetworkGateway != "" {
		out[NetworkLabel] = values.NetworkGateway
	}
	return out
}

// NetworkLabel is Istio's network label (topology.istio.io/network).
const NetworkLabel = "topology.istio.io/network"

// validateAutomatedValues refuses, with workload Automated, the values Istio's deployment has no
// place for, and those whose mapping would break a limit of the Gateway API. listenerPorts are the
// ports of the Gateway's listeners (Istio's Service exposes those, and status-port 15021); nil
// when the pattern does not say, which skips the check of service.ports against them.
func (gp *GatewayPattern) validateAutomatedValues(values *ChartValues, listenerPorts []int32, path *field.Path, r *Problems) {
	user := gp.Spec.Values
	const why = "with workload Automated Istio deploys the gateway from its own template"
	for _, k := range sortedKeys(user) {
		p := path.Child(k)
		switch k {
		case "kind":
			if values.Kind != "Deployment" {
				r.errorf(p, values.Kind, "%s, always as a Deployment; use workload Chart for a DaemonSet", why)
			}
		case "networkGatewayPorts":
			r.Errors = append(r.Errors, field.Forbidden(p, why+": Istio makes the Service's ports from the Gateway's listeners; remove networkGatewayPorts"))
		case "global":
			global, _ := user[k].(map[string]any)
			for _, g := range sortedKeys(global) {
				r.Errors = append(r.Errors, field.Forbidden(p.Child(g), why+": global values are istiod's (its injection template reads them at installation), not a Gateway's; set them in istiod's values"))
			}
		case "serviceAccount":
			if !values.ServiceAccount.Create {
				r.errorf(p.Child("create"), false, "%s, and always creates the ServiceAccount it runs as; remove create: false (name sets its name)", why)
			}
		case "replicaCount":
			if _, hpa := user["autoscaling"]; hpa && values.Autoscaling.Enabled {
				r.errorf(p, *values.ReplicaCount, "autoscaling is enabled, so the HorizontalPodAutoscaler sets the replicas (the chart ignores replicaCount then); remove one of the two")
			}
		case "labels":
			if n := len(gp.InfrastructureLabels(values)); n > maxInfrastructureLabels {
				r.errorf(p, fmt.Sprintf("%d labels", n), "%s and copies spec.infrastructure.labels to its objects, which the Gateway API limits to %d (networkGateway's label included)", why, maxInfrastructureLabels)
			}
		case "annotations":
			if n := len(values.Annotations); n > maxInfrastructureAnnotations {
				r.errorf(p, fmt.Sprintf("%d annotations", n), "%s and copies spec.infrastructure.annotations to its objects, which the Gateway API limits to %d", why, maxInfrastructureAnnotations)
			}
		case "service":
			validateAutomatedService(user[k], values, listenerPorts, p, r)
		default:
			if !slices.Contains(AutomatedValues, k) {
				r.Errors = append(r.Errors, field.Forbidden(p, why+" and has no place for this value"))
			}
		}
	}
}

func validateAutomatedService(tree any, values *ChartValues, listenerPorts []int32, p *field.Path, r *Problems) {
	service, _ := tree.(map[string]any)
	for _, k := range sortedKeys(service) {
		if !slices.Contains(AutomatedServiceValues, k) {
			r.Errors = append(r.Errors, field.Forbidden(p.Child(k),
				"with workload Automated Istio selects the gateway's pods by their gateway.networking.k8s.io/gateway-name label only; remove "+k))
		}
	}
	if values.Service.Type == "None" {
		r.errorf(p.Child("type"), "None", "with workload Automated Istio always creates the gateway's Service (<gateway>-istio); use ClusterIP, NodePort or LoadBalancer")
	}
	if _, given := service["ports"]; !given {
		return
	}
	for i, port := range values.Service.Ports {
		pp := p.Child("ports").Index(i)
		if port.Port == nil {
			continue
		}
		n := *port.Port
		if listenerPorts != nil && n != StatusPort && !slices.Contains(listenerPorts, n) {
			r.errorf(pp.Child("port"), n, "with workload Automated Istio makes the Service's ports from the Gateway's listeners (and status-port %d); no listener is on port %d, so remove it", StatusPort, n)
		}
		if port.TargetPort != nil && *port.TargetPort != n {
			r.errorf(pp.Child("targetPort"), *port.TargetPort, "with workload Automated Istio's gateway listens on the listener's own port (targetPort = port %d); remove targetPort", n)
		}
		if port.Protocol != "" && port.Protocol != "TCP" {
			r.errorf(pp.Child("protocol"), port.Protocol, "with workload Automated Istio's Service ports are TCP")
		}
	}
}

// automatedListenerPorts are the ports of the pattern's Gateway listeners, for the check of
// service.ports with workload Automated; nil for a pattern that does not list them here.
func (gp *GatewayPattern) automatedListenerPorts() []int32 {
	if gp.Spec.Pattern == EastWest {
		return gp.eastWestListenerPorts()
	}
	if gp.Spec.Pattern == Ingress && gp.Spec.Ingress != nil {
		var ports []int32
		for _, s := range gp.Spec.Ingress.Servers {
			ports = append(ports, s.Port)
		}
		return ports
	}
	return nil
}
