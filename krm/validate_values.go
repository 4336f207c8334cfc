package krm

import (
	"fmt"
	"net/netip"
	"slices"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The choices the chart's schema (or, where the schema is silent, Kubernetes) accepts.
var (
	workloadKinds       = []string{"Deployment", "DaemonSet"}
	serviceTypes        = []string{"LoadBalancer", "ClusterIP", "NodePort", "None"}
	ipFamilyPolicies    = []string{"", "SingleStack", "PreferDualStack", "RequireDualStack"}
	ipFamilies          = []string{"IPv4", "IPv6"}
	trafficPolicies     = []string{"", "Cluster", "Local"}
	imagePullPolicies   = []string{"", "Always", "IfNotPresent", "Never"}
	evictionPolicies    = []string{"", "IfHealthyBudget", "AlwaysAllow"}
	dnsPolicies         = []string{"", "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"}
	portProtocols       = []string{"TCP", "UDP", "SCTP"}
	chartProfiles       = []string{"ambient", "demo", "preview", "remote", "stable"}
	chartPlatforms      = []string{"gke", "k3d", "k3s", "microk8s", "minikube", "openshift"}
	chartCompatVersions = []string{"1.25", "1.26", "1.27", "1.28", "1.29", "1.30"}
)

// StatusPort is the gateway's health-check port, which load balancers probe.
const StatusPort = 15021

// labelsTheChartSets are the labels every workload object already carries: a user label with one
// of these names would be written twice into the same object.
var labelsTheChartSets = []string{
	"app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/part-of",
	"app.kubernetes.io/managed-by", "app.kubernetes.io/version", "helm.sh/chart",
	"sidecar.istio.io/inject", "istio.io/rev", "topology.istio.io/network",
}

// validateChartValues checks the resolved values the way the chart's schema and templates do,
// and refuses what the chart would render into an object Kubernetes rejects.
func validateChartValues(v *ChartValues, path *field.Path, r *Problems) {
	oneOf(v.Kind, workloadKinds, path.Child("kind"), r)
	oneOf(v.ImagePullPolicy, imagePullPolicies, path.Child("imagePullPolicy"), r)
	oneOf(v.DNSPolicy, dnsPolicies, path.Child("dnsPolicy"), r)
	if v.Profile != "" {
		oneOf(v.Profile, chartProfiles, path.Child("profile"), r)
	}
	if v.Platform != "" {
		oneOf(v.Platform, chartPlatforms, path.Child("platform"), r)
	}
	if v.CompatibilityVersion != "" {
		oneOf(v.CompatibilityVersion, chartCompatVersions, path.Child("compatibilityVersion"), r)
	}
	if v.Revision != "" {
		for _, msg := range validation.IsValidLabelValue(v.Revision) {
			r.errorf(path.Child("revision"), v.Revision, "%s (it becomes the istio.io/rev label)", msg)
		}
	}
	if v.Kind == "DaemonSet" {
		if !v.Autoscaling.Enabled && v.ReplicaCount != nil {
			r.errorf(path.Child("replicaCount"), *v.ReplicaCount, "a DaemonSet runs one pod per node and has no replicas; remove replicaCount or use kind: Deployment")
		}
		if v.Strategy.IsSet() {
			r.errorf(path.Child("strategy"), "", "a DaemonSet has no strategy (it has updateStrategy); remove strategy or use kind: Deployment")
		}
	}
	if v.ReplicaCount != nil && *v.ReplicaCount < 0 {
		r.errorf(path.Child("replicaCount"), *v.ReplicaCount, "must be 0 or more")
	}
	if v.MinReadySeconds != nil && *v.MinReadySeconds < 0 {
		r.errorf(path.Child("minReadySeconds"), *v.MinReadySeconds, "must be 0 or more")
	}
	if t := v.TerminationGracePeriodSeconds; t != nil && *t < 0 {
		r.errorf(path.Child("terminationGracePeriodSeconds"), *t, "must be 0 or more")
	}
	if v.ServiceAccount.Name != "" {
		for _, msg := range validation.IsDNS1123Subdomain(v.ServiceAccount.Name) {
			r.errorf(path.Child("serviceAccount", "name"), v.ServiceAccount.Name, "%s", msg)
		}
	}
	if v.NetworkGateway != "" {
		for _, msg := range validation.IsValidLabelValue(v.NetworkGateway) {
			r.errorf(path.Child("networkGateway"), v.NetworkGateway, "%s (it becomes the topology.istio.io/network label)", msg)
		}
	}
	validateLabels(v.Labels, path.Child("labels"), r)
	validateAnnotations(v.Annotations, path.Child("annotations"), r)
	validateAnnotations(v.PodAnnotations, path.Child("podAnnotations"), r)
	validateAnnotations(v.ServiceAccount.Annotations, path.Child("serviceAccount", "annotations"), r)
	validateAnnotations(v.Service.Annotations, path.Child("service", "annotations"), r)
	validateService(v, path, r)
	validateNetworkGatewayPortNames(v, path.Child("networkGatewayPorts"), r)
	validateAutoscaling(v.Autoscaling, path.Child("autoscaling"), r)
	validatePodDisruptionBudget(v.PodDisruptionBudget, path.Child("podDisruptionBudget"), r)
	validateEnvVarFrom(v, path.Child("envVarFrom"), r)
	warnIneffective(v, path, r)
}

func oneOf(value string, allowed []string, path *field.Path, r *Problems) {
	if !slices.Contains(allowed, value) {
		r.Errors = append(r.Errors, field.NotSupported(path, value, nonEmpty(allowed)))
	}
}

func nonEmpty(values []string) []string {
	return slices.DeleteFunc(slices.Clone(values), func(s string) bool { return s == "" })
}

func validateLabels(labels map[string]Scalar, path *field.Path, r *Problems) {
	for _, key := range sortedKeys(labels) {
		for _, msg := range validation.IsQualifiedName(key) {
			r.errorf(path.Key(key), key, "label name %s", msg)
		}
		value := labels[key].String()
		for _, msg := range validation.IsValidLabelValue(value) {
			r.errorf(path.Key(key), value, "%s", msg)
		}
		if (key == "app" || key == "istio") && value == "" {
			r.errorf(path.Key(key), value, "must not be empty: it selects the gateway pods; remove it to use the default")
		}
		if slices.Contains(labelsTheChartSets, key) {
			r.errorf(path.Key(key), value, "the chart sets this label itself; remove it from labels")
		}
	}
}

func validateAnnotations(annotations map[string]string, path *field.Path, r *Problems) {
	for _, key := range sortedKeys(annotations) {
		for _, msg := range validation.IsQualifiedName(key) {
			r.errorf(path.Key(key), key, "annotation name %s", msg)
		}
	}
}

// validateService checks the service block; valuesPath is the path of the values.
func validateService(v *ChartValues, valuesPath *field.Path, r *Problems) {
	s := v.Service
	path := valuesPath.Child("service")
	oneOf(s.Type, serviceTypes, path.Child("type"), r)
	oneOf(s.IPFamilyPolicy, ipFamilyPolicies, path.Child("ipFamilyPolicy"), r)
	oneOf(s.ExternalTrafficPolicy, trafficPolicies, path.Child("externalTrafficPolicy"), r)
	oneOf(s.InternalTrafficPolicy, trafficPolicies, path.Child("internalTrafficPolicy"), r)
	for i, family := range s.IPFamilies {
		oneOf(family, ipFamilies, path.Child("ipFamilies").Index(i), r)
	}
	if s.ClusterIP != "" && s.ClusterIP != "None" {
		if _, err := netip.ParseAddr(s.ClusterIP); err != nil {
			r.errorf(path.Child("clusterIP"), s.ClusterIP, "must be an IP address, \"None\" or \"\" (assigned by Kubernetes)")
		}
	}
	if s.LoadBalancerIP != "" {
		if _, err := netip.ParseAddr(s.LoadBalancerIP); err != nil {
			r.errorf(path.Child("loadBalancerIP"), s.LoadBalancerIP, "must be an IP address")
		}
	}
	for i, ip := range s.ExternalIPs {
		if _, err := netip.ParseAddr(ip); err != nil {
			r.errorf(path.Child("externalIPs").Index(i), ip, "must be an IP address")
		}
	}
	for i, cidr := range s.LoadBalancerSourceRanges {
		if _, err := netip.ParsePrefix(cidr); err != nil {
			r.errorf(path.Child("loadBalancerSourceRanges").Index(i), cidr, "must be a CIDR such as 203.0.113.0/24")
		}
	}
	if s.HealthCheckNodePort != nil {
		checkPortNumber(*s.HealthCheckNodePort, path.Child("healthCheckNodePort"), r)
	}
	if s.Type == "None" {
		return
	}
	if v.NetworkGateway != "" {
		validateNetworkGatewayPorts(v, valuesPath.Child("networkGatewayPorts"), r)
		return
	}
	validateServicePorts(s, path.Child("ports"), r)
}

func validateServicePorts(s ServiceValues, path *field.Path, r *Problems) {
	if len(s.Ports) == 0 {
		r.Errors = append(r.Errors, field.Required(path, "the Service needs at least one port (the chart fails without); leave service.ports out to get the defaults"))
		return
	}
	names := map[string]int{}
	numbers := map[string]int{}
	hasStatusPort := false
	for i, port := range s.Ports {
		p := path.Index(i)
		if port.Name == "" && len(s.Ports) > 1 {
			r.Errors = append(r.Errors, field.Required(p.Child("name"), "every port of a Service with several ports needs a name, such as http2 or https"))
		}
		if port.Name != "" {
			for _, msg := range validation.IsDNS1123Label(port.Name) {
				r.errorf(p.Child("name"), port.Name, "%s", msg)
			}
			if first, seen := names[port.Name]; seen {
				r.Errors = append(r.Errors, field.Duplicate(p.Child("name"), fmt.Sprintf("%s (also ports[%d])", port.Name, first)))
			}
			names[port.Name] = i
		}
		protocol := port.Protocol
		if protocol == "" {
			protocol = "TCP"
		} else {
			oneOf(port.Protocol, portProtocols, p.Child("protocol"), r)
		}
		if port.Port == nil {
			r.Errors = append(r.Errors, field.Required(p.Child("port"), "the port number the Service exposes"))
		} else {
			checkPortNumber(*port.Port, p.Child("port"), r)
			key := fmt.Sprintf("%d/%s", *port.Port, protocol)
			if first, seen := numbers[key]; seen {
				r.Errors = append(r.Errors, field.Duplicate(p.Child("port"), fmt.Sprintf("%s (also ports[%d])", key, first)))
			}
			numbers[key] = i
			hasStatusPort = hasStatusPort || *port.Port == StatusPort
		}
		if port.TargetPort != nil {
			checkPortNumber(*port.TargetPort, p.Child("targetPort"), r)
		}
		if port.NodePort != nil {
			if s.Type != "NodePort" && s.Type != "LoadBalancer" {
				r.errorf(p.Child("nodePort"), *port.NodePort, "only a NodePort or LoadBalancer Service has node ports (service.type is %s)", s.Type)
			} else if n := *port.NodePort; n < 30000 || n > 32767 {
				r.errorf(p.Child("nodePort"), n, "must be in Kubernetes' default node port range 30000-32767")
			}
		}
	}
	if !hasStatusPort {
		r.warnf(path, StatusPort, "no port %d (status-port): load balancers and health checks cannot probe the gateway's readiness; add {name: status-port, port: 15021, targetPort: 15021}", StatusPort)
	}
}

// validateNetworkGatewayPortNames refuses a port name the chart never reads (a typo would be
// silently ignored), whether or not networkGateway is set.
func validateNetworkGatewayPortNames(v *ChartValues, path *field.Path, r *Problems) {
	for _, name := range sortedKeys(v.NetworkGatewayPorts) {
		if !slices.Contains(NetworkGatewayPortNames, name) {
			r.Errors = append(r.Errors, field.NotSupported(path.Key(name), name, NetworkGatewayPortNames))
		}
		if p := v.NetworkGatewayPorts[name]; p.Protocol != "" {
			oneOf(p.Protocol, portProtocols, path.Key(name).Child("protocol"), r)
		}
	}
}

func validateNetworkGatewayPorts(v *ChartValues, path *field.Path, r *Problems) {
	for _, name := range NetworkGatewayPortNames {
		port, ok := v.NetworkGatewayPorts[name]
		p := path.Key(name)
		switch {
		case !ok:
			r.Errors = append(r.Errors, field.Required(p, "required when networkGateway is set"))
		case port.Port == nil:
			r.Errors = append(r.Errors, field.Required(p.Child("port"), "required when networkGateway is set"))
		default:
			checkPortNumber(*port.Port, p.Child("port"), r)
		}
		if ok && port.TargetPort != nil {
			checkPortNumber(*port.TargetPort, p.Child("targetPort"), r)
		}
	}
}

func checkPortNumber(port int32, path *field.Path, r *Problems) {
	for _, msg := range validation.IsValidPortNum(int(port)) {
		r.errorf(path, port, "%s", msg)
	}
}

func validateAutoscaling(a AutoscalingValues, path *field.Path, r *Problems) {
	if !a.Enabled {
		return
	}
	if a.MinReplicas < 1 {
		r.errorf(path.Child("minReplicas"), a.MinReplicas, "must be 1 or more")
	}
	if a.MaxReplicas < a.MinReplicas {
		r.errorf(path.Child("maxReplicas"), a.MaxReplicas, "must not be less than minReplicas (%d)", a.MinReplicas)
	}
	if a.TargetCPUUtilizationPercentage < 0 {
		r.errorf(path.Child("targetCPUUtilizationPercentage"), a.TargetCPUUtilizationPercentage, "must be 1 or more, or 0 for no CPU target")
	}
	if a.TargetMemoryUtilizationPercentage.Value < 0 {
		r.errorf(path.Child("targetMemoryUtilizationPercentage"), a.TargetMemoryUtilizationPercentage.Value, "must be 1 or more, or {} for no memory target")
	}
}

func validatePodDisruptionBudget(p PodDisruptionBudgetValues, path *field.Path, r *Problems) {
	if p.MinAvailable != nil && p.MaxUnavailable != nil {
		r.errorf(path.Child("maxUnavailable"), p.MaxUnavailable.String(), "set minAvailable or maxUnavailable, not both")
	}
	if p.UnhealthyPodEvictionPolicy != nil {
		oneOf(*p.UnhealthyPodEvictionPolicy, evictionPolicies, path.Child("unhealthyPodEvictionPolicy"), r)
	}
}

func validateEnvVarFrom(v *ChartValues, path *field.Path, r *Problems) {
	list, _ := v.EnvVarFrom.Value.([]any)
	for i, item := range list {
		entry, _ := item.(map[string]any)
		if name, _ := entry["name"].(string); name == "" {
			r.Errors = append(r.Errors, field.Required(path.Index(i).Child("name"), "the environment variable's name"))
		}
		if _, ok := entry["valueFrom"]; !ok {
			r.Errors = append(r.Errors, field.Required(path.Index(i).Child("valueFrom"), "envVarFrom entries take their value from valueFrom; put plain values under env"))
		}
	}
}

// warnIneffective warns about values the chart's schema accepts but none of its templates read.
func warnIneffective(v *ChartValues, path *field.Path, r *Problems) {
	unused := []struct {
		name string
		set  bool
	}{
		{"enabled", v.Enabled != nil},
		{"defaultRevision", v.DefaultRevision != ""},
		{"pilot", v.Pilot != nil},
		{"runAsRoot", v.RunAsRoot != nil},
		{"unprivilegedPort", v.UnprivilegedPort != nil},
	}
	for _, u := range unused {
		if u.set {
			r.warnf(path.Child(u.name), u.name, "the istio/gateway chart accepts this value but does not use it; it has no effect")
		}
	}
}
