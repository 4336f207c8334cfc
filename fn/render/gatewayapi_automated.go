package render

import (
	"bytes"
	"maps"
	"slices"

	yaml "go.yaml.in/yaml/v3"

	"github.com/gatewaypattern/gateway-pattern/krm"
)

// Workload Automated: Istio deploys the gateway from istiod's template (kube-gateway.yaml) and
// reads what the chart values say from where Istio's "Gateway deployment customization" puts it
// (krm/gatewayapi_automated.go lists each value's place and refuses the rest):
//   - the Gateway's metadata: networking.istio.io/service-type (the Service's type, which
//     Istio's template reads from the Gateway's annotations), gateway.istio.io/service-account
//     (serviceAccount.name), label istio.io/rev (revision: which istiod deploys it);
//   - spec.infrastructure.labels and annotations, which Istio copies to every object it creates
//     and to the pods, as the chart copies labels and annotations;
//   - spec.infrastructure.parametersRef, a ConfigMap in the gateway's namespace named after the
//     gateway, whose deployment, service, serviceAccount, horizontalPodAutoscaler and
//     podDisruptionBudget keys Istio applies to its objects as strategic-merge patches
//     (deploymentcontroller.go, applyOverlay). Istio creates the HorizontalPodAutoscaler and the
//     PodDisruptionBudget only when their patch is there.
// What the values do not say is Istio's default, not the chart's: one replica and no
// HorizontalPodAutoscaler unless autoscaling is written, Istio's proxy resources unless
// resources is written.

// Annotations and labels Istio reads from an automatically deployed Gateway.
const (
	serviceTypeAnnotation    = "networking.istio.io/service-type"
	serviceAccountAnnotation = "gateway.istio.io/service-account"
	revisionLabel            = "istio.io/rev"
)

// requestedNetworkView is the proxy's environment variable that limits a gateway to the endpoints
// of its own network.
const requestedNetworkView = "ISTIO_META_REQUESTED_NETWORK_VIEW"

// automatedGateway adds to an automatically deployed Gateway what the values say of its
// workload: the annotations and labels Istio reads, and spec.infrastructure.
func automatedGateway(gw *mapping, gp *krm.GatewayPattern, values *krm.ChartValues) {
	meta := &mapping{child(gw.node, "metadata")}
	labels := &mapping{child(meta.node, "labels")} // before the annotations, as on every object
	if values.Revision != "" {
		labels.set(revisionLabel, values.Revision)
	}
	annotations := newMapping().set(serviceTypeAnnotation, values.Service.Type)
	if _, named := userValues(gp, "serviceAccount")["name"]; named && values.ServiceAccount.Name != "" {
		annotations.set(serviceAccountAnnotation, values.ServiceAccount.Name)
	}
	meta.set("annotations", annotations)
	infra := newMapping().
		setIf("labels", mappingOf(gp.InfrastructureLabels(values))).
		setIf("annotations", mappingOf(values.Annotations))
	if automatedPatches(gp, values) != nil {
		infra.set("parametersRef", newMapping().
			set("group", "").
			set("kind", "ConfigMap").
			set("name", gp.GatewayName(values)))
	}
	spec := &mapping{child(gw.node, "spec")}
	spec.setIf("infrastructure", infra)
}

// gatewayAPIWorkload returns the objects a Gateway's workload needs besides the Gateway itself:
// with workload Automated, the parametersRef ConfigMap when the values patch Istio's objects;
// nothing with the chart's workload (Objects renders it).
func gatewayAPIWorkload(gp *krm.GatewayPattern, values *krm.ChartValues) []*mapping {
	if !gp.IsAutomated() {
		return nil
	}
	patches := automatedPatches(gp, values)
	if patches == nil {
		return nil
	}
	data := newMapping()
	for _, key := range []string{"deployment", "service", "serviceAccount", "horizontalPodAutoscaler", "podDisruptionBudget"} {
		if p, ok := patches[key]; ok {
			data.set(key, yamlText(p))
		}
	}
	meta := newMapping().set("name", gp.GatewayName(values)).set("namespace", gp.Metadata.Namespace)
	return []*mapping{object("v1", "ConfigMap", meta).set("data", data)}
}

// yamlText is a patch as the text a ConfigMap carries.
func yamlText(m *mapping) string {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(m.node); err != nil {
		panic(err) // a tree of mappings, sequences and scalars always encodes
	}
	return b.String()
}

// userValues is spec.values[key] as the user wrote it, when it is an object.
func userValues(gp *krm.GatewayPattern, key string) map[string]any {
	m, _ := gp.Spec.Values[key].(map[string]any)
	return m
}

// automatedPatches are the strategic-merge patches of Istio's objects the values ask for, by
// the ConfigMap key Istio reads each from; nil when there are none.
func automatedPatches(gp *krm.GatewayPattern, values *krm.ChartValues) map[string]*mapping {
	written := func(key string) bool { _, ok := gp.Spec.Values[key]; return ok }
	w := workload{release: gp.Metadata.Name, namespace: gp.Metadata.Namespace, v: values}
	patches := map[string]*mapping{}

	// The istio-proxy container, merged by name into Istio's.
	proxy := newMapping().set("name", "istio-proxy")
	if written("resources") {
		proxy.setIf("resources", w.resources())
	}
	var env []any
	// The chart sets ISTIO_META_REQUESTED_NETWORK_VIEW from networkGateway, so that a network's
	// gateway sends traffic only to endpoints of its own network; Istio's template for class
	// istio (kube-gateway.yaml) sets only ISTIO_META_NETWORK from the network label (its waypoint
	// template sets both, for class istio-east-west), so a sidecar-mode gateway gets it here.
	if _, own := values.Env[requestedNetworkView]; values.NetworkGateway != "" && gp.Spec.Mode != krm.ModeAmbient && !own {
		env = append(env, map[string]any{"name": requestedNetworkView, "value": values.NetworkGateway})
	}
	if written("env") || written("envVarFrom") {
		for _, name := range slices.Sorted(maps.Keys(values.Env)) {
			env = append(env, map[string]any{"name": name, "value": toNode(values.Env[name].String())})
		}
		if list, ok := values.EnvVarFrom.Value.([]any); ok {
			env = append(env, list...)
		}
	}
	proxy.setIf("env", env)
	proxy.
		setIf("securityContext", values.ContainerSecurityContext.Value).
		setIf("readinessProbe", values.ReadinessProbe.Value).
		setIf("volumeMounts", values.VolumeMounts.Value).
		setIf("lifecycle", values.Lifecycle.Value).
		setIf("imagePullPolicy", values.ImagePullPolicy)
	containers := []any{}
	if len(proxy.node.Content) > 2 {
		containers = append(containers, proxy)
	}
	if extra, ok := values.AdditionalContainers.Value.([]any); ok {
		containers = append(containers, extra...)
	}

	pod := newMapping().
		setIf("securityContext", values.SecurityContext.Value).
		setIf("nodeSelector", values.NodeSelector.Value).
		setIf("tolerations", values.Tolerations.Value).
		setIf("topologySpreadConstraints", values.TopologySpreadConstraints.Value).
		setIf("affinity", values.Affinity.Value).
		setIf("imagePullSecrets", values.ImagePullSecrets.Value).
		setIf("dnsPolicy", values.DNSPolicy).
		setIf("dnsConfig", values.DNSConfig.Value).
		setIf("priorityClassName", values.PriorityClassName).
		setIf("volumes", values.Volumes.Value).
		setIf("initContainers", values.InitContainers.Value)
	if written("terminationGracePeriodSeconds") && values.TerminationGracePeriodSeconds != nil {
		pod.set("terminationGracePeriodSeconds", *values.TerminationGracePeriodSeconds)
	}
	pod.setIf("containers", containers)
	template := newMapping()
	if written("podAnnotations") {
		template.setIf("metadata", newMapping().setIf("annotations", userValues(gp, "podAnnotations")))
	}
	template.setIf("spec", pod)
	deployment := newMapping()
	if written("replicaCount") && values.ReplicaCount != nil {
		deployment.set("replicas", *values.ReplicaCount)
	}
	if written("minReadySeconds") && values.MinReadySeconds != nil {
		deployment.set("minReadySeconds", *values.MinReadySeconds)
	}
	deployment.setIf("strategy", values.Strategy.Value).setIf("template", template)
	if truthy(deployment) {
		patches["deployment"] = newMapping().set("spec", deployment)
	}

	service := userValues(gp, "service")
	s := values.Service
	svcSpec := newMapping().
		setIf("clusterIP", s.ClusterIP).
		setIf("loadBalancerIP", s.LoadBalancerIP).
		setIf("loadBalancerSourceRanges", s.LoadBalancerSourceRanges).
		setIf("externalTrafficPolicy", s.ExternalTrafficPolicy).
		setIf("internalTrafficPolicy", s.InternalTrafficPolicy).
		setIf("externalIPs", s.ExternalIPs).
		setIf("ipFamilyPolicy", s.IPFamilyPolicy).
		setIf("ipFamilies", s.IPFamilies)
	if s.HealthCheckNodePort != nil {
		svcSpec.set("healthCheckNodePort", *s.HealthCheckNodePort)
	}
	if s.AllocateLoadBalancerNodePorts != nil {
		svcSpec.set("allocateLoadBalancerNodePorts", *s.AllocateLoadBalancerNodePorts)
	}
	if s.LoadBalancerClass != nil {
		svcSpec.set("loadBalancerClass", *s.LoadBalancerClass)
	}
	if _, given := service["ports"]; given {
		// Istio makes the ports from the listeners; a patch entry (merged by port) adds the
		// node port a port asks for.
		var ports []*mapping
		for _, p := range s.Ports {
			if p.Port != nil && p.NodePort != nil {
				ports = append(ports, newMapping().set("port", *p.Port).set("nodePort", *p.NodePort))
			}
		}
		svcSpec.setIf("ports", ports)
	}
	svc := newMapping()
	if _, given := service["annotations"]; given {
		svc.setIf("metadata", newMapping().setIf("annotations", s.Annotations))
	}
	svc.setIf("spec", svcSpec)
	if truthy(svc) {
		patches["service"] = svc
	}

	if a := userValues(gp, "serviceAccount")["annotations"]; a != nil {
		patches["serviceAccount"] = newMapping().set("metadata", newMapping().setIf("annotations", values.ServiceAccount.Annotations))
	}

	if written("autoscaling") && values.Autoscaling.Enabled {
		hpa := w.horizontalPodAutoscaler()
		spec := &mapping{child(hpa.node, "spec")}
		// Istio's HPA already targets its Deployment; the patch sets the rest.
		patch := newMapping().
			set("minReplicas", values.Autoscaling.MinReplicas).
			set("maxReplicas", values.Autoscaling.MaxReplicas)
		if i := indexOf(spec, "metrics"); i >= 0 {
			patch.set("metrics", spec.node.Content[i+1])
		}
		patch.setIf("behavior", values.Autoscaling.AutoscaleBehavior.Value)
		patches["horizontalPodAutoscaler"] = newMapping().set("spec", patch)
	}
	// As the chart: a budget only when more than one replica runs, since one over a single pod
	// blocks node drains.
	if written("podDisruptionBudget") && !values.PodDisruptionBudget.IsEmpty() && automatedMinReplicas(gp, values) > 1 {
		pdb := w.podDisruptionBudget()
		spec := &mapping{child(pdb.node, "spec")}
		patch := newMapping()
		for _, key := range []string{"maxUnavailable", "minAvailable", "unhealthyPodEvictionPolicy"} {
			if i := indexOf(spec, key); i >= 0 {
				patch.set(key, spec.node.Content[i+1])
			}
		}
		patches["podDisruptionBudget"] = newMapping().set("spec", patch)
	}
	if len(patches) == 0 {
		return nil
	}
	return patches
}

func indexOf(m *mapping, key string) int {
	for i := 0; i+1 < len(m.node.Content); i += 2 {
		if m.node.Content[i].Value == key {
			return i
		}
	}
	return -1
}

// automatedMinReplicas is the fewest replicas Istio's Deployment runs with the values: the
// HorizontalPodAutoscaler's minimum when autoscaling is written and enabled, else replicaCount
// when written, else Istio's one.
func automatedMinReplicas(gp *krm.GatewayPattern, values *krm.ChartValues) int32 {
	if _, ok := gp.Spec.Values["autoscaling"]; ok && values.Autoscaling.Enabled {
		return values.Autoscaling.MinReplicas
	}
	if _, ok := gp.Spec.Values["replicaCount"]; ok && values.ReplicaCount != nil {
		return *values.ReplicaCount
	}
	return 1
}
