package parity

import (
	"fmt"
	"sort"
	"strings"

	yamlv3 "gopkg.in/yaml.v3"
)

// parityCase is one `helm template RELEASE istio/gateway -n NAMESPACE` invocation. Values are given
// the way a user gives them to Helm: a values file (as with -f) and/or --set arguments, applied in
// Helm's order (files first, then --set).
type parityCase struct {
	name      string
	release   string
	namespace string
	file      string   // values YAML, read like `-f FILE`
	set       []string // --set arguments, verbatim (without shell quoting)
	kinds     string   // the kinds Helm must render, space separated, any order
	touches   string   // which chart values the case exercises
}

// The objects the chart renders with its defaults.
const defaultKinds = "ServiceAccount Role RoleBinding Service Deployment HorizontalPodAutoscaler"

// helmValues builds the user values exactly as Helm's values.Options.MergeValues would: the file
// as `-f` reads it (sigs.k8s.io/yaml, so every number is a float64), then the --set arguments.
func (c parityCase) helmValues() (map[string]any, error) {
	return c.values(fileValues)
}

// ourValues builds the same values the way our function sees them: it reads a GatewayPattern's
// `spec.values` with a YAML 1.2 node decoder, where an integer is an int, not a float64. The
// --set arguments have no other form than Helm's (int64 integers).
func (c parityCase) ourValues() (map[string]any, error) {
	return c.values(func(doc string) (map[string]any, error) {
		vals := map[string]any{}
		return vals, yamlv3.Unmarshal([]byte(doc), &vals)
	})
}

func (c parityCase) values(parseFile func(string) (map[string]any, error)) (map[string]any, error) {
	vals := map[string]any{}
	if c.file != "" {
		v, err := parseFile(c.file)
		if err != nil {
			return nil, fmt.Errorf("values file: %w", err)
		}
		vals = v
	}
	if err := setValuesInto(vals, c.set...); err != nil {
		return nil, err
	}
	return vals, nil
}

// wantKinds returns the expected kinds, sorted.
func (c parityCase) wantKinds() []string {
	k := strings.Fields(c.kinds)
	sort.Strings(k)
	return k
}

var parityCases = []parityCase{
	// The three seed commands, verbatim. (`--create-namespace` only matters to `helm install`:
	// `helm template` never renders a Namespace, so it is left out.)
	{
		name: "seed-istio-ingress", release: "istio-ingress", namespace: "istio-ingress",
		set: []string{
			"service.type=LoadBalancer",
			"service.ports[0].name=http2",
			"service.ports[0].port=80",
			"service.ports[1].name=https",
			"service.ports[1].port=443",
		},
		kinds:   defaultKinds,
		touches: "seed command; --set list replaces service.ports (no protocol/targetPort)",
	},
	{
		name: "seed-istio-egress", release: "istio-egress", namespace: "istio-system",
		set:     []string{"service.type=ClusterIP"},
		kinds:   defaultKinds,
		touches: "seed command; service.type ClusterIP",
	},
	{
		name: "seed-istio-eastwestgateway", release: "istio-eastwestgateway", namespace: "istio-system",
		set: []string{
			"service.type=LoadBalancer",
			"service.ports[0].name=status-port",
			"service.ports[0].port=15021",
			"service.ports[1].name=tls",
			"service.ports[1].port=15443",
			"service.ports[1].targetPort=15443",
		},
		kinds:   defaultKinds,
		touches: "seed command; service.ports with targetPort",
	},

	{
		name: "defaults", release: "ingress", namespace: "edge",
		kinds:   defaultKinds,
		touches: "no values: every default (release name without istio- prefix)",
	},
	{
		name: "name-override", release: "my-release", namespace: "gateways",
		file:    `name: istio-internal-gateway`,
		kinds:   defaultKinds,
		touches: "name (istio label trims istio-)",
	},
	{
		name: "revision", release: "istio-ingress", namespace: "istio-ingress",
		file:    `revision: 1-27-3`,
		kinds:   defaultKinds,
		touches: "revision (istio.io/rev pod label)",
	},
	{
		name: "replicas-fixed", release: "istio-ingress", namespace: "istio-ingress",
		file: `
autoscaling:
  enabled: false
replicaCount: 3
`,
		kinds:   "ServiceAccount Role RoleBinding Service Deployment",
		touches: "replicaCount with autoscaling.enabled false",
	},
	{
		name: "autoscaling-disabled", release: "istio-ingress", namespace: "istio-ingress",
		set:     []string{"autoscaling.enabled=false"},
		kinds:   "ServiceAccount Role RoleBinding Service Deployment",
		touches: "autoscaling.enabled false, replicaCount unset (no replicas field, no HPA)",
	},
	{
		name: "replicas-ignored-with-hpa", release: "istio-ingress", namespace: "istio-ingress",
		set:     []string{"replicaCount=4"},
		kinds:   defaultKinds,
		touches: "replicaCount ignored while autoscaling is enabled",
	},
	{
		name: "daemonset", release: "istio-ingress", namespace: "istio-ingress",
		file:    `kind: DaemonSet`,
		kinds:   "ServiceAccount Role RoleBinding Service DaemonSet",
		touches: "kind DaemonSet (no HPA, no replicas)",
	},
	{
		name: "rbac-disabled", release: "istio-ingress", namespace: "istio-ingress",
		set:     []string{"rbac.enabled=false"},
		kinds:   "ServiceAccount Service Deployment HorizontalPodAutoscaler",
		touches: "rbac.enabled false",
	},
	{
		name: "serviceaccount-named", release: "istio-ingress", namespace: "istio-ingress",
		file: `
serviceAccount:
  name: ingress-proxy
  annotations:
    iam.gke.io/gcp-service-account: ingress-proxy@example-project.iam.gserviceaccount.com
`,
		kinds:   defaultKinds,
		touches: "serviceAccount.name, serviceAccount.annotations",
	},
	{
		name: "serviceaccount-existing", release: "istio-ingress", namespace: "istio-ingress",
		file: `
serviceAccount:
  create: false
  name: shared-gateway-sa
`,
		kinds:   "Role RoleBinding Service Deployment HorizontalPodAutoscaler",
		touches: "serviceAccount.create false with a name",
	},
	{
		name: "serviceaccount-default", release: "istio-ingress", namespace: "istio-ingress",
		set:     []string{"serviceAccount.create=false"},
		kinds:   "Role RoleBinding Service Deployment HorizontalPodAutoscaler",
		touches: "serviceAccount.create false without a name (uses `default`)",
	},
	{
		name: "pod-annotations", release: "istio-ingress", namespace: "istio-ingress",
		file: `
podAnnotations:
  proxy.istio.io/config: '{"holdApplicationUntilProxyStarts": true}'
  prometheus.io/scrape: "false"
`,
		kinds:   defaultKinds,
		touches: "podAnnotations (merged into the defaults, one overridden)",
	},
	{
		name: "security-contexts", release: "istio-ingress", namespace: "istio-ingress",
		file: `
securityContext:
  runAsUser: 1337
  runAsGroup: 1337
  runAsNonRoot: true
  fsGroup: 1337
  seccompProfile:
    type: RuntimeDefault
  sysctls:
  - name: net.ipv4.ip_unprivileged_port_start
    value: "0"
containerSecurityContext:
  allowPrivilegeEscalation: false
  capabilities:
    drop: [ALL]
    add: [NET_BIND_SERVICE]
  readOnlyRootFilesystem: true
  runAsNonRoot: true
  runAsUser: 1337
`,
		kinds:   defaultKinds,
		touches: "securityContext, containerSecurityContext",
	},
	{
		name: "service-nodeport", release: "istio-ingress", namespace: "istio-ingress",
		file: `
service:
  type: NodePort
  externalTrafficPolicy: Local
  ports:
  - name: status-port
    port: 15021
    targetPort: 15021
    nodePort: 31021
    protocol: TCP
  - name: http2
    port: 80
    targetPort: 8080
    nodePort: 30080
    protocol: TCP
  - name: https
    port: 443
    targetPort: 8443
    nodePort: 30443
    protocol: TCP
`,
		kinds:   defaultKinds,
		touches: "service.type NodePort, ports with nodePort, externalTrafficPolicy",
	},
	{
		name: "service-clusterip-fixed", release: "istio-internal", namespace: "istio-system",
		file: `
labels:
  gateway.example.com/tier: internal
service:
  type: ClusterIP
  clusterIP: 10.96.200.10
  internalTrafficPolicy: Local
  ipFamilyPolicy: SingleStack
  ipFamilies: [IPv4]
  selectorLabels:
    gateway.example.com/tier: internal
`,
		kinds:   defaultKinds,
		touches: "service.clusterIP, selectorLabels, internalTrafficPolicy, ipFamilyPolicy SingleStack, ipFamilies, extra labels",
	},
	{
		name: "service-none", release: "istio-ingress", namespace: "istio-ingress",
		set:     []string{"service.type=None"},
		kinds:   "ServiceAccount Role RoleBinding Deployment HorizontalPodAutoscaler",
		touches: "service.type None (no Service)",
	},
	{
		name: "service-loadbalancer-full", release: "istio-ingress", namespace: "istio-ingress",
		file: `
annotations:
  example.com/owner: platform-team
  example.com/cost-center: cc-1234
service:
  type: LoadBalancer
  annotations:
    service.beta.kubernetes.io/aws-load-balancer-scheme: internet-facing
    example.com/owner: edge-team
  loadBalancerIP: 203.0.113.10
  loadBalancerSourceRanges:
  - 10.0.0.0/8
  - 192.168.0.0/16
  externalTrafficPolicy: Local
  healthCheckNodePort: 32021
  externalIPs:
  - 198.51.100.7
  allocateLoadBalancerNodePorts: false
  loadBalancerClass: service.k8s.aws/nlb
`,
		kinds: defaultKinds,
		touches: "service.annotations merged with annotations (service wins), loadBalancerIP, loadBalancerSourceRanges, " +
			"externalTrafficPolicy Local, healthCheckNodePort, externalIPs, allocateLoadBalancerNodePorts, loadBalancerClass",
	},
	{
		name: "service-dual-stack", release: "istio-ingress", namespace: "istio-ingress",
		file: `
service:
  ipFamilyPolicy: RequireDualStack
  ipFamilies: [IPv6, IPv4]
  allocateLoadBalancerNodePorts: true
`,
		kinds:   defaultKinds,
		touches: "service.ipFamilyPolicy RequireDualStack, ipFamilies order, allocateLoadBalancerNodePorts true",
	},
	{
		name: "service-lb-fields-on-clusterip", release: "istio-egress", namespace: "istio-system",
		file: `
service:
  type: ClusterIP
  allocateLoadBalancerNodePorts: false
  loadBalancerClass: service.k8s.aws/nlb
`,
		kinds:   defaultKinds,
		touches: "allocateLoadBalancerNodePorts/loadBalancerClass ignored unless type LoadBalancer",
	},
	{
		name: "resources-null-limit", release: "istio-ingress", namespace: "istio-ingress",
		file: `
resources:
  requests:
    cpu: 500m
    memory: 512Mi
  limits:
    cpu: null
    memory: 1Gi
`,
		kinds:   defaultKinds,
		touches: "resources with a null limit (limits.cpu omitted)",
	},
	{
		name: "resources-no-limits", release: "istio-ingress", namespace: "istio-ingress",
		set:     []string{"resources.limits=null", "resources.requests.cpu=250m"},
		kinds:   defaultKinds,
		touches: "resources.limits null via --set (no limits at all)",
	},
	{
		name: "autoscaling-full", release: "istio-ingress", namespace: "istio-ingress",
		file: `
autoscaling:
  minReplicas: 3
  maxReplicas: 12
  targetCPUUtilizationPercentage: 65
  targetMemoryUtilizationPercentage: 75
  autoscaleBehavior:
    scaleDown:
      stabilizationWindowSeconds: 300
      policies:
      - type: Pods
        value: 1
        periodSeconds: 60
    scaleUp:
      selectPolicy: Max
      policies:
      - type: Percent
        value: 100
        periodSeconds: 15
podDisruptionBudget:
  minAvailable: 2
`,
		kinds:   defaultKinds + " PodDisruptionBudget",
		touches: "autoscaling min>1, CPU+memory targets, autoscaleBehavior; podDisruptionBudget.minAvailable (PDB rendered)",
	},
	{
		name: "pdb-fixed-replicas", release: "istio-ingress", namespace: "istio-ingress",
		file: `
autoscaling:
  enabled: false
replicaCount: 3
podDisruptionBudget:
  maxUnavailable: 1
  unhealthyPodEvictionPolicy: AlwaysAllow
`,
		kinds:   "ServiceAccount Role RoleBinding Service Deployment PodDisruptionBudget",
		touches: "podDisruptionBudget.maxUnavailable + unhealthyPodEvictionPolicy with replicaCount 3",
	},
	{
		name: "pdb-single-replica", release: "istio-ingress", namespace: "istio-ingress",
		file: `
autoscaling:
  enabled: false
replicaCount: 1
podDisruptionBudget:
  minAvailable: 1
`,
		kinds:   "ServiceAccount Role RoleBinding Service Deployment",
		touches: "podDisruptionBudget set but replicaCount 1 (no PDB)",
	},
	{
		name: "pdb-hpa-min-one", release: "istio-ingress", namespace: "istio-ingress",
		file: `
podDisruptionBudget:
  minAvailable: 50%
`,
		kinds:   defaultKinds,
		touches: "podDisruptionBudget set but autoscaling.minReplicas 1 (no PDB)",
	},
	{
		name: "env", release: "istio-ingress", namespace: "istio-ingress",
		file: `
env:
  ISTIO_META_ROUTER_MODE: sni-dnat
  ISTIO_META_HTTP10: "1"
envVarFrom:
- name: NODE_NAME
  valueFrom:
    fieldRef:
      fieldPath: spec.nodeName
- name: GATEWAY_TOKEN
  valueFrom:
    secretKeyRef:
      name: gateway-credentials
      key: token
`,
		kinds:   defaultKinds,
		touches: "env (sorted by name, quoted), envVarFrom",
	},
	{
		name: "rollout", release: "istio-ingress", namespace: "istio-ingress",
		file: `
strategy:
  type: RollingUpdate
  rollingUpdate:
    maxSurge: 100%
    maxUnavailable: 25%
minReadySeconds: 15
terminationGracePeriodSeconds: 90
`,
		kinds:   defaultKinds,
		touches: "strategy, minReadySeconds, terminationGracePeriodSeconds",
	},
	{
		name: "probe-lifecycle", release: "istio-ingress", namespace: "istio-ingress",
		file: `
readinessProbe:
  httpGet:
    path: /healthz/ready
    port: 15021
    scheme: HTTP
  initialDelaySeconds: 1
  periodSeconds: 2
  timeoutSeconds: 3
  successThreshold: 1
  failureThreshold: 30
lifecycle:
  postStart:
    exec:
      command: [pilot-agent, wait]
  preStop:
    exec:
      command: [sleep, "20"]
`,
		kinds:   defaultKinds,
		touches: "readinessProbe, lifecycle",
	},
	{
		name: "labels-override", release: "istio-ingress", namespace: "istio-ingress",
		file: `
labels:
  app: edge-gateway
  istio: edge
  team: networking
`,
		kinds:   defaultKinds,
		touches: "labels incl. overriding app and istio (selector labels)",
	},
	{
		name: "annotations", release: "istio-ingress", namespace: "istio-ingress",
		file: `
annotations:
  example.com/owner: platform-team
  example.com/contact: "#gateway-oncall"
`,
		kinds:   defaultKinds,
		touches: "annotations on every object that carries them",
	},
	{
		name: "scheduling", release: "istio-ingress", namespace: "istio-ingress",
		file: `
nodeSelector:
  kubernetes.io/os: linux
  node-role.example.com/ingress: "true"
tolerations:
- key: dedicated
  operator: Equal
  value: ingress
  effect: NoSchedule
topologySpreadConstraints:
- maxSkew: 1
  topologyKey: topology.kubernetes.io/zone
  whenUnsatisfiable: ScheduleAnyway
  labelSelector:
    matchLabels:
      app: istio-ingress
      istio: ingress
affinity:
  podAntiAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            app: istio-ingress
priorityClassName: system-cluster-critical
`,
		kinds:   defaultKinds,
		touches: "nodeSelector, tolerations, topologySpreadConstraints, affinity, priorityClassName",
	},
	{
		name: "dns", release: "istio-ingress", namespace: "istio-ingress",
		file: `
dnsPolicy: None
dnsConfig:
  nameservers: [10.96.0.10]
  searches:
  - istio-ingress.svc.cluster.local
  - svc.cluster.local
  options:
  - name: ndots
    value: "2"
  - name: edns0
`,
		kinds:   defaultKinds,
		touches: "dnsPolicy, dnsConfig",
	},
	{
		name: "network-gateway", release: "istio-eastwestgateway", namespace: "istio-system",
		set:     []string{"networkGateway=network1"},
		kinds:   defaultKinds,
		touches: "networkGateway with default networkGatewayPorts (service ports, network label, env)",
	},
	{
		name: "network-gateway-custom-ports", release: "istio-eastwestgateway", namespace: "istio-system",
		file: `
networkGateway: network2
service:
  type: LoadBalancer
networkGatewayPorts:
  tls:
    port: 15443
    targetPort: 16443
    protocol: TCP
  tls-webhook:
    port: 8443
`,
		kinds:   defaultKinds,
		touches: "networkGatewayPorts merged into the defaults (custom port/targetPort/protocol, default targetPort kept)",
	},
	{
		name: "image-pull", release: "istio-ingress", namespace: "istio-ingress",
		file: `
imagePullPolicy: Always
imagePullSecrets:
- name: registry-credentials
`,
		kinds:   defaultKinds,
		touches: "imagePullPolicy, imagePullSecrets",
	},
	{
		name: "volumes", release: "istio-ingress", namespace: "istio-ingress",
		file: `
volumes:
- name: gateway-certs
  secret:
    secretName: gateway-certs
    optional: true
- name: scratch
  emptyDir:
    medium: Memory
    sizeLimit: 64Mi
volumeMounts:
- name: gateway-certs
  mountPath: /etc/istio/gateway-certs
  readOnly: true
- name: scratch
  mountPath: /var/run/scratch
`,
		kinds:   defaultKinds,
		touches: "volumes, volumeMounts",
	},
	{
		name: "extra-containers", release: "istio-ingress", namespace: "istio-ingress",
		file: `
initContainers:
- name: wait-for-istiod
  image: busybox:1.36
  command: [sh, -c, "until nslookup istiod.istio-system.svc; do sleep 2; done"]
additionalContainers:
- name: log-shipper
  image: fluent/fluent-bit:3.1
  ports:
  - containerPort: 2020
    name: http-metrics
  resources:
    requests:
      cpu: 10m
      memory: 32Mi
`,
		kinds:   defaultKinds,
		touches: "initContainers, additionalContainers",
	},
	{
		name: "networkpolicy", release: "istio-ingress", namespace: "istio-ingress",
		set:     []string{"global.networkPolicy.enabled=true"},
		kinds:   defaultKinds + " NetworkPolicy",
		touches: "global.networkPolicy.enabled without revision (duplicate app/istio label keys)",
	},
	{
		name: "networkpolicy-revision", release: "istio-ingress", namespace: "istio-ingress",
		file: `
revision: 1-27-3
global:
  networkPolicy:
    enabled: true
service:
  ports:
  - name: status-port
    port: 15021
    protocol: TCP
  - name: http2
    port: 80
    targetPort: 8080
    protocol: TCP
  - name: http3
    port: 443
    targetPort: 8443
    protocol: UDP
`,
		kinds:   defaultKinds + " NetworkPolicy",
		touches: "global.networkPolicy.enabled with revision (name suffix, istio.io/rev), port without targetPort, UDP",
	},
	{
		name: "networkpolicy-labels", release: "istio-ingress", namespace: "istio-ingress",
		file: `
global:
  networkPolicy:
    enabled: true
labels:
  app: edge-gateway
  istio: edge
`,
		kinds:   defaultKinds + " NetworkPolicy",
		touches: "NetworkPolicy with app/istio label overrides (its repeated label keys then differ; last wins)",
	},
	{
		name: "global-flattening", release: "istio-ingress", namespace: "istio-ingress",
		file: `
global:
  imagePullPolicy: IfNotPresent
`,
		kinds:   defaultKinds,
		touches: "global.* values flattened onto top-level values by the chart (global.imagePullPolicy)",
	},
	{
		name: "profile-demo", release: "istio-ingress", namespace: "istio-ingress",
		file:    `profile: demo`,
		kinds:   defaultKinds,
		touches: "profile demo",
	},
	{
		name: "platform-openshift", release: "istio-ingress", namespace: "istio-ingress",
		file:    `platform: openshift`,
		kinds:   defaultKinds,
		touches: "platform openshift",
	},
	{
		name: "compatibility-version", release: "istio-ingress", namespace: "istio-ingress",
		set:     []string{"compatibilityVersion=1.27"},
		kinds:   defaultKinds,
		touches: "compatibilityVersion 1.27",
	},
}
