package render

import (
	"maps"
	"slices"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/gatewaypattern/gateway-pattern/krm"
)

// workload renders what `helm template <release> istio/gateway -n <namespace>` renders for the
// resolved chart values: ServiceAccount, Role, RoleBinding, Service, Deployment or DaemonSet,
// HorizontalPodAutoscaler, PodDisruptionBudget and NetworkPolicy, each under the same
// conditions as the chart. Only the labels that Helm alone sets differ (see README).
type workload struct {
	release   string
	namespace string
	v         *krm.ChartValues
}

func (w workload) objects() []*mapping {
	var out []*mapping
	if w.v.ServiceAccount.Create {
		out = append(out, w.serviceAccount())
	}
	if w.v.RBAC.Enabled {
		out = append(out, w.role(), w.roleBinding())
	}
	if w.v.Service.Type != "None" {
		out = append(out, w.service())
	}
	out = append(out, w.deployment())
	if w.v.Autoscaling.Enabled && w.v.Kind == "Deployment" {
		out = append(out, w.horizontalPodAutoscaler())
	}
	if w.hasPodDisruptionBudget() {
		out = append(out, w.podDisruptionBudget())
	}
	if w.v.Global.NetworkPolicy.Enabled {
		out = append(out, w.networkPolicy())
	}
	return out
}

// name is the chart's gateway.name: the name value, or else the release name.
func (w workload) name() string {
	if w.v.Name != "" {
		return w.v.Name
	}
	return w.release
}

// serviceAccountName is the chart's gateway.serviceAccountName.
func (w workload) serviceAccountName() string {
	switch {
	case w.v.ServiceAccount.Name != "":
		return w.v.ServiceAccount.Name
	case w.v.ServiceAccount.Create:
		return w.name()
	default:
		return "default"
	}
}

// PodLabels are the labels that select the gateway's pods: app and istio. The istio label is the
// gateway name without a leading "istio-" (istio-egressgateway -> egressgateway), unless the
// values' labels set either one. A Gateway's selector is these labels.
func PodLabels(release string, v *krm.ChartValues) (app, istio string) {
	w := workload{release: release, v: v}
	app, istio = w.name(), strings.TrimPrefix(w.name(), "istio-")
	if l, ok := v.Labels["app"]; ok && l.String() != "" {
		app = l.String()
	}
	if l, ok := v.Labels["istio"]; ok && l.String() != "" {
		istio = l.String()
	}
	return app, istio
}

// selectorLabels is the chart's gateway.selectorLabels.
func (w workload) selectorLabels() *mapping {
	app, istio := PodLabels(w.release, w.v)
	return newMapping().set("app", app).set("istio", istio)
}

// userLabels are the values' labels other than app and istio, sorted as the chart ranges them.
func (w workload) userLabels() *mapping {
	m := newMapping()
	keys := make([]string, 0, len(w.v.Labels))
	for k := range w.v.Labels {
		if k != "app" && k != "istio" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		m.set(k, w.v.Labels[k].String())
	}
	return m
}

// objectLabels are the labels of every chart object but the NetworkPolicy: the chart's name and
// istio.labels (managed-by is ours), then gateway.labels.
func (w workload) objectLabels() *mapping {
	return newMapping().
		set("app.kubernetes.io/name", w.name()).
		set(krm.ManagedByLabel, krm.ManagedByValue).
		set("app.kubernetes.io/instance", w.release).
		set("app.kubernetes.io/part-of", "istio").
		merge(w.selectorLabels()).
		merge(w.userLabels())
}

func (w workload) metadata(name string, labels *mapping) *mapping {
	return newMapping().set("name", name).set("namespace", w.namespace).set("labels", labels)
}

func object(apiVersion, kind string, metadata *mapping) *mapping {
	return newMapping().set("apiVersion", apiVersion).set("kind", kind).set("metadata", metadata)
}

func (w workload) serviceAccount() *mapping {
	meta := w.metadata(w.serviceAccountName(), w.objectLabels())
	if len(w.v.ServiceAccount.Annotations) > 0 {
		meta.set("annotations", w.v.ServiceAccount.Annotations)
	}
	return object("v1", "ServiceAccount", meta)
}

func (w workload) role() *mapping {
	meta := w.metadata(w.serviceAccountName(), w.objectLabels()).set("annotations", w.v.Annotations)
	rule := newMapping().
		set("apiGroups", []string{""}).
		set("resources", []string{"secrets"}).
		set("verbs", []string{"get", "watch", "list"})
	return object("rbac.authorization.k8s.io/v1", "Role", meta).set("rules", []*mapping{rule})
}

func (w workload) roleBinding() *mapping {
	meta := w.metadata(w.serviceAccountName(), w.objectLabels()).set("annotations", w.v.Annotations)
	return object("rbac.authorization.k8s.io/v1", "RoleBinding", meta).
		set("roleRef", newMapping().
			set("apiGroup", "rbac.authorization.k8s.io").
			set("kind", "Role").
			set("name", w.serviceAccountName())).
		set("subjects", []*mapping{newMapping().set("kind", "ServiceAccount").set("name", w.serviceAccountName())})
}

func (w workload) service() *mapping {
	s := w.v.Service
	labels := w.objectLabels()
	if w.v.NetworkGateway != "" {
		labels.set("topology.istio.io/network", w.v.NetworkGateway)
	}
	// The Service's own annotations win over the top-level ones.
	annotations := map[string]string{}
	for k, v := range w.v.Annotations {
		annotations[k] = v
	}
	for k, v := range s.Annotations {
		annotations[k] = v
	}
	meta := w.metadata(w.name(), labels).set("annotations", annotations)

	spec := newMapping().setIf("loadBalancerIP", s.LoadBalancerIP)
	if s.Type == "LoadBalancer" {
		if s.AllocateLoadBalancerNodePorts != nil {
			spec.set("allocateLoadBalancerNodePorts", *s.AllocateLoadBalancerNodePorts)
		}
		if s.LoadBalancerClass != nil {
			spec.set("loadBalancerClass", *s.LoadBalancerClass)
		}
	}
	spec.setIf("ipFamilyPolicy", s.IPFamilyPolicy).
		setIf("ipFamilies", s.IPFamilies).
		setIf("loadBalancerSourceRanges", s.LoadBalancerSourceRanges).
		setIf("externalTrafficPolicy", s.ExternalTrafficPolicy).
		setIf("internalTrafficPolicy", s.InternalTrafficPolicy)
	if s.HealthCheckNodePort != nil {
		spec.setIf("healthCheckNodePort", *s.HealthCheckNodePort)
	}
	spec.set("type", s.Type).
		setIf("clusterIP", s.ClusterIP).
		set("ports", w.servicePorts()).
		setIf("externalIPs", s.ExternalIPs).
		set("selector", w.selectorLabels().merge(mappingOf(s.SelectorLabels)))
	return object("v1", "Service", meta).set("spec", spec)
}

// servicePorts are the network gateway's ports when networkGateway is set, else service.ports
// as written.
func (w workload) servicePorts() []*mapping {
	var ports []*mapping
	if w.v.NetworkGateway != "" {
		standard := map[string]int32{"status-port": 15021, "tls": 15443, "tls-istiod": 15012, "tls-webhook": 15017}
		for _, name := range krm.NetworkGatewayPortNames {
			p := w.v.NetworkGatewayPorts[name]
			targetPort, protocol := standard[name], "TCP"
			if p.TargetPort != nil && *p.TargetPort != 0 {
				targetPort = *p.TargetPort
			}
			if p.Protocol != "" {
				protocol = p.Protocol
			}
			ports = append(ports, newMapping().
				set("name", name).
				set("port", *p.Port).
				set("targetPort", targetPort).
				set("protocol", protocol))
		}
		return ports
	}
	for _, p := range w.v.Service.Ports {
		// Keys in the order toYaml writes them: sorted.
		m := newMapping().setIf("appProtocol", p.AppProtocol).setIf("name", p.Name)
		if p.NodePort != nil {
			m.set("nodePort", *p.NodePort)
		}
		if p.Port != nil {
			m.set("port", *p.Port)
		}
		m.setIf("protocol", p.Protocol)
		if p.TargetPort != nil {
			m.set("targetPort", *p.TargetPort)
		}
		ports = append(ports, m)
	}
	return ports
}

func (w workload) deployment() *mapping {
	v := w.v
	meta := w.metadata(w.name(), w.objectLabels()).set("annotations", v.Annotations)
	spec := newMapping()
	if !v.Autoscaling.Enabled && v.ReplicaCount != nil {
		spec.set("replicas", *v.ReplicaCount)
	}
	spec.setIf("strategy", v.Strategy.Value)
	if v.MinReadySeconds != nil {
		spec.setIf("minReadySeconds", *v.MinReadySeconds)
	}
	spec.set("selector", newMapping().set("matchLabels", w.selectorLabels())).
		set("template", newMapping().
			set("metadata", w.podMetadata()).
			set("spec", w.podSpec()))
	return object("apps/v1", v.Kind, meta).set("spec", spec)
}

func (w workload) podMetadata() *mapping {
	labels := newMapping().set("sidecar.istio.io/inject", "true")
	if w.v.Revision != "" {
		labels.set("istio.io/rev", w.v.Revision)
	}
	labels.merge(w.selectorLabels()).
		set("app.kubernetes.io/name", w.name()).
		set(krm.ManagedByLabel, krm.ManagedByValue).
		set("app.kubernetes.io/instance", w.release).
		set("app.kubernetes.io/part-of", "istio").
		merge(w.userLabels())
	if w.v.NetworkGateway != "" {
		labels.set("topology.istio.io/network", w.v.NetworkGateway)
	}
	meta := newMapping()
	if len(w.v.PodAnnotations) > 0 {
		meta.set("annotations", w.v.PodAnnotations)
	}
	return meta.set("labels", labels)
}

func (w workload) podSpec() *mapping {
	v := w.v
	spec := newMapping().
		setIf("imagePullSecrets", v.ImagePullSecrets.Value).
		set("serviceAccountName", w.serviceAccountName())
	if v.SecurityContext.IsSet() {
		spec.set("securityContext", v.SecurityContext.Value)
	} else {
		// Lets the non-root proxy bind ports below 1024 (safe since Kubernetes 1.22).
		spec.set("securityContext", newMapping().set("sysctls", []*mapping{
			newMapping().set("name", "net.ipv4.ip_unprivileged_port_start").set("value", "0"),
		}))
	}
	spec.setIf("volumes", v.Volumes.Value).
		setIf("initContainers", v.InitContainers.Value)
	containers := []any{w.proxyContainer().node}
	if list, ok := v.AdditionalContainers.Value.([]any); ok {
		containers = append(containers, list...)
	}
	spec.set("containers", containers).
		setIf("nodeSelector", v.NodeSelector.Value).
		setIf("affinity", v.Affinity.Value).
		setIf("tolerations", v.Tolerations.Value).
		setIf("topologySpreadConstraints", v.TopologySpreadConstraints.Value).
		setIf("dnsPolicy", v.DNSPolicy).
		setIf("dnsConfig", v.DNSConfig.Value)
	if v.TerminationGracePeriodSeconds != nil {
		spec.set("terminationGracePeriodSeconds", *v.TerminationGracePeriodSeconds)
	}
	return spec.setIf("priorityClassName", v.PriorityClassName)
}

func (w workload) proxyContainer() *mapping {
	v := w.v
	c := newMapping().
		set("name", "istio-proxy").
		// "auto": the injector fills in the proxy image when the pod is created.
		set("image", "auto").
		setIf("imagePullPolicy", v.ImagePullPolicy)
	if v.ContainerSecurityContext.IsSet() {
		c.set("securityContext", v.ContainerSecurityContext.Value)
	} else {
		c.set("securityContext", newMapping().
			set("capabilities", newMapping().set("drop", []string{"ALL"})).
			set("allowPrivilegeEscalation", false).
			set("privileged", false).
			set("readOnlyRootFilesystem", true).
			set("runAsNonRoot", true))
	}
	var env []any
	if v.NetworkGateway != "" {
		env = append(env, newMapping().set("name", "ISTIO_META_REQUESTED_NETWORK_VIEW").set("value", v.NetworkGateway).node)
	}
	for _, name := range slices.Sorted(maps.Keys(v.Env)) {
		env = append(env, newMapping().set("name", name).set("value", v.Env[name].String()).node)
	}
	if list, ok := v.EnvVarFrom.Value.([]any); ok {
		env = append(env, list...)
	}
	c.setIf("env", env).
		set("ports", []*mapping{newMapping().
			set("containerPort", 15090).
			set("protocol", "TCP").
			set("name", "http-envoy-prom")}).
		setIf("resources", w.resources()).
		setIf("volumeMounts", v.VolumeMounts.Value).
		setIf("readinessProbe", v.ReadinessProbe.Value).
		setIf("lifecycle", v.Lifecycle.Value)
	return c
}

// resources is the chart's gateway.resources: limits and requests, without empty entries.
func (w workload) resources() *mapping {
	out := newMapping()
	for _, group := range []struct {
		name    string
		entries map[string]*krm.Quantity
	}{{"limits", w.v.Resources.Limits}, {"requests", w.v.Resources.Requests}} {
		m := newMapping()
		for _, name := range slices.Sorted(maps.Keys(group.entries)) {
			if e := group.entries[name]; e != nil && truthy(e.Value) {
				m.set(name, plain(e.String()))
			}
		}
		out.setIf(group.name, m)
	}
	return out
}

func (w workload) horizontalPodAutoscaler() *mapping {
	a := w.v.Autoscaling
	meta := w.metadata(w.name(), w.objectLabels()).set("annotations", w.v.Annotations)
	var metrics []*mapping
	target := func(resource string, percent int32) *mapping {
		return newMapping().set("type", "Resource").set("resource", newMapping().
			set("name", resource).
			set("target", newMapping().set("averageUtilization", percent).set("type", "Utilization")))
	}
	if a.TargetCPUUtilizationPercentage != 0 {
		metrics = append(metrics, target("cpu", a.TargetCPUUtilizationPercentage))
	}
	if a.TargetMemoryUtilizationPercentage.Set {
		metrics = append(metrics, target("memory", a.TargetMemoryUtilizationPercentage.Value))
	}
	spec := newMapping().
		set("scaleTargetRef", newMapping().
			set("apiVersion", "apps/v1").
			set("kind", w.v.Kind).
			set("name", w.name())).
		set("minReplicas", a.MinReplicas).
		set("maxReplicas", a.MaxReplicas)
	if len(metrics) > 0 {
		spec.set("metrics", metrics)
	}
	spec.setIf("behavior", a.AutoscaleBehavior.Value)
	return object("autoscaling/v2", "HorizontalPodAutoscaler", meta).set("spec", spec)
}

// hasPodDisruptionBudget: the chart adds the budget only when more than one replica runs, since
// a budget over a single pod blocks node drains.
func (w workload) hasPodDisruptionBudget() bool {
	v := w.v
	if v.PodDisruptionBudget.IsEmpty() {
		return false
	}
	if v.Autoscaling.Enabled {
		return v.Autoscaling.MinReplicas > 1
	}
	return v.ReplicaCount != nil && *v.ReplicaCount > 1
}

func (w workload) podDisruptionBudget() *mapping {
	p := w.v.PodDisruptionBudget
	spec := newMapping().set("selector", newMapping().set("matchLabels", w.selectorLabels()))
	if p.MaxUnavailable != nil {
		spec.set("maxUnavailable", intOrString(p.MaxUnavailable))
	}
	if p.MinAvailable != nil {
		spec.set("minAvailable", intOrString(p.MinAvailable))
	}
	if p.UnhealthyPodEvictionPolicy != nil {
		spec.set("unhealthyPodEvictionPolicy", *p.UnhealthyPodEvictionPolicy)
	}
	return object("policy/v1", "PodDisruptionBudget", w.metadata(w.name(), w.objectLabels())).set("spec", spec)
}

func intOrString(v *intstr.IntOrString) any {
	if v.Type == intstr.Int {
		return v.IntValue()
	}
	return v.StrVal
}

func (w workload) networkPolicy() *mapping {
	name, rev := w.name(), w.v.Revision
	if rev != "" {
		name += "-" + rev
	} else {
		rev = "default"
	}
	_, istio := PodLabels(w.release, w.v)
	labels := newMapping().
		set("app", w.name()).
		set("istio.io/rev", rev).
		set("install.operator.istio.io/owning-resource", "unknown").
		set("operator.istio.io/component", "Gateway").
		set("istio", istio).
		set("release", w.release).
		set("app.kubernetes.io/name", w.name()).
		merge(w.selectorLabels()).
		merge(w.userLabels()).
		set(krm.ManagedByLabel, krm.ManagedByValue)
	tcp := func(port int32) *mapping { return newMapping().set("protocol", "TCP").set("port", port) }
	rule := func(ports ...*mapping) *mapping { return newMapping().set("ports", ports) }
	ingress := []*mapping{
		rule(tcp(krm.StatusPort)),    // health checks
		rule(tcp(15020), tcp(15090)), // metrics
	}
	for _, p := range w.v.Service.Ports {
		port := p.Port
		if p.TargetPort != nil && *p.TargetPort != 0 {
			port = p.TargetPort
		}
		protocol := p.Protocol
		if protocol == "" {
			protocol = "TCP"
		}
		entry := newMapping().set("protocol", protocol)
		if port != nil {
			entry.set("port", *port)
		}
		ingress = append(ingress, rule(entry))
	}
	spec := newMapping().
		set("podSelector", newMapping().set("matchLabels", w.selectorLabels())).
		set("policyTypes", []string{"Ingress", "Egress"}).
		set("ingress", ingress).
		// Gateways reach istiod, external services and everything in between: allow all egress.
		set("egress", []*mapping{newMapping()})
	return object("networking.k8s.io/v1", "NetworkPolicy", w.metadata(name, labels)).set("spec", spec)
}

// mappingOf turns a string map into a mapping with sorted keys.
func mappingOf(m map[string]string) *mapping {
	out := newMapping()
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out.set(k, m[k])
	}
	return out
}
