package krm

import (
	"k8s.io/apimachinery/pkg/util/intstr"
)

// ChartValues are the values of the istio/gateway Helm chart, as the chart reads them. Every
// field keeps the chart's value name; the comments give the chart's default and what the value
// does. Values the chart copies into the objects verbatim (affinity, tolerations, …) are kept
// exactly as written (Raw) and checked against the Kubernetes type they end up in.
type ChartValues struct {
	// Name overrides the release name (metadata.name of the GatewayPattern). Default "".
	Name string `json:"name"`
	// Revision is the istio.io/rev this gateway belongs to; it is added as a pod label. Default "".
	Revision string `json:"revision"`
	// ReplicaCount sets spec.replicas when autoscaling is off. Default: unset (Kubernetes' 1).
	ReplicaCount *int32 `json:"replicaCount"`
	// Kind is Deployment (default) or DaemonSet.
	Kind string `json:"kind"`
	// RBAC: with enabled (default true) a Role and RoleBinding let the gateway read Secrets for
	// its certificates.
	RBAC RBACValues `json:"rbac"`
	// ServiceAccount the gateway runs as.
	ServiceAccount ServiceAccountValues `json:"serviceAccount"`
	// PodAnnotations are the pod template's annotations. Default: the prometheus.io scrape
	// annotations, inject.istio.io/templates: gateway and sidecar.istio.io/inject: "true".
	PodAnnotations map[string]string `json:"podAnnotations"`
	// SecurityContext of the pod. Default: unset, which lets the gateway bind ports below 1024
	// through the net.ipv4.ip_unprivileged_port_start=0 sysctl.
	SecurityContext Raw `json:"securityContext" kube:"core/v1.PodSecurityContext"`
	// ContainerSecurityContext of the istio-proxy container. Default: unset, which drops every
	// capability and runs non-root with a read-only root filesystem.
	ContainerSecurityContext Raw `json:"containerSecurityContext" kube:"core/v1.SecurityContext"`
	// Service in front of the gateway pods.
	Service ServiceValues `json:"service"`
	// Resources of the istio-proxy container. Default: requests 100m/128Mi, limits 2000m/1024Mi.
	Resources ResourceValues `json:"resources"`
	// Autoscaling with a HorizontalPodAutoscaler (Deployment only). Default: on, 1 to 5 replicas,
	// 80% CPU.
	Autoscaling AutoscalingValues `json:"autoscaling"`
	// Env adds environment variables to the istio-proxy container; every value becomes a string.
	Env map[string]Scalar `json:"env"`
	// EnvVarFrom adds full environment variable entries (with valueFrom) to the container.
	EnvVarFrom Raw `json:"envVarFrom" kube:"[]core/v1.EnvVar"`
	// Strategy is the Deployment's update strategy. Default: unset.
	Strategy Raw `json:"strategy" kube:"apps/v1.DeploymentStrategy"`
	// MinReadySeconds of the Deployment or DaemonSet. Default: unset.
	MinReadySeconds *int32 `json:"minReadySeconds"`
	// ReadinessProbe replaces the probe the injector adds. Default: unset.
	ReadinessProbe Raw `json:"readinessProbe" kube:"core/v1.Probe"`
	// Labels are added to every object and to the pods. Labels app and istio replace the
	// selector labels. Default: istio.io/dataplane-mode: none (keeps the gateway out of ambient).
	Labels map[string]Scalar `json:"labels"`
	// Annotations are added to the Deployment, Service, HorizontalPodAutoscaler, Role and
	// RoleBinding. Default: none.
	Annotations map[string]string `json:"annotations"`
	// NodeSelector of the pods.
	NodeSelector Raw `json:"nodeSelector" kube:"map[string]string"`
	// Tolerations of the pods.
	Tolerations Raw `json:"tolerations" kube:"[]core/v1.Toleration"`
	// TopologySpreadConstraints of the pods.
	TopologySpreadConstraints Raw `json:"topologySpreadConstraints" kube:"[]core/v1.TopologySpreadConstraint"`
	// Affinity of the pods.
	Affinity Raw `json:"affinity" kube:"core/v1.Affinity"`
	// NetworkGateway makes this a network gateway for the named network: the Service takes its
	// ports from networkGatewayPorts, and pods and Service get the topology.istio.io/network label.
	NetworkGateway string `json:"networkGateway"`
	// NetworkGatewayPorts are the Service ports of a network gateway, by port name: status-port
	// 15021, tls 15443, tls-istiod 15012 and tls-webhook 15017.
	NetworkGatewayPorts map[string]NetworkGatewayPort `json:"networkGatewayPorts"`
	// ImagePullPolicy of the istio-proxy container: "", Always, IfNotPresent or Never.
	ImagePullPolicy string `json:"imagePullPolicy"`
	// ImagePullSecrets of the pods.
	ImagePullSecrets Raw `json:"imagePullSecrets" kube:"[]core/v1.LocalObjectReference"`
	// PodDisruptionBudget, when not empty, adds a PodDisruptionBudget with these fields — only
	// when more than one replica runs (autoscaling.minReplicas > 1, or replicaCount > 1).
	PodDisruptionBudget PodDisruptionBudgetValues `json:"podDisruptionBudget"`
	// DNSPolicy of the pods.
	DNSPolicy string `json:"dnsPolicy"`
	// DNSConfig of the pods.
	DNSConfig Raw `json:"dnsConfig" kube:"core/v1.PodDNSConfig"`
	// TerminationGracePeriodSeconds of the pods. Default 30.
	TerminationGracePeriodSeconds *int64 `json:"terminationGracePeriodSeconds"`
	// Volumes added to the pods.
	Volumes Raw `json:"volumes" kube:"[]core/v1.Volume"`
	// VolumeMounts added to the istio-proxy container.
	VolumeMounts Raw `json:"volumeMounts" kube:"[]core/v1.VolumeMount"`
	// InitContainers added to the pods.
	InitContainers Raw `json:"initContainers" kube:"[]core/v1.Container"`
	// AdditionalContainers added to the pods after istio-proxy.
	AdditionalContainers Raw `json:"additionalContainers" kube:"[]core/v1.Container"`
	// PriorityClassName of the pods.
	PriorityClassName string `json:"priorityClassName"`
	// Lifecycle hooks of the istio-proxy container.
	Lifecycle Raw `json:"lifecycle" kube:"core/v1.Lifecycle"`
	// Global holds values shared by all Istio charts. Only networkPolicy.enabled changes this
	// chart's output (a NetworkPolicy for the gateway); keys that name a value of this chart act
	// as that value's default, as in the chart.
	Global GlobalValues `json:"global"`

	// Profile, Platform and CompatibilityVersion select the chart's value presets. They are
	// checked like the chart checks them; none of the presets changes a gateway value today.
	Profile              string `json:"profile"`
	Platform             string `json:"platform"`
	CompatibilityVersion string `json:"compatibilityVersion"`

	// Enabled, DefaultRevision, Pilot, RunAsRoot and UnprivilegedPort are accepted by the chart's
	// schema but read by none of its templates; they are accepted and have no effect.
	Enabled          *bool  `json:"enabled"`
	DefaultRevision  string `json:"defaultRevision"`
	Pilot            any    `json:"pilot"`
	RunAsRoot        *bool  `json:"runAsRoot"`
	UnprivilegedPort any    `json:"unprivilegedPort"`
}

// RBACValues is the chart's rbac block.
type RBACValues struct {
	// Enabled creates the Role and RoleBinding. Default true.
	Enabled bool `json:"enabled"`
}

// ServiceAccountValues is the chart's serviceAccount block.
type ServiceAccountValues struct {
	// Create the ServiceAccount. Default true.
	Create bool `json:"create"`
	// Annotations of the ServiceAccount.
	Annotations map[string]string `json:"annotations"`
	// Name of the ServiceAccount. Default: the gateway name when created, "default" otherwise.
	Name string `json:"name"`
}

// ServiceValues is the chart's service block.
type ServiceValues struct {
	// Type is LoadBalancer (chart default), ClusterIP, NodePort, or None for no Service at all.
	Type string `json:"type"`
	// ClusterIP to request, or "" for automatic assignment.
	ClusterIP string `json:"clusterIP"`
	// SelectorLabels are added to the Service selector.
	SelectorLabels map[string]string `json:"selectorLabels"`
	// Ports of the Service (ignored for a network gateway). Default: status-port 15021, http2 80,
	// https 443. A list given here replaces the default list.
	Ports []ServicePort `json:"ports"`
	// Annotations of the Service; they win over the top-level annotations.
	Annotations map[string]string `json:"annotations"`
	// LoadBalancerIP to request.
	LoadBalancerIP string `json:"loadBalancerIP"`
	// LoadBalancerSourceRanges restricts the client CIDRs of a load balancer.
	LoadBalancerSourceRanges []string `json:"loadBalancerSourceRanges"`
	// ExternalTrafficPolicy is "", Cluster or Local.
	ExternalTrafficPolicy string `json:"externalTrafficPolicy"`
	// InternalTrafficPolicy is "", Cluster or Local.
	InternalTrafficPolicy string `json:"internalTrafficPolicy"`
	// HealthCheckNodePort for externalTrafficPolicy Local.
	HealthCheckNodePort *int32 `json:"healthCheckNodePort"`
	// ExternalIPs of the Service.
	ExternalIPs []string `json:"externalIPs"`
	// IPFamilyPolicy is "", SingleStack, PreferDualStack or RequireDualStack.
	IPFamilyPolicy string `json:"ipFamilyPolicy"`
	// IPFamilies: IPv4 and/or IPv6.
	IPFamilies []string `json:"ipFamilies"`
	// AllocateLoadBalancerNodePorts (LoadBalancer only). Default: unset.
	AllocateLoadBalancerNodePorts *bool `json:"allocateLoadBalancerNodePorts"`
	// LoadBalancerClass (LoadBalancer only). Default: unset.
	LoadBalancerClass *string `json:"loadBalancerClass"`
}

// ServicePort is one port of the gateway Service, copied into the Service as written.
type ServicePort struct {
	// Name of the port, such as http2 or https. Istio reads the protocol from it.
	Name string `json:"name,omitempty"`
	// Port the Service exposes. Required.
	Port *int32 `json:"port,omitempty"`
	// Protocol is TCP (Kubernetes default), UDP or SCTP.
	Protocol string `json:"protocol,omitempty"`
	// TargetPort on the pod. Default: the same as port.
	TargetPort *int32 `json:"targetPort,omitempty"`
	// NodePort for NodePort and LoadBalancer Services (30000-32767); unset lets Kubernetes pick.
	NodePort *int32 `json:"nodePort,omitempty"`
	// AppProtocol of the port.
	AppProtocol string `json:"appProtocol,omitempty"`
}

// ResourceValues are the istio-proxy container's resources; an empty value drops that entry.
type ResourceValues struct {
	// Limits by resource name (cpu, memory, …). Default: cpu 2000m, memory 1024Mi.
	Limits map[string]*Quantity `json:"limits"`
	// Requests by resource name (cpu, memory, …). Default: cpu 100m, memory 128Mi.
	Requests map[string]*Quantity `json:"requests"`
}

// AutoscalingValues is the chart's autoscaling block.
type AutoscalingValues struct {
	// Enabled adds a HorizontalPodAutoscaler and leaves spec.replicas to it. Default true.
	Enabled bool `json:"enabled"`
	// MinReplicas. Default 1.
	MinReplicas int32 `json:"minReplicas"`
	// MaxReplicas. Default 5.
	MaxReplicas int32 `json:"maxReplicas"`
	// TargetCPUUtilizationPercentage; 0 adds no CPU metric. Default 80.
	TargetCPUUtilizationPercentage int32 `json:"targetCPUUtilizationPercentage"`
	// TargetMemoryUtilizationPercentage; unset (the chart writes {}) adds no memory metric.
	TargetMemoryUtilizationPercentage OptionalInt `json:"targetMemoryUtilizationPercentage"`
	// AutoscaleBehavior is the HorizontalPodAutoscaler's behavior.
	AutoscaleBehavior Raw `json:"autoscaleBehavior" kube:"autoscaling/v2.HorizontalPodAutoscalerBehavior"`
}

// NetworkGatewayPort is one Service port of a network gateway.
type NetworkGatewayPort struct {
	// Port the Service exposes. Required.
	Port *int32 `json:"port"`
	// TargetPort on the pod. Default: the port's standard number.
	TargetPort *int32 `json:"targetPort"`
	// Protocol. Default TCP.
	Protocol string `json:"protocol"`
}

// NetworkGatewayPortNames are the ports of a network gateway, in the order the Service lists them.
var NetworkGatewayPortNames = []string{"status-port", "tls", "tls-istiod", "tls-webhook"}

// PodDisruptionBudgetValues become the PodDisruptionBudget's spec.
type PodDisruptionBudgetValues struct {
	// MinAvailable pods (a number or a percentage such as "50%"); not with maxUnavailable.
	MinAvailable *intstr.IntOrString `json:"minAvailable,omitempty"`
	// MaxUnavailable pods (a number or a percentage); not with minAvailable.
	MaxUnavailable *intstr.IntOrString `json:"maxUnavailable,omitempty"`
	// UnhealthyPodEvictionPolicy is IfHealthyBudget or AlwaysAllow.
	UnhealthyPodEvictionPolicy *string `json:"unhealthyPodEvictionPolicy,omitempty"`
}

// IsEmpty reports whether no field is set, which is how the chart switches the budget off.
func (p PodDisruptionBudgetValues) IsEmpty() bool {
	return p.MinAvailable == nil && p.MaxUnavailable == nil && p.UnhealthyPodEvictionPolicy == nil
}

// GlobalValues are the chart's global values.
type GlobalValues struct {
	NetworkPolicy NetworkPolicyValues `json:"networkPolicy"`
	// Other holds the rest of global, shared with Istio's other charts.
	Other map[string]any `json:"-"`
}

// NetworkPolicyValues is global.networkPolicy.
type NetworkPolicyValues struct {
	// Enabled adds a NetworkPolicy for the gateway pods. Default false.
	Enabled bool `json:"enabled"`
}
