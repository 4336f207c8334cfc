package traffic

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	internalupstream "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/internal_upstream/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	upstreamhttp "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
	"sigs.k8s.io/yaml"

	"istio.io/istio/pilot/pkg/features"
	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/test/xds"
	"istio.io/istio/pilot/test/xdstest"
	"istio.io/istio/pkg/config/mesh"
	"istio.io/istio/pkg/test"
)

// TestWaypointEgress proves, for every golden output whose hosts leave through an ambient waypoint
// (a Gateway of class istio-waypoint), what Istio's simulator cannot follow (HBONE from ztunnel to
// the waypoint): that istiod, with ambient enabled (PILOT_ENABLE_AMBIENT), serves the waypoint a
// cluster for every port of every ServiceEntry bound to it (label istio.io/use-waypoint), and
// that each cluster leaves the way the GatewayPattern says: a wildcard host through Envoy's
// dynamic forward proxy (DYNAMIC_DNS), a TLS-origination port with TLS to the host (its SNI, or,
// for a wildcard, the request's own: auto SNI). The objects go to istiod as Istio's own waypoint
// tests give them (pilot/pkg/xds/waypoint_test.go): as config and as Kubernetes objects (the
// ambient index reads the latter), the Gateway with the address Istio would report in its
// status, and the waypoint's pod as a WorkloadEntry.
func TestWaypointEgress(t *testing.T) {
	checked := 0
	for _, g := range goldens(t) {
		objs := g.objects(t)
		var waypoint *object
		for i, o := range objs {
			if o.group() == gatewayAPIGroup && o.Kind == "Gateway" && strings.Contains(string(o.raw), "gatewayClassName: "+waypointClass) {
				waypoint = &objs[i]
			}
		}
		if waypoint == nil {
			continue
		}
		checked++
		t.Run(g.name, func(t *testing.T) {
			test.SetForTest(t, &features.EnableAmbient, true)
			checkWaypoint(t, objs, *waypoint)
		})
	}
	if checked == 0 {
		t.Fatal("no golden output has a waypoint: nothing was checked")
	}
}

// wantedCluster is what a waypoint cluster must be for one ServiceEntry port.
type wantedCluster struct {
	name     string
	dynamic  bool   // Envoy's dynamic forward proxy (DYNAMIC_DNS)
	tls      bool   // TLS originated towards the host
	sni      string // the originated TLS's SNI; "" with tls: auto SNI (the request's Host)
	wildcard bool
}

func checkWaypoint(t *testing.T, objs []object, waypoint object) {
	name, ns := waypoint.Metadata.Name, waypoint.Metadata.Namespace
	const podIP = "10.244.0.20"
	var istio, kube []string
	var wanted []wantedCluster
	for _, o := range objs {
		switch {
		case o.group() == "networking.istio.io" || o.group() == "security.istio.io":
			istio = append(istio, string(o.raw))
			kube = append(kube, string(o.raw))
			if o.Kind == "ServiceEntry" {
				wanted = append(wanted, waypointClusters(t, o, objs)...)
			}
		case o.group() == gatewayAPIGroup && o.Kind == "Gateway" && o.Metadata.Name == name:
			kube = append(kube, string(o.raw)+fmt.Sprintf("status:\n  addresses:\n  - type: Hostname\n    value: %s.%s.svc.cluster.local\n", name, ns))
		case o.group() == gatewayAPIGroup:
			kube = append(kube, string(o.raw))
		}
	}
	// What Istio deploys for the waypoint: its Service (named after the Gateway) and a pod.
	kube = append(kube, fmt.Sprintf(`apiVersion: v1
kind: Service
metadata:
  name: %[1]s
  namespace: %[2]s
  labels: {%[3]s: %[4]s, gateway.networking.k8s.io/gateway-name: %[1]s}
spec:
  clusterIP: 10.96.0.100
  ports: [{name: mesh, port: 15008, appProtocol: hbone}]
  selector: {gateway.networking.k8s.io/gateway-name: %[1]s}
`, name, ns, gatewayManagedLabel, meshControllerLabel), fmt.Sprintf(`apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: %[1]s-pod, namespace: %[2]s}
spec:
  address: %[3]s
  labels: {gateway.networking.k8s.io/gateway-name: %[1]s}
`, name, ns, podIP))
	d := xds.NewFakeDiscoveryServer(t, xds.FakeOptions{
		ConfigString:           strings.Join(istio, "\n---\n"),
		KubernetesObjectString: strings.Join(kube, "\n---\n"),
		MeshConfig:             mesh.DefaultMeshConfig(),
		KubeClientModifier:     stampGatewayAPICRDs,
	})
	p := d.SetupProxy(&model.Proxy{
		Type:            model.Waypoint,
		ConfigNamespace: ns,
		Labels: map[string]string{
			"gateway.networking.k8s.io/gateway-name": name,
			gatewayManagedLabel:                      meshControllerLabel,
		},
		IPAddresses: []string{podIP},
	})
	clusters := xdstest.ExtractClusters(d.Clusters(p))
	var names []string
	for n := range clusters {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, w := range wanted {
		c := clusters[w.name]
		if c == nil {
			t.Errorf("the waypoint has no cluster %s; it has %v", w.name, names)
			continue
		}
		_, isDynamic := c.GetClusterDiscoveryType().(*cluster.Cluster_ClusterType)
		if isDynamic != w.dynamic {
			t.Errorf("%s: dynamic forward proxy %v, want %v", w.name, isDynamic, w.dynamic)
		}
		if w.tls {
			checkOriginatedTLS(t, c, w)
		}
	}
}

// waypointClusters are the clusters a ServiceEntry's ports must give its waypoint (Istio names
// them inbound-vip|<port>|<http or tcp>|<host>), with the TLS that the DestinationRules of the
// host open on them.
func waypointClusters(t *testing.T, se object, objs []object) []wantedCluster {
	var spec struct {
		Spec struct {
			Hosts      []string `json:"hosts"`
			Resolution string   `json:"resolution"`
			Ports      []struct {
				Number   int    `json:"number"`
				Protocol string `json:"protocol"`
			} `json:"ports"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(se.raw, &spec); err != nil {
		t.Fatal(err)
	}
	host := spec.Spec.Hosts[0]
	var out []wantedCluster
	for _, port := range spec.Spec.Ports {
		kind := "tcp"
		if port.Protocol == "HTTP" {
			kind = "http"
		}
		w := wantedCluster{
			name:     fmt.Sprintf("inbound-vip|%d|%s|%s", port.Number, kind, host),
			dynamic:  spec.Spec.Resolution == "DYNAMIC_DNS",
			wildcard: strings.HasPrefix(host, "*."),
		}
		w.tls, w.sni = originationOn(t, objs, host, port.Number)
		out = append(out, w)
	}
	return out
}

// originationOn reads, among the DestinationRules, the TLS opened to host on port.
func originationOn(t *testing.T, objs []object, host string, port int) (bool, string) {
	for _, o := range objs {
		if o.Kind != "DestinationRule" {
			continue
		}
		var dr struct {
			Spec struct {
				Host          string `json:"host"`
				TrafficPolicy struct {
					PortLevelSettings []struct {
						Port struct {
							Number int `json:"number"`
						} `json:"port"`
						TLS struct {
							Mode string `json:"mode"`
							SNI  string `json:"sni"`
						} `json:"tls"`
					} `json:"portLevelSettings"`
				} `json:"trafficPolicy"`
			} `json:"spec"`
		}
		if err := yaml.Unmarshal(o.raw, &dr); err != nil {
			t.Fatal(err)
		}
		if dr.Spec.Host != host {
			continue
		}
		for _, s := range dr.Spec.TrafficPolicy.PortLevelSettings {
			if s.Port.Number == port && s.TLS.Mode != "" && s.TLS.Mode != "DISABLE" {
				return true, s.TLS.SNI
			}
		}
	}
	return false, ""
}

// checkOriginatedTLS: a waypoint cluster sends through an internal upstream, whose inner transport
// socket is the TLS to the host: with the host as SNI, or, on a dynamic forward proxy cluster, the
// request's Host (auto SNI, with the certificate checked against it).
func checkOriginatedTLS(t *testing.T, c *cluster.Cluster, w wantedCluster) {
	if w.dynamic {
		po := c.GetTypedExtensionProtocolOptions()["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]
		var options upstreamhttp.HttpProtocolOptions
		if po == nil || po.UnmarshalTo(&options) != nil {
			t.Errorf("%s: no HTTP protocol options, so no auto SNI for the originated TLS", w.name)
			return
		}
		if !options.GetUpstreamHttpProtocolOptions().GetAutoSni() || !options.GetUpstreamHttpProtocolOptions().GetAutoSanValidation() {
			t.Errorf("%s: the originated TLS does not take the request's host as SNI and check it: %v", w.name, options.GetUpstreamHttpProtocolOptions())
		}
		return
	}
	var inner internalupstream.InternalUpstreamTransport
	if err := c.GetTransportSocket().GetTypedConfig().UnmarshalTo(&inner); err != nil {
		t.Errorf("%s: transport socket %s is not an internal upstream: %v", w.name, c.GetTransportSocket().GetTypedConfig().GetTypeUrl(), err)
		return
	}
	var tls tlsv3.UpstreamTlsContext
	if err := inner.GetTransportSocket().GetTypedConfig().UnmarshalTo(&tls); err != nil {
		t.Errorf("%s: no TLS towards the host (transport socket %s): %v", w.name, inner.GetTransportSocket().GetTypedConfig().GetTypeUrl(), err)
		return
	}
	if tls.GetSni() != w.sni {
		t.Errorf("%s: originated TLS with SNI %q, want %q", w.name, tls.GetSni(), w.sni)
	}
}
