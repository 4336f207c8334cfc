package traffic

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	metadatafake "k8s.io/client-go/metadata/fake"
	k8stesting "k8s.io/client-go/testing"
	"sigs.k8s.io/yaml"

	meshconfig "istio.io/api/mesh/v1alpha1"
	"istio.io/istio/pilot/pkg/config/kube/gatewaycommon"
	"istio.io/istio/pilot/pkg/features"
	"istio.io/istio/pilot/test/xds"
	kubelib "istio.io/istio/pkg/kube"
	"istio.io/istio/pkg/test"
)

// Gateway API objects (gateway.networking.k8s.io) are Kubernetes objects to Istio: they go to the
// fake istiod's Kubernetes client, and Istio's Gateway API controller converts them into the
// config its proxies get, exactly as istiod does in a cluster.

const gatewayAPIGroup = "gateway.networking.k8s.io"

// Istio's waypoint-based gateways: their classes, and the label Istio's waypoint template puts on
// their pods (the controller: constants.ManagedGatewayMeshControllerLabel for a waypoint).
const (
	waypointClass           = "istio-waypoint"
	eastWestClass           = "istio-east-west"
	gatewayManagedLabel     = "gateway.istio.io/managed"
	meshControllerLabel     = "istio.io-mesh-controller"
	eastWestControllerLabel = "istio.io-eastwest-controller"
)

// gatewayAPIBundleVersion is the Gateway API release whose CRDs the fake cluster claims to have
// installed (the gateway.networking.k8s.io/bundle-version annotation of each CRD). Istio watches a
// kind only when its CRD is at least the version it needs (TLSRoute 1.5, TCPRoute 1.6:
// istio.io/istio/pkg/config/schema/gatewayapi), and Istio's fake registers the CRDs without the
// annotation, so without this TLSRoutes and TCPRoutes would be ignored without a word. It is the
// version Istio's module builds against (go.mod).
const gatewayAPIBundleVersion = "v1.6.0"

// gatewayAPIGateway is what the harness reads of a generated Gateway API Gateway.
type gatewayAPIGateway struct {
	Metadata struct {
		Name      string            `json:"name"`
		Namespace string            `json:"namespace"`
		Labels    map[string]string `json:"labels"`
	} `json:"metadata"`
	Spec struct {
		GatewayClassName string `json:"gatewayClassName"`
		Addresses        []struct {
			Type  string `json:"type"`
			Value string `json:"value"`
		} `json:"addresses"`
		Listeners []struct {
			Name     string `json:"name"`
			Port     int32  `json:"port"`
			Protocol string `json:"protocol"`
			TLS      *struct {
				CertificateRefs []struct {
					Name      string `json:"name"`
					Namespace string `json:"namespace"`
				} `json:"certificateRefs"`
			} `json:"tls"`
		} `json:"listeners"`
	} `json:"spec"`
}

// addGatewayAPIObject takes one Gateway API object into the world. A Gateway without addresses is
// deployed by Istio (workload Automated): nothing generated runs it, so the harness adds what Istio's
// gateway deployment controller would create (istio.io/istio/pilot/pkg/config/kube/gatewaycommon,
// deploymentcontroller.go and the kube-gateway injection template): pods labelled
// gateway.networking.k8s.io/gateway-name: <gateway>, and the Service <gateway>-<class> selecting
// them, with the status port and one port per distinct listener port (targetPort = port). The
// waypoint and east-west classes name it after the Gateway alone.
func (w *world) addGatewayAPIObject(o object, ips *ipAllocator) error {
	w.gatewayAPI = append(w.gatewayAPI, string(o.raw))
	w.loaded = append(w.loaded, o.String())
	if o.Kind != "Gateway" {
		return nil
	}
	var gw gatewayAPIGateway
	if err := yaml.Unmarshal(o.raw, &gw); err != nil {
		return fmt.Errorf("%s: %w", o, err)
	}
	name, ns := gw.Metadata.Name, gw.Metadata.Namespace
	if err := w.addCredentials(gw); err != nil {
		return err
	}
	if w.gatewayServices == nil {
		w.gatewayServices = map[string]bool{}
	}
	if len(gw.Spec.Addresses) > 0 {
		for _, a := range gw.Spec.Addresses {
			if svc, svcNS, ok := strings.Cut(a.Value, "."); ok {
				w.gatewayServices[strings.SplitN(svcNS, ".", 2)[0]+"/"+svc] = true
			}
		}
		return nil // bound to a generated Service: its pods are the generated workload's
	}
	labels := map[string]string{"gateway.networking.k8s.io/gateway-name": name, "istio.io/gateway-name": name}
	for k, v := range gw.Metadata.Labels {
		if k == "topology.istio.io/network" {
			labels[k] = v // Istio copies the network label to the pods
		}
	}
	svcName := name + "-" + gw.Spec.GatewayClassName
	if gw.Spec.GatewayClassName == "istio-waypoint" || gw.Spec.GatewayClassName == eastWestClass {
		svcName = name // DisableNameSuffix in Istio's gatewaycommon/classinfo.go
	}
	if gw.Spec.GatewayClassName == waypointClass {
		// Istio deploys a waypoint from its waypoint template: pods labelled
		// gateway.istio.io/managed with the mesh controller, a waypoint proxy to istiod.
		labels[gatewayManagedLabel] = meshControllerLabel
	}
	if gw.Spec.GatewayClassName == eastWestClass {
		// Istio deploys an ambient east-west gateway from its waypoint template: pods labelled
		// gateway.istio.io/managed with the east-west controller, which makes istiod treat the
		// proxy as one (model.Proxy.IsAmbientEastWestGateway).
		labels[gatewayManagedLabel] = eastWestControllerLabel
		w.ambientEastWest = true
	}
	w.gatewayServices[ns+"/"+svcName] = true
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: svcName, Namespace: ns},
		Spec: corev1.ServiceSpec{
			Selector: map[string]string{"gateway.networking.k8s.io/gateway-name": name},
			Ports:    []corev1.ServicePort{{Name: "status-port", Port: 15021}},
		},
	}
	seen := map[int32]bool{}
	for _, l := range gw.Spec.Listeners {
		if seen[l.Port] {
			continue
		}
		seen[l.Port] = true
		svc.Spec.Ports = append(svc.Spec.Ports, corev1.ServicePort{Name: l.Name, Port: l.Port, TargetPort: intstr.FromInt32(l.Port)})
	}
	applyServiceDefaults(svc, ips)
	w.kube = append(w.kube, svc)
	w.services = append(w.services, svc)
	w.loaded = append(w.loaded, fmt.Sprintf("Service %s/%s (Istio's automated deployment)", ns, svc.Name))
	deployment := map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": name, "namespace": ns},
		"spec":     map[string]any{"template": map[string]any{"metadata": map[string]any{"labels": labels}}},
	}
	raw, err := yaml.Marshal(deployment)
	if err != nil {
		return err
	}
	w.gateways = append(w.gateways, object{APIVersion: "apps/v1", Kind: "Deployment", raw: raw,
		Metadata: struct {
			Name      string            `json:"name"`
			Namespace string            `json:"namespace"`
			Labels    map[string]string `json:"labels"`
		}{Name: name, Namespace: ns}})
	return nil
}

// newFakeIstiod starts Istio's fake istiod on a world: Istio config as config, Kubernetes and
// Gateway API objects in its Kubernetes client.
func newFakeIstiod(t *testing.T, w *world, m *meshconfig.MeshConfig) *xds.FakeDiscoveryServer {
	t.Helper()
	if w.ambientEastWest {
		enableAmbientMultiNetwork(t)
	}
	return xds.NewFakeDiscoveryServer(t, xds.FakeOptions{
		ConfigString:           w.istioConfig,
		KubernetesObjects:      w.kube,
		KubernetesObjectString: strings.Join(w.gatewayAPI, "\n---\n"),
		MeshConfig:             m,
		KubeClientModifier:     stampGatewayAPICRDs,
	})
}

// stampGatewayAPICRDs makes every Gateway API CRD the fake creates carry the bundle-version
// annotation (see gatewayAPIBundleVersion): a reactor on the fake metadata client, since the fake
// creates the CRDs after this runs.
func stampGatewayAPICRDs(c kubelib.Client) {
	fake, ok := c.Metadata().(*metadatafake.FakeMetadataClient)
	if !ok {
		panic(fmt.Sprintf("the fake client's metadata client is a %T, not the fake: the Gateway API CRDs cannot be stamped", c.Metadata()))
	}
	fake.PrependReactor("*", "customresourcedefinitions", func(action k8stesting.Action) (bool, runtime.Object, error) {
		var obj runtime.Object
		switch a := action.(type) {
		case k8stesting.CreateAction:
			obj = a.GetObject()
		case k8stesting.UpdateAction:
			obj = a.GetObject()
		default:
			return false, nil, nil
		}
		if m, ok := obj.(*metav1.PartialObjectMetadata); ok && strings.HasSuffix(m.Name, "."+gatewayAPIGroup) {
			if m.Annotations == nil {
				m.Annotations = map[string]string{}
			}
			m.Annotations[gatewayAPIGroup+"/bundle-version"] = gatewayAPIBundleVersion
		}
		return false, nil, nil
	})
}

// addCredentials adds the Secrets a Gateway's listeners refer to, as they exist in the cluster
// (the GatewayPattern only names them, like the application Services): Istio's Gateway API
// controller drops a listener whose certificateRef resolves to nothing (status
// InvalidCertificateRef), where Istio's own Gateway keeps the server and fails the handshake
// later. Each is a kubernetes.io/tls Secret with a self-signed certificate for its name.
func (w *world) addCredentials(gw gatewayAPIGateway) error {
	for _, l := range gw.Spec.Listeners {
		if l.TLS == nil {
			continue
		}
		for _, ref := range l.TLS.CertificateRefs {
			ns := ref.Namespace
			if ns == "" {
				ns = gw.Metadata.Namespace
			}
			key := ns + "/" + ref.Name
			if w.credentials[key] {
				continue
			}
			if w.credentials == nil {
				w.credentials = map[string]bool{}
			}
			w.credentials[key] = true
			crt, k, err := selfSigned(ref.Name)
			if err != nil {
				return err
			}
			w.kube = append(w.kube, &corev1.Secret{
				ObjectMeta: metav1.ObjectMeta{Name: ref.Name, Namespace: ns},
				Type:       corev1.SecretTypeTLS,
				Data:       map[string][]byte{corev1.TLSCertKey: crt, corev1.TLSPrivateKeyKey: k},
			})
			w.loaded = append(w.loaded, fmt.Sprintf("Secret %s (credential, as in the cluster)", key))
		}
	}
	return nil
}

// selfSigned returns a PEM certificate and key for name.
func selfSigned(name string) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: name},
		DNSNames:     []string{name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), nil
}

// enableAmbientMultiNetwork turns on, for one test, what istiod reads from its environment when
// Istio's packages initialise (AMBIENT_ENABLE_MULTI_NETWORK=true, as Istio's ambient multi-network
// installation sets it): without it the class istio-east-west does not exist and its Gateways are
// ignored.
func enableAmbientMultiNetwork(t *testing.T) {
	enableGatewayClasses(t, &features.EnableAmbientMultiNetwork)
}

// enableAmbientWaypoints turns on, for one test, what istiod reads from its environment in an
// ambient installation (PILOT_ENABLE_AMBIENT): without it the class istio-waypoint does not exist
// and its Gateways are ignored.
func enableAmbientWaypoints(t *testing.T) {
	enableGatewayClasses(t, &features.EnableAmbient, &features.EnableAmbientWaypoints)
}

// enableGatewayClasses sets feature flags for one test and recomputes the class tables Istio
// computes from them at initialisation, as Istio's own Gateway API conversion tests do; both are
// restored afterwards.
func enableGatewayClasses(t *testing.T, flags ...*bool) {
	for _, f := range flags {
		test.SetForTest(t, f, true)
	}
	classInfos, builtin := gatewaycommon.ClassInfos, gatewaycommon.BuiltinGatewayClasses
	gatewaycommon.ClassInfos = gatewaycommon.GetClassInfos()
	gatewaycommon.BuiltinGatewayClasses = gatewaycommon.GetBuiltinGatewayClasses()
	t.Cleanup(func() { gatewaycommon.ClassInfos, gatewaycommon.BuiltinGatewayClasses = classInfos, builtin })
}
