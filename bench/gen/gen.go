// Package gen writes the generated ResourceLists of the benchmarks (make bench's bench/gen-large
// and the Go benchmarks in bench_test.go), so no large input is committed.
package gen

import (
	"bufio"
	"fmt"
	"io"
)

// ResourceList writes a ResourceList of items pass-through resources (alternately a ConfigMap and
// a Deployment) whose functionConfig is the seed Ingress GatewayPattern when hosts is 0, else an
// Egress GatewayPattern with that many external hosts (three of four HTTPS, one plain HTTP).
func ResourceList(out io.Writer, items, hosts int) error {
	w := bufio.NewWriter(out)
	fmt.Fprintln(w, "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:")
	for i := 0; i < items; i++ {
		if i%2 == 0 {
			writeConfigMap(w, i)
		} else {
			writeDeployment(w, i)
		}
	}
	if items == 0 {
		fmt.Fprintln(w, "  []")
	}
	fmt.Fprintln(w, "functionConfig:")
	if hosts == 0 {
		fmt.Fprint(w, seedIngress)
		return w.Flush()
	}
	fmt.Fprint(w, egressHeader)
	for i := 0; i < hosts; i++ {
		if i%4 == 3 {
			fmt.Fprintf(w, "      - {host: api-%d.example.com, port: 80, protocol: HTTP}\n", i)
		} else {
			fmt.Fprintf(w, "      - {host: api-%d.example.com, protocol: HTTPS}\n", i)
		}
	}
	return w.Flush()
}

func writeConfigMap(w *bufio.Writer, i int) {
	fmt.Fprintf(w, `- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: app-config-%d
    namespace: team-%d
    labels:
      app.kubernetes.io/name: app-%d
      app.kubernetes.io/part-of: shop
    annotations:
      config.kubernetes.io/origin: "path: apps/app-%d/configmap.yaml"
  data:
    LOG_LEVEL: info
    FEATURE_FLAGS: "checkout,search,recommendations"
    settings.yaml: |
      server:
        port: 8080
        timeout: 30s
`, i, i%50, i, i)
}

func writeDeployment(w *bufio.Writer, i int) {
	fmt.Fprintf(w, `- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: app-%d
    namespace: team-%d
    labels:
      app.kubernetes.io/name: app-%d
  spec:
    replicas: 2
    selector:
      matchLabels:
        app.kubernetes.io/name: app-%d
    template:
      metadata:
        labels:
          app.kubernetes.io/name: app-%d
      spec:
        containers:
        - name: app
          image: registry.example.com/app-%d:1.2.3
          ports:
          - containerPort: 8080
            name: http
          resources:
            requests: {cpu: 100m, memory: 128Mi}
`, i, i%50, i, i, i, i)
}

const seedIngress = `  apiVersion: fn.gatewaypattern.dev/v1alpha1
  kind: GatewayPattern
  metadata:
    name: istio-ingress
    namespace: istio-ingress
  spec:
    pattern: Ingress
    values:
      service:
        type: LoadBalancer
        ports:
        - name: http2
          port: 80
        - name: https
          port: 443
`

const egressHeader = `  apiVersion: fn.gatewaypattern.dev/v1alpha1
  kind: GatewayPattern
  metadata:
    name: istio-egress
    namespace: istio-system
  spec:
    pattern: Egress
    values:
      service:
        type: ClusterIP
    egress:
      sidecarToGateway: DISABLE
      hosts:
`
