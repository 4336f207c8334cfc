package conformance

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goldenGlobs are the generated outputs checked in by the function's own tests and examples,
// relative to this package. A golden case's input.yaml beside its expected.yaml, when present, tells
// which labelled items were passed through rather than generated (see ValidateGenerated).
var goldenGlobs = []string{
	"../../testdata/*/expected.yaml",
	"../../examples/*/.expected/kustomize.yaml",
}

// failedRun matches the error results of a ResourceList as kyaml writes them.
var failedRun = regexp.MustCompile(`(?m)^  severity: error$`)

func TestGoldenOutputsAreValid(t *testing.T) {
	var files []string
	for _, g := range goldenGlobs {
		m, err := filepath.Glob(g)
		require.NoError(t, err)
		files = append(files, m...)
	}
	sort.Strings(files)
	if len(files) == 0 {
		t.Skipf("!!! NO GOLDEN OUTPUT FOUND (%s): nothing the function emits was validated against Istio and Kubernetes !!!",
			strings.Join(goldenGlobs, ", "))
	}
	total := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		// A failed run generates nothing (the golden test checks that its items come back
		// unchanged), and its functionConfig may be YAML no strict parser accepts.
		if failedRun.Match(data) {
			t.Logf("%s: a failed run, nothing generated to check", f)
			continue
		}
		var (
			checked       int
			passedThrough []string
			errs          []error
		)
		input, err := os.ReadFile(filepath.Join(filepath.Dir(f), "input.yaml"))
		switch {
		case err == nil && filepath.Base(f) == "expected.yaml":
			checked, passedThrough, errs = ValidateGenerated(data, input)
		case err == nil || errors.Is(err, fs.ErrNotExist):
			checked, errs = ValidateStream(data)
		default:
			t.Fatal(err)
		}
		total += checked
		t.Logf("%s: %d generated objects checked", f, checked)
		for _, p := range passedThrough {
			t.Logf("%s: not checked, passed through unchanged from input.yaml: %s", f, p)
		}
		for _, err := range errs {
			t.Errorf("%s: %v", f, err)
		}
	}
	if total < 1 {
		t.Fatalf("%d golden files found but not one generated object (label %s: %s) was checked in them",
			len(files), ManagedByLabel, ManagedByValue)
	}
}

// validObjects must all pass. The first four are the seed document's objects, rewritten to the v1 API.
var validObjects = map[string]string{
	"cert-manager Certificate from a ClusterIssuer": `
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: shop-tls, namespace: istio-ingress}
spec:
  secretName: shop-tls
  dnsNames: [shop.example.com, "*.shop.example.com"]
  issuerRef: {name: letsencrypt, kind: ClusterIssuer, group: cert-manager.io}
  duration: 2160h
  renewBefore: 720h
  privateKey: {algorithm: ECDSA, size: 384, rotationPolicy: Always}
`,
	"seed ServiceEntry": `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: google-external
spec:
  hosts:
  - google.com
  ports:
  - number: 80
    name: http
    protocol: HTTP
  resolution: DNS
  location: MESH_EXTERNAL
`,
	"seed egress Gateway": `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: istio-egressgateway
  namespace: istio-system
spec:
  selector:
    istio: egressgateway
  servers:
  - port:
      number: 80
      name: http
      protocol: HTTP
    hosts:
    - google.com
`,
	"seed two-hop VirtualService": `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: google-route
spec:
  hosts:
  - google.com
  gateways:
  - mesh
  - istio-egressgateway
  http:
  - match:
    - gateways:
      - mesh
      port: 80
    route:
    - destination:
        host: istio-egressgateway.istio-system.svc.cluster.local
        port:
          number: 80
  - match:
    - gateways:
      - istio-egressgateway
      port: 80
    route:
    - destination:
        host: google.com
        port:
          number: 80
`,
	"seed east-west AUTO_PASSTHROUGH Gateway": `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: eastwestgateway
  namespace: istio-system
spec:
  selector:
    istio: eastwestgateway
  servers:
  - port:
      number: 15443
      name: tls
      protocol: TLS
    tls:
      mode: AUTO_PASSTHROUGH
    hosts:
    - "*.local"
`,
	"ingress Gateway with HTTPS SIMPLE and credentialName": `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: shop
  namespace: istio-ingress
  labels:
    app.kubernetes.io/managed-by: gateway-pattern
spec:
  selector:
    istio: ingress
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [shop.example.com]
    tls: {httpsRedirect: true}
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [shop.example.com]
    tls: {mode: SIMPLE, credentialName: shop-tls}
`,
	"AuthorizationPolicy on the egress gateway": `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: istio-egressgateway
  namespace: istio-system
spec:
  selector:
    matchLabels:
      istio: egressgateway
  action: ALLOW
  rules:
  - from:
    - source:
        principals:
        - cluster.local/ns/shop/sa/checkout
`,
	"DestinationRule ISTIO_MUTUAL with sni": `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: egressgateway-for-google
  namespace: istio-system
spec:
  host: istio-egressgateway.istio-system.svc.cluster.local
  subsets:
  - name: google
    trafficPolicy:
      portLevelSettings:
      - port:
          number: 443
        tls:
          mode: ISTIO_MUTUAL
          sni: google.com
`,
	"DestinationRule TLS origination": `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: originate-tls-google
  namespace: istio-system
spec:
  host: google.com
  trafficPolicy:
    portLevelSettings:
    - port:
        number: 443
      tls:
        mode: SIMPLE
        sni: google.com
`,
	"chart ServiceAccount": `
apiVersion: v1
kind: ServiceAccount
metadata:
  name: istio-ingress
  namespace: istio-ingress
  labels:
    app: istio-ingress
    istio: ingress
    app.kubernetes.io/name: istio-ingress
    app.kubernetes.io/managed-by: gateway-pattern
`,
	"chart Role": `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: istio-ingress
  namespace: istio-ingress
rules:
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "watch", "list"]
`,
	"chart RoleBinding": `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: istio-ingress
  namespace: istio-ingress
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: istio-ingress
subjects:
- kind: ServiceAccount
  name: istio-ingress
`,
	"chart Service": `
apiVersion: v1
kind: Service
metadata:
  name: istio-ingress
  namespace: istio-ingress
  labels:
    app: istio-ingress
    istio: ingress
  annotations: {}
spec:
  type: LoadBalancer
  ports:
  - name: status-port
    port: 15021
    protocol: TCP
    targetPort: 15021
  - name: http2
    port: 80
    protocol: TCP
    targetPort: 80
  - name: https
    port: 443
    protocol: TCP
    targetPort: 443
  selector:
    app: istio-ingress
    istio: ingress
`,
	"chart Deployment": `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: istio-ingress
  namespace: istio-ingress
  labels:
    app: istio-ingress
    istio: ingress
    app.kubernetes.io/name: istio-ingress
    app.kubernetes.io/managed-by: gateway-pattern
  annotations: {}
spec:
  selector:
    matchLabels:
      app: istio-ingress
      istio: ingress
  template:
    metadata:
      annotations:
        inject.istio.io/templates: gateway
        prometheus.io/path: /stats/prometheus
        prometheus.io/port: "15020"
        prometheus.io/scrape: "true"
        sidecar.istio.io/inject: "true"
      labels:
        app: istio-ingress
        istio: ingress
        sidecar.istio.io/inject: "true"
        istio.io/dataplane-mode: none
    spec:
      serviceAccountName: istio-ingress
      securityContext:
        sysctls:
        - name: net.ipv4.ip_unprivileged_port_start
          value: "0"
      containers:
      - name: istio-proxy
        image: auto
        securityContext:
          allowPrivilegeEscalation: false
          capabilities:
            drop: [ALL]
          privileged: false
          readOnlyRootFilesystem: true
          runAsGroup: 1337
          runAsNonRoot: true
          runAsUser: 1337
        env:
        - name: ISTIO_META_REQUESTED_NETWORK_VIEW
          value: network1
        ports:
        - containerPort: 15090
          protocol: TCP
          name: http-envoy-prom
        resources:
          requests:
            cpu: 100m
            memory: 128Mi
          limits:
            cpu: 2000m
            memory: 1024Mi
      terminationGracePeriodSeconds: 30
`,
	"chart HorizontalPodAutoscaler": `
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: istio-ingress
  namespace: istio-ingress
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: istio-ingress
  minReplicas: 1
  maxReplicas: 5
  metrics:
  - type: Resource
    resource:
      name: cpu
      target:
        type: Utilization
        averageUtilization: 80
`,
	"chart PodDisruptionBudget": `
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: istio-ingress
  namespace: istio-ingress
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app: istio-ingress
      istio: ingress
`,
	"chart NetworkPolicy": `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: istio-ingress
  namespace: istio-ingress
spec:
  podSelector:
    matchLabels:
      app: istio-ingress
      istio: ingress
  policyTypes: [Ingress, Egress]
  ingress:
  - ports:
    - port: 15021
      protocol: TCP
    - port: 80
      protocol: TCP
  egress:
  - {}
`,
}

func TestValidObjectsPass(t *testing.T) {
	for name, doc := range validObjects {
		t.Run(name, func(t *testing.T) {
			assert.NoError(t, ValidateObject([]byte(doc)))
		})
	}
}

// invalidObjects must each be rejected, with an error containing want: proof that the harness can fail
// and that it fails for the right reason.
var invalidObjects = []struct {
	name, want, doc string
}{
	{"Certificate with an unknown field", `unknown field "spec.dnsName"`, `
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: shop-tls, namespace: istio-ingress}
spec:
  secretName: shop-tls
  dnsName: [shop.example.com]
  issuerRef: {name: letsencrypt}
`},
	{"Certificate key algorithm outside the CRD's enum", `spec.privateKey.algorithm: Unsupported value: "DSA"`, `
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: shop-tls, namespace: istio-ingress}
spec:
  secretName: shop-tls
  dnsNames: [shop.example.com]
  issuerRef: {name: letsencrypt}
  privateKey: {algorithm: DSA}
`},
	{"Certificate without secretName (CRD required)", `spec.secretName: Required value`, `
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: shop-tls, namespace: istio-ingress}
spec:
  dnsNames: [shop.example.com]
  issuerRef: {name: letsencrypt}
`},
	{"Certificate renewing before its default 90-day duration ends", "certificate duration 2160h0m0s must be greater than renewBefore 2400h0m0s", `
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: shop-tls, namespace: istio-ingress}
spec:
  secretName: shop-tls
  dnsNames: [shop.example.com]
  issuerRef: {name: letsencrypt}
  renewBefore: 2400h
`},
	{"Certificate of an unknown cert-manager issuer kind", "spec.issuerRef.kind: Invalid value: \"ClusterIsuer\": must be one of Issuer or ClusterIssuer", `
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: shop-tls, namespace: istio-ingress}
spec:
  secretName: shop-tls
  dnsNames: [shop.example.com]
  issuerRef: {name: letsencrypt, kind: ClusterIsuer}
`},
	{"Gateway with empty servers", "gateway must have at least one server", `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: istio-system}
spec:
  selector: {istio: ingress}
  servers: []
`},
	{"Gateway server port name clash", "port names in servers must be unique", `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: istio-system}
spec:
  selector: {istio: ingress}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [a.example.com]
  - port: {number: 8080, name: http, protocol: HTTP}
    hosts: [b.example.com]
`},
	{"Gateway server with a bad protocol", "invalid protocol", `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: istio-system}
spec:
  selector: {istio: ingress}
  servers:
  - port: {number: 80, name: http, protocol: HTTPX}
    hosts: [a.example.com]
`},
	{"Gateway HTTPS server SIMPLE without credentialName", "SIMPLE TLS requires a server certificate", `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: istio-ingress}
spec:
  selector: {istio: ingress}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [shop.example.com]
    tls: {mode: SIMPLE}
`},
	{"Gateway HTTPS server without tls", "server must have TLS settings", `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: istio-ingress}
spec:
  selector: {istio: ingress}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [shop.example.com]
`},
	{"Gateway with a typo in a server field", `unknown field "hostz"`, `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: istio-system}
spec:
  selector: {istio: ingress}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hostz: [a.example.com]
`},
	{"Gateway with a snake_case field name (protobuf JSON accepts it, the CRD does not)", "unknown fields", `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: istio-ingress}
spec:
  selector: {istio: ingress}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [shop.example.com]
    tls: {mode: SIMPLE, credential_name: shop-tls}
`},
	{"Gateway whose only problem is an Istio warning", "istio validation warning", `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: istio-system}
spec:
  selector: {istio: eastwestgateway}
  servers:
  - port: {number: 15443, name: tls, protocol: TLS}
    hosts: ["*.local"]
    tls: {mode: AUTO_PASSTHROUGH, httpsRedirect: true}
`},
	{"Gateway with a dotted name", "invalid gateway name", `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: my.gw, namespace: istio-system}
spec:
  selector: {istio: ingress}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [a.example.com]
`},
	{"Gateway carrying a status", `unknown field "status"`, `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: istio-system}
spec:
  selector: {istio: ingress}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [a.example.com]
status: {}
`},
	{"networking.istio.io/v1beta1 Gateway", "only networking.istio.io/v1 is emitted", `
apiVersion: networking.istio.io/v1beta1
kind: Gateway
metadata: {name: gw, namespace: istio-system}
spec:
  selector: {istio: ingress}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [a.example.com]
`},
	{"networking.istio.io/v1alpha3 VirtualService", "only networking.istio.io/v1 is emitted", `
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: {name: vs}
spec:
  hosts: [a.example.com]
  http:
  - route:
    - destination: {host: a.example.com}
`},
	{"security.istio.io/v1beta1 AuthorizationPolicy", "only security.istio.io/v1 is emitted", `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: ap}
spec: {}
`},
	// Istio accepts a VirtualService without hosts and without gateways: it is a delegate, included by
	// another VirtualService. Bound to a gateway, as everything gateway-pattern makes is, it is an error.
	{"VirtualService with no hosts", "delegate virtual service must have no gateways", `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: vs, namespace: istio-system}
spec:
  gateways: [istio-egressgateway]
  http:
  - route:
    - destination: {host: google.com}
`},
	{"VirtualService with a typo (spec.htpp)", `unknown field "htpp"`, `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: vs}
spec:
  hosts: [google.com]
  htpp:
  - route:
    - destination: {host: google.com}
`},
	{"VirtualService destination port out of range", "port", `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: vs}
spec:
  hosts: [google.com]
  http:
  - route:
    - destination: {host: google.com, port: {number: 70000}}
`},
	{"ServiceEntry with a wildcard host and DNS resolution", "hosts must be FQDN", `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: se}
spec:
  hosts: ["*.google.com"]
  resolution: DNS
`},
	{"DestinationRule with an unknown TLS mode", `unknown value "\"ISTIO_MUTUALX\""`, `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: dr}
spec:
  host: google.com
  trafficPolicy:
    tls: {mode: ISTIO_MUTUALX}
`},
	{"AuthorizationPolicy with a bad principal field", `unknown field "principal"`, `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ap, namespace: istio-system}
spec:
  action: ALLOW
  rules:
  - from:
    - source:
        principal: [cluster.local/ns/shop/sa/checkout]
`},
	{"YAML with a duplicate key", "duplicate", `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: se}
spec:
  hosts: [google.com]
  hosts: [example.com]
  ports: [{number: 80, name: http, protocol: HTTP}]
  resolution: DNS
`},
	{"Deployment with an unknown field", `unknown field "spec.template.spec.containers[0].imagePullPolcy"`, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: gw, namespace: istio-ingress}
spec:
  selector: {matchLabels: {app: gw}}
  template:
    metadata: {labels: {app: gw}}
    spec:
      containers:
      - name: istio-proxy
        image: auto
        imagePullPolcy: Always
`},
	{"Deployment with a wrongly cased field", `unknown field "spec.template.spec.containers[0].ports[0].ContainerPort"`, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: gw, namespace: istio-ingress}
spec:
  selector: {matchLabels: {app: gw}}
  template:
    metadata: {labels: {app: gw}}
    spec:
      containers:
      - name: istio-proxy
        image: auto
        ports: [{ContainerPort: 15090}]
`},
	{"Deployment whose selector does not match its pods", "`selector` does not match template `labels`", `
apiVersion: apps/v1
kind: Deployment
metadata: {name: gw, namespace: istio-ingress}
spec:
  selector: {matchLabels: {app: gw, istio: ingress}}
  template:
    metadata: {labels: {app: gw}}
    spec:
      containers:
      - name: istio-proxy
        image: auto
`},
	{"Deployment with an invalid label value", "metadata.labels", `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: gw
  namespace: istio-ingress
  labels: {app: "not a valid value!"}
spec:
  selector: {matchLabels: {app: gw}}
  template:
    metadata: {labels: {app: gw}}
    spec:
      containers:
      - name: istio-proxy
        image: auto
`},
	{"Service with port 70000", "spec.ports[0].port: Invalid value: 70000", `
apiVersion: v1
kind: Service
metadata: {name: gw, namespace: istio-ingress}
spec:
  selector: {app: gw}
  ports:
  - name: http
    port: 70000
`},
	{"Service with two ports of the same name", "spec.ports[1].name: Duplicate value", `
apiVersion: v1
kind: Service
metadata: {name: gw, namespace: istio-ingress}
spec:
  selector: {app: gw}
  ports:
  - {name: http, port: 80}
  - {name: http, port: 8080}
`},
	{"Service with a name that is not a DNS-1035 label", "metadata.name", `
apiVersion: v1
kind: Service
metadata: {name: 1gw, namespace: istio-ingress}
spec:
  selector: {app: gw}
  ports: [{name: http, port: 80}]
`},
	{"HorizontalPodAutoscaler with maxReplicas below minReplicas", "spec.maxReplicas", `
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: gw, namespace: istio-ingress}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: gw}
  minReplicas: 3
  maxReplicas: 2
`},
	{"PodDisruptionBudget with minAvailable and maxUnavailable", "cannot be both set", `
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: gw, namespace: istio-ingress}
spec:
  minAvailable: 1
  maxUnavailable: 1
  selector: {matchLabels: {app: gw}}
`},
	{"autoscaling/v1 HorizontalPodAutoscaler", "unknown apiVersion/kind", `
apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: gw, namespace: istio-ingress}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: gw}
  maxReplicas: 2
`},
	{"a kind gateway-pattern never emits", "unknown apiVersion/kind", `
apiVersion: v1
kind: Secret
metadata: {name: s}
`},
	{"a Gateway's parameters ConfigMap with a key Istio does not apply", "data[deployments]: Unsupported value", `
apiVersion: v1
kind: ConfigMap
metadata: {name: gw, namespace: istio-ingress}
data:
  deployments: |
    spec: {replicas: 2}
`},
	{"a Gateway's parameters ConfigMap with a misspelt field in a patch", `unknown field "spec.replica"`, `
apiVersion: v1
kind: ConfigMap
metadata: {name: gw, namespace: istio-ingress}
data:
  deployment: |
    spec: {replica: 2}
`},
	{"two documents", "2 YAML documents given", `
apiVersion: v1
kind: ServiceAccount
metadata: {name: a, namespace: istio-system}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: b, namespace: istio-system}
`},
	{"no apiVersion", "apiVersion and kind are required", `
kind: Service
metadata: {name: gw}
`},
}

func TestInvalidObjectsFail(t *testing.T) {
	for _, tc := range invalidObjects {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateObject([]byte(tc.doc))
			require.Error(t, err, "the harness accepted an invalid object")
			assert.Contains(t, err.Error(), tc.want)
			var oe *ObjectError
			assert.True(t, errors.As(err, &oe), "errors are *ObjectError")
		})
	}
}

const resourceList = `
apiVersion: config.kubernetes.io/v1
kind: ResourceList
functionConfig:
  apiVersion: fn.gatewaypattern.dev/v1alpha1
  kind: GatewayPattern
  metadata: {name: istio-egressgateway}
items:
- apiVersion: fn.gatewaypattern.dev/v1alpha1
  kind: GatewayPattern
  metadata:
    name: istio-egressgateway
    labels: {app.kubernetes.io/managed-by: gateway-pattern}
  spec: {pattern: Egress, notAField: true}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: passed-through, namespace: shop}
  data: {a: b}
- apiVersion: networking.istio.io/v1beta1
  kind: Gateway
  metadata: {name: users-own-gateway, namespace: shop}
  spec: {}
- apiVersion: networking.istio.io/v1
  kind: ServiceEntry
  metadata:
    name: google-com
    namespace: istio-system
    labels: {app.kubernetes.io/managed-by: gateway-pattern}
  spec:
    hosts: [google.com]
    ports: [{number: 80, name: http, protocol: HTTP}]
    resolution: DNS
    location: MESH_EXTERNAL
- apiVersion: networking.istio.io/v1
  kind: Gateway
  metadata:
    name: istio-egressgateway
    namespace: istio-system
    labels: {app.kubernetes.io/managed-by: gateway-pattern}
  spec:
    selector: {istio: egressgateway}
    servers: []
`

func TestValidateResourceList(t *testing.T) {
	checked, errs := ValidateResourceList([]byte(resourceList))
	assert.Equal(t, 2, checked, "only the two generated items are checked")
	require.Len(t, errs, 1)
	msg := errs[0].Error()
	assert.Contains(t, msg, "items[4]")
	assert.Contains(t, msg, "Gateway istio-system/istio-egressgateway")
	assert.Contains(t, msg, "gateway must have at least one server")
}

func TestValidateResourceListRejectsOtherDocuments(t *testing.T) {
	_, errs := ValidateResourceList([]byte("apiVersion: v1\nkind: List\nitems: []\n"))
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].Error(), "not a ResourceList")
}

func TestValidateStream(t *testing.T) {
	// a ResourceList file is read as one
	checked, errs := ValidateStream([]byte(resourceList))
	assert.Equal(t, 2, checked)
	assert.Len(t, errs, 1)

	// a multi-document stream is read document by document, with the same skip rules
	stream := "# rendered\n---\n" + `
apiVersion: v1
kind: ConfigMap
metadata: {name: passed-through}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: istio-egressgateway
  namespace: istio-system
  labels: {app.kubernetes.io/managed-by: gateway-pattern}
---
apiVersion: v1
kind: Service
metadata:
  name: istio-egressgateway
  namespace: istio-system
  labels: {app.kubernetes.io/managed-by: gateway-pattern}
spec:
  ports: [{name: http, port: 70000}]
---
`
	checked, errs = ValidateStream([]byte(stream))
	assert.Equal(t, 2, checked)
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].Error(), "Service istio-system/istio-egressgateway")
}

// TestIstioKindsAreV1 guards the table against Istio's registry moving a kind's stored version.
func TestIstioKindsAreV1(t *testing.T) {
	for gvk, s := range istioKinds {
		assert.Equal(t, gvk.Group, s.Group(), gvk.String())
		assert.Equal(t, gvk.Kind, s.Kind(), gvk.String())
		assert.Equal(t, "v1", s.Version(), gvk.String())
	}
}
