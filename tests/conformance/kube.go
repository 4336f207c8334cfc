package conformance

// Kubernetes validation.
//
// The API server's validation of built-in kinds (ValidateDeployment, ValidateService, ...) lives in
// k8s.io/kubernetes/pkg/apis/*/validation and works on the internal API types. k8s.io/kubernetes is not
// meant to be a dependency: its go.mod points every k8s.io/* staging module at v0.0.0 and only works
// with a wall of replace directives, and its declarative validation code is generated into the same
// tree. So what is reachable from served modules is used as is:
//
//   - strict decoding into the k8s.io/api types (case-sensitive names, unknown and duplicate fields are
//     errors), as the API server does with fieldValidation=Strict;
//   - k8s.io/apimachinery/pkg/api/validation.ValidateObjectMeta with the name rule each kind has in
//     Kubernetes (DNS-1123 subdomain, DNS-1035 label, or path segment), which also checks labels,
//     annotations (keys, values, total size), owner references and finalizers;
//   - k8s.io/apimachinery/pkg/apis/meta/v1/validation.ValidateLabelSelector / ValidateLabels;
//   - k8s.io/apimachinery/pkg/util/validation for ports, port names, env var names, IPs and CIDRs.
//
// The spec rules below are our own short version of the API server's most important checks for the
// fields the istio/gateway chart sets; each names the field path the way kubectl reports errors.

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/api/validation/path"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// kubeKinds are the Kubernetes kinds the istio/gateway chart renders, at the versions it renders.
var kubeKinds = map[schema.GroupVersionKind]func([]byte) []error{
	corev1.SchemeGroupVersion.WithKind("ServiceAccount"):                 kube(apivalidation.ValidateServiceAccountName, checkServiceAccount),
	corev1.SchemeGroupVersion.WithKind("Service"):                        kube(apivalidation.NameIsDNS1035Label, checkService),
	rbacv1.SchemeGroupVersion.WithKind("Role"):                           kube(path.ValidatePathSegmentName, checkRole),
	rbacv1.SchemeGroupVersion.WithKind("RoleBinding"):                    kube(path.ValidatePathSegmentName, checkRoleBinding),
	appsv1.SchemeGroupVersion.WithKind("Deployment"):                     kube(apivalidation.NameIsDNSSubdomain, checkDeployment),
	appsv1.SchemeGroupVersion.WithKind("DaemonSet"):                      kube(apivalidation.NameIsDNSSubdomain, checkDaemonSet),
	autoscalingv2.SchemeGroupVersion.WithKind("HorizontalPodAutoscaler"): kube(apivalidation.NameIsDNSSubdomain, checkHPA),
	policyv1.SchemeGroupVersion.WithKind("PodDisruptionBudget"):          kube(apivalidation.NameIsDNSSubdomain, checkPDB),
	networkingv1.SchemeGroupVersion.WithKind("NetworkPolicy"):            kube(apivalidation.NameIsDNSSubdomain, checkNetworkPolicy),
	corev1.SchemeGroupVersion.WithKind("ConfigMap"):                      kube(apivalidation.NameIsDNSSubdomain, checkConfigMap), // automated.go
}

// kube builds the validator of one kind: strict decode into T, metadata, then the kind's own rules.
func kube[T any, PT interface {
	*T
	metav1.Object
}](nameFn apivalidation.ValidateNameFunc, check func(PT) field.ErrorList) func([]byte) []error {
	return func(js []byte) []error {
		obj := PT(new(T))
		if errs := strictUnmarshal(js, obj); len(errs) > 0 {
			return errs
		}
		// All these kinds are namespaced; an object without a namespace is checked as if in "default",
		// which is where `kubectl apply` would put it.
		meta := metav1.ObjectMeta{}
		copyMeta(obj, &meta)
		if meta.Namespace == "" {
			meta.Namespace = metav1.NamespaceDefault
		}
		errs := apivalidation.ValidateObjectMeta(&meta, true, nameFn, field.NewPath("metadata"))
		errs = append(errs, check(obj)...)
		return appendFieldErrors(nil, errs)
	}
}

func copyMeta(from metav1.Object, to *metav1.ObjectMeta) {
	to.Name = from.GetName()
	to.GenerateName = from.GetGenerateName()
	to.Namespace = from.GetNamespace()
	to.Labels = from.GetLabels()
	to.Annotations = from.GetAnnotations()
	to.OwnerReferences = from.GetOwnerReferences()
	to.Finalizers = from.GetFinalizers()
	to.ManagedFields = from.GetManagedFields()
	to.ResourceVersion = from.GetResourceVersion()
	to.UID = from.GetUID()
	to.Generation = from.GetGeneration()
	to.DeletionGracePeriodSeconds = from.GetDeletionGracePeriodSeconds()
}

var specPath = field.NewPath("spec")

// --- ServiceAccount ---------------------------------------------------------------------------

func checkServiceAccount(sa *corev1.ServiceAccount) field.ErrorList {
	var errs field.ErrorList
	for i, s := range sa.ImagePullSecrets {
		errs = append(errs, dnsSubdomain(field.NewPath("imagePullSecrets").Index(i).Child("name"), s.Name)...)
	}
	for i, s := range sa.Secrets {
		if s.Name == "" {
			errs = append(errs, field.Required(field.NewPath("secrets").Index(i).Child("name"), ""))
		}
	}
	return errs
}

// --- Service ------------------------------------------------------------------------------------

var (
	serviceTypes      = sets.New(corev1.ServiceTypeClusterIP, corev1.ServiceTypeNodePort, corev1.ServiceTypeLoadBalancer, corev1.ServiceTypeExternalName)
	protocols         = sets.New(corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP)
	trafficPolicies   = sets.New(corev1.ServiceExternalTrafficPolicyCluster, corev1.ServiceExternalTrafficPolicyLocal)
	internalPolicies  = sets.New(corev1.ServiceInternalTrafficPolicyCluster, corev1.ServiceInternalTrafficPolicyLocal)
	sessionAffinities = sets.New(corev1.ServiceAffinityNone, corev1.ServiceAffinityClientIP)
	ipFamilyPolicies  = sets.New(corev1.IPFamilyPolicySingleStack, corev1.IPFamilyPolicyPreferDualStack, corev1.IPFamilyPolicyRequireDualStack)
	ipFamilies        = sets.New(corev1.IPv4Protocol, corev1.IPv6Protocol)
)

func checkService(svc *corev1.Service) field.ErrorList {
	var errs field.ErrorList
	s := svc.Spec
	p := specPath
	typ := s.Type
	if typ == "" {
		typ = corev1.ServiceTypeClusterIP
	}
	if !serviceTypes.Has(typ) {
		errs = append(errs, field.NotSupported(p.Child("type"), s.Type, sets.List(serviceTypes)))
	}
	headless := s.ClusterIP == corev1.ClusterIPNone
	if typ == corev1.ServiceTypeExternalName {
		errs = append(errs, dnsSubdomain(p.Child("externalName"), strings.TrimSuffix(s.ExternalName, "."))...)
	} else if len(s.Ports) == 0 && !headless {
		errs = append(errs, field.Required(p.Child("ports"), "a Service needs at least one port"))
	}
	names := sets.New[string]()
	portProtocols := sets.New[string]()
	for i, port := range s.Ports {
		pp := p.Child("ports").Index(i)
		if len(s.Ports) > 1 || port.Name != "" {
			if port.Name == "" {
				errs = append(errs, field.Required(pp.Child("name"), "every port must be named when a Service has more than one"))
			} else {
				errs = append(errs, dnsLabel(pp.Child("name"), port.Name)...)
			}
		}
		if names.Has(port.Name) && port.Name != "" {
			errs = append(errs, field.Duplicate(pp.Child("name"), port.Name))
		}
		names.Insert(port.Name)
		errs = append(errs, portNumber(pp.Child("port"), port.Port)...)
		errs = append(errs, protocol(pp.Child("protocol"), port.Protocol)...)
		key := fmt.Sprintf("%d/%s", port.Port, orDefault(port.Protocol, corev1.ProtocolTCP))
		if portProtocols.Has(key) {
			errs = append(errs, field.Duplicate(pp, key))
		}
		portProtocols.Insert(key)
		if port.TargetPort != (intstr.IntOrString{}) { // unset means "same as port"
			errs = append(errs, intOrNamedPort(pp.Child("targetPort"), port.TargetPort)...)
		}
		if port.NodePort != 0 {
			if typ != corev1.ServiceTypeNodePort && typ != corev1.ServiceTypeLoadBalancer {
				errs = append(errs, field.Forbidden(pp.Child("nodePort"), "may only be set when type is NodePort or LoadBalancer"))
			}
			errs = append(errs, portNumber(pp.Child("nodePort"), port.NodePort)...)
		}
		if port.AppProtocol != nil {
			errs = append(errs, qualifiedName(pp.Child("appProtocol"), *port.AppProtocol)...)
		}
	}
	if typ != corev1.ServiceTypeExternalName {
		errs = append(errs, metav1validation.ValidateLabels(s.Selector, p.Child("selector"))...)
	}
	if s.ExternalTrafficPolicy != "" {
		if typ != corev1.ServiceTypeNodePort && typ != corev1.ServiceTypeLoadBalancer {
			errs = append(errs, field.Forbidden(p.Child("externalTrafficPolicy"), "may only be set when type is NodePort or LoadBalancer"))
		}
		if !trafficPolicies.Has(s.ExternalTrafficPolicy) {
			errs = append(errs, field.NotSupported(p.Child("externalTrafficPolicy"), s.ExternalTrafficPolicy, sets.List(trafficPolicies)))
		}
	}
	if s.InternalTrafficPolicy != nil && !internalPolicies.Has(*s.InternalTrafficPolicy) {
		errs = append(errs, field.NotSupported(p.Child("internalTrafficPolicy"), *s.InternalTrafficPolicy, sets.List(internalPolicies)))
	}
	if s.SessionAffinity != "" && !sessionAffinities.Has(s.SessionAffinity) {
		errs = append(errs, field.NotSupported(p.Child("sessionAffinity"), s.SessionAffinity, sets.List(sessionAffinities)))
	}
	if s.IPFamilyPolicy != nil && !ipFamilyPolicies.Has(*s.IPFamilyPolicy) {
		errs = append(errs, field.NotSupported(p.Child("ipFamilyPolicy"), *s.IPFamilyPolicy, sets.List(ipFamilyPolicies)))
	}
	for i, f := range s.IPFamilies {
		if !ipFamilies.Has(f) {
			errs = append(errs, field.NotSupported(p.Child("ipFamilies").Index(i), f, sets.List(ipFamilies)))
		}
	}
	if s.LoadBalancerIP != "" {
		if typ != corev1.ServiceTypeLoadBalancer {
			errs = append(errs, field.Forbidden(p.Child("loadBalancerIP"), "may only be set when type is LoadBalancer"))
		}
		errs = append(errs, validation.IsValidIP(p.Child("loadBalancerIP"), s.LoadBalancerIP)...)
	}
	for i, cidr := range s.LoadBalancerSourceRanges {
		errs = append(errs, validation.IsValidCIDR(p.Child("loadBalancerSourceRanges").Index(i), strings.TrimSpace(cidr))...)
	}
	for i, ip := range s.ExternalIPs {
		errs = append(errs, validation.IsValidIP(p.Child("externalIPs").Index(i), ip)...)
	}
	if s.LoadBalancerClass != nil {
		if typ != corev1.ServiceTypeLoadBalancer {
			errs = append(errs, field.Forbidden(p.Child("loadBalancerClass"), "may only be set when type is LoadBalancer"))
		}
		errs = append(errs, qualifiedName(p.Child("loadBalancerClass"), *s.LoadBalancerClass)...)
	}
	return errs
}

// --- Role, RoleBinding ----------------------------------------------------------------------------

func checkRole(r *rbacv1.Role) field.ErrorList {
	var errs field.ErrorList
	for i, rule := range r.Rules {
		rp := field.NewPath("rules").Index(i)
		if len(rule.Verbs) == 0 {
			errs = append(errs, field.Required(rp.Child("verbs"), "verbs must contain at least one value"))
		}
		if len(rule.NonResourceURLs) > 0 {
			errs = append(errs, field.Invalid(rp.Child("nonResourceURLs"), rule.NonResourceURLs, "namespaced rules cannot apply to non-resource URLs"))
		}
		if len(rule.Resources) == 0 {
			errs = append(errs, field.Required(rp.Child("resources"), "resource rules must supply at least one resource"))
		}
		if len(rule.APIGroups) == 0 {
			errs = append(errs, field.Required(rp.Child("apiGroups"), "resource rules must supply at least one api group"))
		}
	}
	return errs
}

func checkRoleBinding(rb *rbacv1.RoleBinding) field.ErrorList {
	var errs field.ErrorList
	rp := field.NewPath("roleRef")
	if rb.RoleRef.APIGroup != rbacv1.GroupName {
		errs = append(errs, field.NotSupported(rp.Child("apiGroup"), rb.RoleRef.APIGroup, []string{rbacv1.GroupName}))
	}
	if rb.RoleRef.Kind != "Role" && rb.RoleRef.Kind != "ClusterRole" {
		errs = append(errs, field.NotSupported(rp.Child("kind"), rb.RoleRef.Kind, []string{"Role", "ClusterRole"}))
	}
	if rb.RoleRef.Name == "" {
		errs = append(errs, field.Required(rp.Child("name"), ""))
	} else {
		for _, msg := range path.ValidatePathSegmentName(rb.RoleRef.Name, false) {
			errs = append(errs, field.Invalid(rp.Child("name"), rb.RoleRef.Name, msg))
		}
	}
	for i, s := range rb.Subjects {
		sp := field.NewPath("subjects").Index(i)
		if s.Name == "" {
			errs = append(errs, field.Required(sp.Child("name"), ""))
		}
		switch s.Kind {
		case rbacv1.ServiceAccountKind:
			if s.APIGroup != "" {
				errs = append(errs, field.NotSupported(sp.Child("apiGroup"), s.APIGroup, []string{""}))
			}
			if s.Name != "" {
				errs = append(errs, dnsSubdomain(sp.Child("name"), s.Name)...)
			}
			if s.Namespace != "" {
				errs = append(errs, dnsLabel(sp.Child("namespace"), s.Namespace)...)
			}
		case rbacv1.UserKind, rbacv1.GroupKind:
			if s.APIGroup != rbacv1.GroupName {
				errs = append(errs, field.NotSupported(sp.Child("apiGroup"), s.APIGroup, []string{rbacv1.GroupName}))
			}
		default:
			errs = append(errs, field.NotSupported(sp.Child("kind"), s.Kind, []string{rbacv1.ServiceAccountKind, rbacv1.UserKind, rbacv1.GroupKind}))
		}
	}
	return errs
}

// --- Deployment, DaemonSet -----------------------------------------------------------------------

func checkDeployment(d *appsv1.Deployment) field.ErrorList {
	var errs field.ErrorList
	p := specPath
	if d.Spec.Replicas != nil && *d.Spec.Replicas < 0 {
		errs = append(errs, field.Invalid(p.Child("replicas"), *d.Spec.Replicas, "must be greater than or equal to 0"))
	}
	errs = append(errs, selectorAndTemplate(p, d.Spec.Selector, &d.Spec.Template)...)
	switch d.Spec.Strategy.Type {
	case "", appsv1.RollingUpdateDeploymentStrategyType:
		if ru := d.Spec.Strategy.RollingUpdate; ru != nil {
			rp := p.Child("strategy", "rollingUpdate")
			errs = append(errs, countOrPercent(rp.Child("maxSurge"), ru.MaxSurge)...)
			errs = append(errs, countOrPercent(rp.Child("maxUnavailable"), ru.MaxUnavailable)...)
			if isZero(ru.MaxSurge) && isZero(ru.MaxUnavailable) {
				errs = append(errs, field.Invalid(rp.Child("maxUnavailable"), ru.MaxUnavailable, "may not be 0 when maxSurge is 0"))
			}
		}
	case appsv1.RecreateDeploymentStrategyType:
		if d.Spec.Strategy.RollingUpdate != nil {
			errs = append(errs, field.Forbidden(p.Child("strategy", "rollingUpdate"), "may not be specified when strategy type is Recreate"))
		}
	default:
		errs = append(errs, field.NotSupported(p.Child("strategy", "type"), d.Spec.Strategy.Type,
			[]appsv1.DeploymentStrategyType{appsv1.RecreateDeploymentStrategyType, appsv1.RollingUpdateDeploymentStrategyType}))
	}
	if d.Spec.RevisionHistoryLimit != nil && *d.Spec.RevisionHistoryLimit < 0 {
		errs = append(errs, field.Invalid(p.Child("revisionHistoryLimit"), *d.Spec.RevisionHistoryLimit, "must be greater than or equal to 0"))
	}
	if d.Spec.MinReadySeconds < 0 {
		errs = append(errs, field.Invalid(p.Child("minReadySeconds"), d.Spec.MinReadySeconds, "must be greater than or equal to 0"))
	}
	return errs
}

func checkDaemonSet(ds *appsv1.DaemonSet) field.ErrorList {
	var errs field.ErrorList
	p := specPath
	errs = append(errs, selectorAndTemplate(p, ds.Spec.Selector, &ds.Spec.Template)...)
	switch ds.Spec.UpdateStrategy.Type {
	case "", appsv1.RollingUpdateDaemonSetStrategyType:
		if ru := ds.Spec.UpdateStrategy.RollingUpdate; ru != nil {
			rp := p.Child("updateStrategy", "rollingUpdate")
			errs = append(errs, countOrPercent(rp.Child("maxSurge"), ru.MaxSurge)...)
			errs = append(errs, countOrPercent(rp.Child("maxUnavailable"), ru.MaxUnavailable)...)
			if isZero(ru.MaxSurge) && isZero(ru.MaxUnavailable) {
				errs = append(errs, field.Invalid(rp.Child("maxUnavailable"), ru.MaxUnavailable, "may not be 0 when maxSurge is 0"))
			}
		}
	case appsv1.OnDeleteDaemonSetStrategyType:
	default:
		errs = append(errs, field.NotSupported(p.Child("updateStrategy", "type"), ds.Spec.UpdateStrategy.Type,
			[]appsv1.DaemonSetUpdateStrategyType{appsv1.OnDeleteDaemonSetStrategyType, appsv1.RollingUpdateDaemonSetStrategyType}))
	}
	return errs
}

// selectorAndTemplate checks what Deployments and DaemonSets share: a non-empty selector that
// selects the template's labels, and the pod template.
func selectorAndTemplate(p *field.Path, sel *metav1.LabelSelector, tmpl *corev1.PodTemplateSpec) field.ErrorList {
	var errs field.ErrorList
	if sel == nil || (len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0) {
		errs = append(errs, field.Required(p.Child("selector"), "a non-empty selector is required"))
	} else {
		errs = append(errs, metav1validation.ValidateLabelSelector(sel, metav1validation.LabelSelectorValidationOptions{}, p.Child("selector"))...)
		if s, err := metav1.LabelSelectorAsSelector(sel); err == nil && !s.Matches(labels.Set(tmpl.Labels)) {
			errs = append(errs, field.Invalid(p.Child("template", "metadata", "labels"), tmpl.Labels, "`selector` does not match template `labels`"))
		}
	}
	tp := p.Child("template")
	errs = append(errs, metav1validation.ValidateLabels(tmpl.Labels, tp.Child("metadata", "labels"))...)
	errs = append(errs, apivalidation.ValidateAnnotations(tmpl.Annotations, tp.Child("metadata", "annotations"))...)
	if rp := tmpl.Spec.RestartPolicy; rp != "" && rp != corev1.RestartPolicyAlways {
		errs = append(errs, field.NotSupported(tp.Child("spec", "restartPolicy"), rp, []corev1.RestartPolicy{corev1.RestartPolicyAlways}))
	}
	errs = append(errs, checkPodSpec(&tmpl.Spec, tp.Child("spec"))...)
	return errs
}

func checkPodSpec(s *corev1.PodSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	volumes := sets.New[string]()
	for i, v := range s.Volumes {
		vp := p.Child("volumes").Index(i)
		errs = append(errs, dnsLabel(vp.Child("name"), v.Name)...)
		if volumes.Has(v.Name) {
			errs = append(errs, field.Duplicate(vp.Child("name"), v.Name))
		}
		volumes.Insert(v.Name)
	}
	if len(s.Containers) == 0 {
		errs = append(errs, field.Required(p.Child("containers"), "a pod needs at least one container"))
	}
	names := sets.New[string]()
	for i := range s.InitContainers {
		errs = append(errs, checkContainer(&s.InitContainers[i], p.Child("initContainers").Index(i), names, volumes)...)
	}
	for i := range s.Containers {
		errs = append(errs, checkContainer(&s.Containers[i], p.Child("containers").Index(i), names, volumes)...)
	}
	if s.ServiceAccountName != "" {
		errs = append(errs, dnsSubdomain(p.Child("serviceAccountName"), s.ServiceAccountName)...)
	}
	if s.TerminationGracePeriodSeconds != nil && *s.TerminationGracePeriodSeconds < 0 {
		errs = append(errs, field.Invalid(p.Child("terminationGracePeriodSeconds"), *s.TerminationGracePeriodSeconds, "must be greater than or equal to 0"))
	}
	errs = append(errs, metav1validation.ValidateLabels(s.NodeSelector, p.Child("nodeSelector"))...)
	for i, ref := range s.ImagePullSecrets {
		if ref.Name == "" {
			errs = append(errs, field.Required(p.Child("imagePullSecrets").Index(i).Child("name"), ""))
		}
	}
	for i, t := range s.Tolerations {
		tp := p.Child("tolerations").Index(i)
		if t.Key != "" {
			errs = append(errs, qualifiedName(tp.Child("key"), t.Key)...)
		}
		switch t.Operator {
		case "", corev1.TolerationOpEqual:
		case corev1.TolerationOpExists:
			if t.Value != "" {
				errs = append(errs, field.Invalid(tp.Child("value"), t.Value, "value must be empty when `operator` is 'Exists'"))
			}
		default:
			errs = append(errs, field.NotSupported(tp.Child("operator"), t.Operator, []corev1.TolerationOperator{corev1.TolerationOpEqual, corev1.TolerationOpExists}))
		}
	}
	if sc := s.SecurityContext; sc != nil {
		for i, sysctl := range sc.Sysctls {
			if sysctl.Name == "" {
				errs = append(errs, field.Required(p.Child("securityContext", "sysctls").Index(i).Child("name"), ""))
			}
		}
	}
	return errs
}

func checkContainer(c *corev1.Container, p *field.Path, names, volumes sets.Set[string]) field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, dnsLabel(p.Child("name"), c.Name)...)
	if names.Has(c.Name) {
		errs = append(errs, field.Duplicate(p.Child("name"), c.Name))
	}
	names.Insert(c.Name)
	if strings.TrimSpace(c.Image) == "" {
		errs = append(errs, field.Required(p.Child("image"), ""))
	}
	portNames := sets.New[string]()
	for i, port := range c.Ports {
		pp := p.Child("ports").Index(i)
		errs = append(errs, portNumber(pp.Child("containerPort"), port.ContainerPort)...)
		if port.HostPort != 0 {
			errs = append(errs, portNumber(pp.Child("hostPort"), port.HostPort)...)
		}
		if port.Name != "" {
			for _, msg := range validation.IsValidPortName(port.Name) {
				errs = append(errs, field.Invalid(pp.Child("name"), port.Name, msg))
			}
			if portNames.Has(port.Name) {
				errs = append(errs, field.Duplicate(pp.Child("name"), port.Name))
			}
			portNames.Insert(port.Name)
		}
		errs = append(errs, protocol(pp.Child("protocol"), port.Protocol)...)
	}
	for i, e := range c.Env {
		ep := p.Child("env").Index(i)
		if e.Name == "" {
			errs = append(errs, field.Required(ep.Child("name"), ""))
		}
		for _, msg := range validation.IsRelaxedEnvVarName(e.Name) {
			errs = append(errs, field.Invalid(ep.Child("name"), e.Name, msg))
		}
		if vf := e.ValueFrom; vf != nil {
			if e.Value != "" {
				errs = append(errs, field.Invalid(ep.Child("valueFrom"), "", "may not be specified when `value` is not empty"))
			}
			n := 0
			for _, set := range []bool{vf.FieldRef != nil, vf.ResourceFieldRef != nil, vf.ConfigMapKeyRef != nil, vf.SecretKeyRef != nil, vf.FileKeyRef != nil} {
				if set {
					n++
				}
			}
			if n != 1 {
				errs = append(errs, field.Invalid(ep.Child("valueFrom"), "", "must specify exactly one of fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef or fileKeyRef"))
			}
			if vf.FieldRef != nil && vf.FieldRef.FieldPath == "" {
				errs = append(errs, field.Required(ep.Child("valueFrom", "fieldRef", "fieldPath"), ""))
			}
		}
	}
	mounts := sets.New[string]()
	for i, m := range c.VolumeMounts {
		mp := p.Child("volumeMounts").Index(i)
		if !volumes.Has(m.Name) {
			errs = append(errs, field.NotFound(mp.Child("name"), m.Name))
		}
		if m.MountPath == "" {
			errs = append(errs, field.Required(mp.Child("mountPath"), ""))
		} else if mounts.Has(m.MountPath) {
			errs = append(errs, field.Invalid(mp.Child("mountPath"), m.MountPath, "must be unique"))
		}
		mounts.Insert(m.MountPath)
	}
	for _, probe := range []struct {
		name string
		p    *corev1.Probe
	}{{"livenessProbe", c.LivenessProbe}, {"readinessProbe", c.ReadinessProbe}, {"startupProbe", c.StartupProbe}} {
		if probe.p != nil {
			errs = append(errs, checkProbe(probe.p, p.Child(probe.name))...)
		}
	}
	for name, limit := range c.Resources.Limits {
		if req, ok := c.Resources.Requests[name]; ok && req.Cmp(limit) > 0 {
			errs = append(errs, field.Invalid(p.Child("resources", "requests").Key(string(name)), req.String(),
				fmt.Sprintf("must be less than or equal to %s limit of %s", name, limit.String())))
		}
	}
	switch c.ImagePullPolicy {
	case "", corev1.PullAlways, corev1.PullIfNotPresent, corev1.PullNever:
	default:
		errs = append(errs, field.NotSupported(p.Child("imagePullPolicy"), c.ImagePullPolicy,
			[]corev1.PullPolicy{corev1.PullAlways, corev1.PullIfNotPresent, corev1.PullNever}))
	}
	return errs
}

func checkProbe(pr *corev1.Probe, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	n := 0
	if pr.Exec != nil {
		n++
	}
	if pr.HTTPGet != nil {
		n++
		errs = append(errs, intOrNamedPort(p.Child("httpGet", "port"), pr.HTTPGet.Port)...)
		switch pr.HTTPGet.Scheme {
		case "", corev1.URISchemeHTTP, corev1.URISchemeHTTPS:
		default:
			errs = append(errs, field.NotSupported(p.Child("httpGet", "scheme"), pr.HTTPGet.Scheme, []corev1.URIScheme{corev1.URISchemeHTTP, corev1.URISchemeHTTPS}))
		}
	}
	if pr.TCPSocket != nil {
		n++
		errs = append(errs, intOrNamedPort(p.Child("tcpSocket", "port"), pr.TCPSocket.Port)...)
	}
	if pr.GRPC != nil {
		n++
		errs = append(errs, portNumber(p.Child("grpc", "port"), pr.GRPC.Port)...)
	}
	if n != 1 {
		errs = append(errs, field.Required(p, "must specify exactly one of exec, httpGet, tcpSocket or grpc"))
	}
	for name, v := range map[string]int32{
		"initialDelaySeconds": pr.InitialDelaySeconds, "timeoutSeconds": pr.TimeoutSeconds,
		"periodSeconds": pr.PeriodSeconds, "successThreshold": pr.SuccessThreshold, "failureThreshold": pr.FailureThreshold,
	} {
		if v < 0 {
			errs = append(errs, field.Invalid(p.Child(name), v, "must be greater than or equal to 0"))
		}
	}
	return errs
}

// --- HorizontalPodAutoscaler ---------------------------------------------------------------------

func checkHPA(h *autoscalingv2.HorizontalPodAutoscaler) field.ErrorList {
	var errs field.ErrorList
	p := specPath
	ref := h.Spec.ScaleTargetRef
	if ref.Kind == "" {
		errs = append(errs, field.Required(p.Child("scaleTargetRef", "kind"), ""))
	}
	if ref.Name == "" {
		errs = append(errs, field.Required(p.Child("scaleTargetRef", "name"), ""))
	} else {
		for _, msg := range path.ValidatePathSegmentName(ref.Name, false) {
			errs = append(errs, field.Invalid(p.Child("scaleTargetRef", "name"), ref.Name, msg))
		}
	}
	minReplicas := int32(1)
	if h.Spec.MinReplicas != nil {
		minReplicas = *h.Spec.MinReplicas
		if minReplicas < 1 {
			errs = append(errs, field.Invalid(p.Child("minReplicas"), minReplicas, "must be greater than or equal to 1"))
		}
	}
	if h.Spec.MaxReplicas < 1 {
		errs = append(errs, field.Invalid(p.Child("maxReplicas"), h.Spec.MaxReplicas, "must be greater than or equal to 1"))
	} else if h.Spec.MaxReplicas < minReplicas {
		errs = append(errs, field.Invalid(p.Child("maxReplicas"), h.Spec.MaxReplicas, "must be greater than or equal to `minReplicas`"))
	}
	for i, m := range h.Spec.Metrics {
		mp := p.Child("metrics").Index(i)
		switch m.Type {
		case autoscalingv2.ResourceMetricSourceType:
			if m.Resource == nil {
				errs = append(errs, field.Required(mp.Child("resource"), "must be set for type Resource"))
				continue
			}
			if m.Resource.Name == "" {
				errs = append(errs, field.Required(mp.Child("resource", "name"), ""))
			}
			errs = append(errs, metricTarget(mp.Child("resource", "target"), m.Resource.Target, false)...)
		case autoscalingv2.ContainerResourceMetricSourceType:
			if m.ContainerResource == nil {
				errs = append(errs, field.Required(mp.Child("containerResource"), "must be set for type ContainerResource"))
				continue
			}
			errs = append(errs, metricTarget(mp.Child("containerResource", "target"), m.ContainerResource.Target, false)...)
		case autoscalingv2.PodsMetricSourceType, autoscalingv2.ObjectMetricSourceType, autoscalingv2.ExternalMetricSourceType:
		default:
			errs = append(errs, field.NotSupported(mp.Child("type"), m.Type, []autoscalingv2.MetricSourceType{
				autoscalingv2.ContainerResourceMetricSourceType, autoscalingv2.ExternalMetricSourceType,
				autoscalingv2.ObjectMetricSourceType, autoscalingv2.PodsMetricSourceType, autoscalingv2.ResourceMetricSourceType}))
		}
	}
	if b := h.Spec.Behavior; b != nil {
		for name, r := range map[string]*autoscalingv2.HPAScalingRules{"scaleUp": b.ScaleUp, "scaleDown": b.ScaleDown} {
			if r == nil {
				continue
			}
			rp := p.Child("behavior", name)
			if r.StabilizationWindowSeconds != nil && (*r.StabilizationWindowSeconds < 0 || *r.StabilizationWindowSeconds > 3600) {
				errs = append(errs, field.Invalid(rp.Child("stabilizationWindowSeconds"), *r.StabilizationWindowSeconds, "must be between 0 and 3600"))
			}
			for j, pol := range r.Policies {
				pp := rp.Child("policies").Index(j)
				if pol.Type != autoscalingv2.PodsScalingPolicy && pol.Type != autoscalingv2.PercentScalingPolicy {
					errs = append(errs, field.NotSupported(pp.Child("type"), pol.Type, []autoscalingv2.HPAScalingPolicyType{autoscalingv2.PercentScalingPolicy, autoscalingv2.PodsScalingPolicy}))
				}
				if pol.Value <= 0 {
					errs = append(errs, field.Invalid(pp.Child("value"), pol.Value, "must be greater than 0"))
				}
				if pol.PeriodSeconds <= 0 || pol.PeriodSeconds > 1800 {
					errs = append(errs, field.Invalid(pp.Child("periodSeconds"), pol.PeriodSeconds, "must be between 1 and 1800"))
				}
			}
		}
	}
	return errs
}

func metricTarget(p *field.Path, t autoscalingv2.MetricTarget, allowValue bool) field.ErrorList {
	var errs field.ErrorList
	switch t.Type {
	case autoscalingv2.UtilizationMetricType:
		if t.AverageUtilization == nil {
			errs = append(errs, field.Required(p.Child("averageUtilization"), "must be set for type Utilization"))
		} else if *t.AverageUtilization <= 0 {
			errs = append(errs, field.Invalid(p.Child("averageUtilization"), *t.AverageUtilization, "must be greater than 0"))
		}
	case autoscalingv2.AverageValueMetricType:
		if t.AverageValue == nil {
			errs = append(errs, field.Required(p.Child("averageValue"), "must be set for type AverageValue"))
		} else if t.AverageValue.Sign() <= 0 {
			errs = append(errs, field.Invalid(p.Child("averageValue"), t.AverageValue.String(), "must be positive"))
		}
	case autoscalingv2.ValueMetricType:
		if !allowValue {
			errs = append(errs, field.NotSupported(p.Child("type"), t.Type, []autoscalingv2.MetricTargetType{autoscalingv2.AverageValueMetricType, autoscalingv2.UtilizationMetricType}))
		}
	default:
		errs = append(errs, field.NotSupported(p.Child("type"), t.Type, []autoscalingv2.MetricTargetType{
			autoscalingv2.AverageValueMetricType, autoscalingv2.UtilizationMetricType, autoscalingv2.ValueMetricType}))
	}
	return errs
}

// --- PodDisruptionBudget -------------------------------------------------------------------------

func checkPDB(pdb *policyv1.PodDisruptionBudget) field.ErrorList {
	var errs field.ErrorList
	p := specPath
	if pdb.Spec.MinAvailable != nil && pdb.Spec.MaxUnavailable != nil {
		errs = append(errs, field.Invalid(p, pdb.Spec, "minAvailable and maxUnavailable cannot be both set"))
	}
	errs = append(errs, countOrPercent(p.Child("minAvailable"), pdb.Spec.MinAvailable)...)
	errs = append(errs, countOrPercent(p.Child("maxUnavailable"), pdb.Spec.MaxUnavailable)...)
	errs = append(errs, metav1validation.ValidateLabelSelector(pdb.Spec.Selector, metav1validation.LabelSelectorValidationOptions{}, p.Child("selector"))...)
	if pol := pdb.Spec.UnhealthyPodEvictionPolicy; pol != nil &&
		*pol != policyv1.IfHealthyBudget && *pol != policyv1.AlwaysAllow {
		errs = append(errs, field.NotSupported(p.Child("unhealthyPodEvictionPolicy"), *pol,
			[]policyv1.UnhealthyPodEvictionPolicyType{policyv1.AlwaysAllow, policyv1.IfHealthyBudget}))
	}
	return errs
}

// --- NetworkPolicy --------------------------------------------------------------------------------

func checkNetworkPolicy(np *networkingv1.NetworkPolicy) field.ErrorList {
	var errs field.ErrorList
	p := specPath
	sel := metav1validation.LabelSelectorValidationOptions{}
	errs = append(errs, metav1validation.ValidateLabelSelector(&np.Spec.PodSelector, sel, p.Child("podSelector"))...)
	for i, rule := range np.Spec.Ingress {
		rp := p.Child("ingress").Index(i)
		errs = append(errs, networkPolicyPorts(rp.Child("ports"), rule.Ports)...)
		errs = append(errs, networkPolicyPeers(rp.Child("from"), rule.From)...)
	}
	for i, rule := range np.Spec.Egress {
		rp := p.Child("egress").Index(i)
		errs = append(errs, networkPolicyPorts(rp.Child("ports"), rule.Ports)...)
		errs = append(errs, networkPolicyPeers(rp.Child("to"), rule.To)...)
	}
	seen := sets.New[networkingv1.PolicyType]()
	for i, t := range np.Spec.PolicyTypes {
		tp := p.Child("policyTypes").Index(i)
		if t != networkingv1.PolicyTypeIngress && t != networkingv1.PolicyTypeEgress {
			errs = append(errs, field.NotSupported(tp, t, []networkingv1.PolicyType{networkingv1.PolicyTypeEgress, networkingv1.PolicyTypeIngress}))
		}
		if seen.Has(t) {
			errs = append(errs, field.Duplicate(tp, t))
		}
		seen.Insert(t)
	}
	return errs
}

func networkPolicyPorts(p *field.Path, ports []networkingv1.NetworkPolicyPort) field.ErrorList {
	var errs field.ErrorList
	for i, port := range ports {
		pp := p.Index(i)
		if port.Protocol != nil {
			errs = append(errs, protocol(pp.Child("protocol"), *port.Protocol)...)
		}
		if port.Port != nil {
			errs = append(errs, intOrNamedPort(pp.Child("port"), *port.Port)...)
		}
		if port.EndPort != nil {
			if port.Port == nil || port.Port.Type != intstr.Int {
				errs = append(errs, field.Required(pp.Child("port"), "must be a number when endPort is set"))
			} else if *port.EndPort < port.Port.IntVal {
				errs = append(errs, field.Invalid(pp.Child("endPort"), *port.EndPort, "must be greater than or equal to `port`"))
			}
			errs = append(errs, portNumber(pp.Child("endPort"), *port.EndPort)...)
		}
	}
	return errs
}

func networkPolicyPeers(p *field.Path, peers []networkingv1.NetworkPolicyPeer) field.ErrorList {
	var errs field.ErrorList
	sel := metav1validation.LabelSelectorValidationOptions{}
	for i, peer := range peers {
		pp := p.Index(i)
		selectors := peer.PodSelector != nil || peer.NamespaceSelector != nil
		switch {
		case selectors && peer.IPBlock != nil:
			errs = append(errs, field.Forbidden(pp, "may not specify both ipBlock and another peer"))
		case !selectors && peer.IPBlock == nil:
			errs = append(errs, field.Required(pp, "must specify a peer"))
		}
		errs = append(errs, metav1validation.ValidateLabelSelector(peer.PodSelector, sel, pp.Child("podSelector"))...)
		errs = append(errs, metav1validation.ValidateLabelSelector(peer.NamespaceSelector, sel, pp.Child("namespaceSelector"))...)
		if b := peer.IPBlock; b != nil {
			errs = append(errs, validation.IsValidCIDR(pp.Child("ipBlock", "cidr"), b.CIDR)...)
			for j, ex := range b.Except {
				errs = append(errs, validation.IsValidCIDR(pp.Child("ipBlock", "except").Index(j), ex)...)
			}
		}
	}
	return errs
}

// --- shared field rules --------------------------------------------------------------------------

func dnsLabel(p *field.Path, v string) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range validation.IsDNS1123Label(v) {
		errs = append(errs, field.Invalid(p, v, msg))
	}
	return errs
}

func dnsSubdomain(p *field.Path, v string) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range validation.IsDNS1123Subdomain(v) {
		errs = append(errs, field.Invalid(p, v, msg))
	}
	return errs
}

func qualifiedName(p *field.Path, v string) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range validation.IsQualifiedName(v) {
		errs = append(errs, field.Invalid(p, v, msg))
	}
	return errs
}

func portNumber(p *field.Path, port int32) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range validation.IsValidPortNum(int(port)) {
		errs = append(errs, field.Invalid(p, port, msg))
	}
	return errs
}

// intOrNamedPort checks a port given as a number (1-65535) or as a container port name (IANA_SVC_NAME).
func intOrNamedPort(p *field.Path, v intstr.IntOrString) field.ErrorList {
	if v.Type == intstr.String {
		var errs field.ErrorList
		for _, msg := range validation.IsValidPortName(v.StrVal) {
			errs = append(errs, field.Invalid(p, v.StrVal, msg))
		}
		return errs
	}
	return portNumber(p, v.IntVal)
}

func protocol(p *field.Path, v corev1.Protocol) field.ErrorList {
	if v == "" || protocols.Has(v) {
		return nil
	}
	return field.ErrorList{field.NotSupported(p, v, sets.List(protocols))}
}

// countOrPercent checks a non-negative integer or a percentage between 0% and 100%.
func countOrPercent(p *field.Path, v *intstr.IntOrString) field.ErrorList {
	if v == nil {
		return nil
	}
	var errs field.ErrorList
	if v.Type == intstr.String {
		for _, msg := range validation.IsValidPercent(v.StrVal) {
			errs = append(errs, field.Invalid(p, v.StrVal, msg))
		}
		if len(errs) == 0 {
			var n int
			if _, err := fmt.Sscanf(v.StrVal, "%d%%", &n); err == nil && n > 100 {
				errs = append(errs, field.Invalid(p, v.StrVal, "must not be greater than 100%"))
			}
		}
		return errs
	}
	if v.IntVal < 0 {
		errs = append(errs, field.Invalid(p, v.IntVal, "must be greater than or equal to 0"))
	}
	return errs
}

func isZero(v *intstr.IntOrString) bool {
	if v == nil {
		return false
	}
	if v.Type == intstr.String {
		return v.StrVal == "0%"
	}
	return v.IntVal == 0
}

func orDefault[T ~string](v, def T) T {
	if v == "" {
		return def
	}
	return v
}
