package traffic

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"istio.io/istio/pilot/pkg/config/kube/crd"
	"istio.io/istio/pilot/pkg/simulation"
	"istio.io/istio/pilot/test/xdstest"
)

const (
	managedByLabel = "app.kubernetes.io/managed-by"
	managedByValue = "gateway-pattern"
)

// object is one item of a golden output, kept as its YAML for whoever consumes it.
type object struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string            `json:"name"`
		Namespace string            `json:"namespace"`
		Labels    map[string]string `json:"labels"`
	} `json:"metadata"`
	raw []byte
}

func (o object) String() string {
	if o.Metadata.Namespace != "" {
		return fmt.Sprintf("%s %s/%s", o.Kind, o.Metadata.Namespace, o.Metadata.Name)
	}
	return fmt.Sprintf("%s %s", o.Kind, o.Metadata.Name)
}

func (o object) group() string {
	if i := strings.Index(o.APIVersion, "/"); i >= 0 {
		return o.APIVersion[:i]
	}
	return ""
}

// readObjects reads the items of a golden output: a ResourceList's items (testdata/*/expected.yaml)
// or a stream of objects (examples/*/.expected/kustomize.yaml).
func readObjects(data []byte) ([]object, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var docs [][]byte
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			continue
		}
		docs = append(docs, doc)
	}
	if len(docs) == 1 {
		var rl struct {
			Kind  string           `json:"kind"`
			Items []map[string]any `json:"items"`
		}
		if err := yaml.Unmarshal(docs[0], &rl); err != nil {
			return nil, err
		}
		if rl.Kind == "ResourceList" {
			docs = docs[:0]
			for _, it := range rl.Items {
				b, err := yaml.Marshal(it)
				if err != nil {
					return nil, err
				}
				docs = append(docs, b)
			}
		}
	}
	var objs []object
	for _, d := range docs {
		var o object
		if err := yaml.Unmarshal(d, &o); err != nil {
			return nil, err
		}
		o.raw = d
		objs = append(objs, o)
	}
	return objs, nil
}

func stripComments(doc []byte) []byte {
	var b bytes.Buffer
	for _, l := range strings.Split(string(doc), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "#") {
			continue
		}
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// world is what one golden output puts into the fake istiod.
type world struct {
	istioConfig string           // Istio objects, for FakeOptions.ConfigString
	kube        []runtime.Object // Kubernetes objects with the API server's defaults applied
	gateways    []object         // generated gateway workloads (Deployment or DaemonSet)
	services    []*corev1.Service
	istioKinds  map[string]int  // how many Istio objects of each kind
	gatewayAPI  []string        // Gateway API objects, for FakeOptions.KubernetesObjectString
	credentials map[string]bool // namespace/name of the credential Secrets added for them
	loaded      []string        // what was loaded, for the log
	notLoaded   []string        // what the simulation does not use, for the log
	// ambientEastWest: a Gateway of class istio-east-west is among the objects (newFakeIstiod).
	ambientEastWest bool
	// gatewayServices are the names of the Services a Gateway API Gateway is reached at (its
	// Hostname addresses, or the Service Istio creates for it): where other Services select the
	// same pods (an egress host's own hop Service), the gateway's calls go through this one.
	gatewayServices map[string]bool
}

// buildWorld sorts a golden's objects into Istio config and Kubernetes objects, and adds the
// application Services the expectations declare.
func buildWorld(objs []object, apps []AppService) (*world, error) {
	w := &world{istioKinds: map[string]int{}}
	var istio, serviceEntries []string
	ips := &ipAllocator{next: 1}
	for _, o := range objs {
		switch {
		case o.group() == "networking.istio.io" || o.group() == "security.istio.io":
			istio = append(istio, string(o.raw))
			if o.Kind == "ServiceEntry" {
				serviceEntries = append(serviceEntries, string(o.raw))
			}
			w.istioKinds[o.Kind]++
			w.loaded = append(w.loaded, o.String())
		case o.APIVersion == "v1" && o.Kind == "Service":
			var svc corev1.Service
			if err := yaml.UnmarshalStrict(o.raw, &svc); err != nil {
				return nil, fmt.Errorf("%s: %w", o, err)
			}
			applyServiceDefaults(&svc, ips)
			w.kube = append(w.kube, &svc)
			w.services = append(w.services, &svc)
			w.loaded = append(w.loaded, o.String())
		case o.group() == gatewayAPIGroup:
			if err := w.addGatewayAPIObject(o, ips); err != nil {
				return nil, err
			}
		case o.APIVersion == "v1" && o.Kind == "ConfigMap":
			// A Gateway's parametersRef (workload Automated): Istio reads it from the cluster.
			var cm corev1.ConfigMap
			if err := yaml.UnmarshalStrict(o.raw, &cm); err != nil {
				return nil, fmt.Errorf("%s: %w", o, err)
			}
			w.kube = append(w.kube, &cm)
			w.loaded = append(w.loaded, o.String())
		case o.APIVersion == "v1" && o.Kind == "Namespace":
			var ns corev1.Namespace
			if err := yaml.UnmarshalStrict(o.raw, &ns); err != nil {
				return nil, fmt.Errorf("%s: %w", o, err)
			}
			w.kube = append(w.kube, &ns)
			w.loaded = append(w.loaded, o.String())
		default:
			if (o.Kind == "Deployment" || o.Kind == "DaemonSet") && o.group() == "apps" &&
				o.Metadata.Labels[managedByLabel] == managedByValue {
				w.gateways = append(w.gateways, o)
			}
			w.notLoaded = append(w.notLoaded, o.String())
		}
	}
	for _, a := range apps {
		svc := &corev1.Service{
			ObjectMeta: metav1.ObjectMeta{Name: a.Name, Namespace: a.Namespace},
			Spec:       corev1.ServiceSpec{Selector: map[string]string{"app": a.Name}},
		}
		for _, p := range a.Ports {
			name := p.Name
			if name == "" {
				name = fmt.Sprintf("http-%d", p.Port)
			}
			svc.Spec.Ports = append(svc.Spec.Ports, corev1.ServicePort{Name: name, Port: int32(p.Port)})
		}
		applyServiceDefaults(svc, ips)
		w.kube = append(w.kube, svc)
		w.loaded = append(w.loaded, fmt.Sprintf("Service %s/%s (application, from traffic.yaml)", a.Namespace, a.Name))
	}
	if len(w.gatewayAPI) > 0 {
		// Istio's Gateway API controller finds a route's ServiceEntry parent among the
		// ServiceEntries of the Kubernetes client, not in the fake's config store: without them
		// there, a route attached to a ServiceEntry (egress) attaches to nothing, silently.
		w.gatewayAPI = append(w.gatewayAPI, serviceEntries...)
	}
	w.istioConfig = strings.Join(istio, "\n---\n")
	// The fake istiod reads this with crd.ParseInputs, which runs Istio's validation but drops kinds it
	// does not know without a word: check first that every object is taken.
	cfgs, others, err := crd.ParseInputs(w.istioConfig)
	if err != nil {
		return nil, fmt.Errorf("Istio config: %w", err)
	}
	if len(others) > 0 || len(cfgs) != len(istio) {
		return nil, fmt.Errorf("Istio config: %d objects, %d taken by istiod, %d of unknown kinds", len(istio), len(cfgs), len(others))
	}
	sort.Strings(w.notLoaded)
	return w, nil
}

// applyServiceDefaults does what the API server does to a Service on create: protocol TCP,
// targetPort = port, type ClusterIP and a cluster IP from the service range.
func applyServiceDefaults(svc *corev1.Service, ips *ipAllocator) {
	if svc.Namespace == "" {
		svc.Namespace = metav1.NamespaceDefault
	}
	if svc.Spec.Type == "" {
		svc.Spec.Type = corev1.ServiceTypeClusterIP
	}
	for i := range svc.Spec.Ports {
		p := &svc.Spec.Ports[i]
		if p.Protocol == "" {
			p.Protocol = corev1.ProtocolTCP
		}
		if p.TargetPort.Type == intstr.Int && p.TargetPort.IntVal == 0 {
			p.TargetPort = intstr.FromInt32(p.Port)
		}
	}
	if svc.Spec.Type != corev1.ServiceTypeExternalName && svc.Spec.ClusterIP == "" {
		svc.Spec.ClusterIP = ips.allocate()
		svc.Spec.ClusterIPs = []string{svc.Spec.ClusterIP}
	}
}

type ipAllocator struct{ next int }

func (a *ipAllocator) allocate() string {
	ip := fmt.Sprintf("10.96.%d.%d", a.next/250, a.next%250+1)
	a.next++
	return ip
}

// podTemplate is what the gateway proxy takes from a generated Deployment or DaemonSet.
type podTemplate struct {
	Metadata struct {
		Namespace string `json:"namespace"`
	} `json:"metadata"`
	Spec struct {
		Template struct {
			Metadata struct {
				Labels map[string]string `json:"labels"`
			} `json:"metadata"`
			Spec corev1.PodSpec `json:"spec"`
		} `json:"template"`
	} `json:"spec"`
}

func gatewayPods(o object) (namespace string, labels map[string]string, err error) {
	var p podTemplate
	if err := yaml.Unmarshal(o.raw, &p); err != nil {
		return "", nil, fmt.Errorf("%s: %w", o, err)
	}
	if len(p.Spec.Template.Metadata.Labels) == 0 {
		return "", nil, fmt.Errorf("%s: the pod template has no labels", o)
	}
	ns := p.Metadata.Namespace
	if ns == "" {
		ns = metav1.NamespaceDefault
	}
	return ns, p.Spec.Template.Metadata.Labels, nil
}

// gatewayService is the Service in the pods' namespace whose selector picks the gateway pods.
func gatewayService(w *world, namespace string, podLabels map[string]string) (*corev1.Service, error) {
	var found []*corev1.Service
	for _, s := range w.services {
		if s.Namespace != namespace || len(s.Spec.Selector) == 0 {
			continue
		}
		matches := true
		for k, v := range s.Spec.Selector {
			if podLabels[k] != v {
				matches = false
			}
		}
		if matches {
			found = append(found, s)
		}
	}
	if len(found) > 1 {
		var named []*corev1.Service
		for _, s := range found {
			if w.gatewayServices[s.Namespace+"/"+s.Name] {
				named = append(named, s)
			}
		}
		if len(named) == 1 {
			found = named
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("no Service in %s selects the gateway pods", namespace)
	case 1:
		return found[0], nil
	default:
		return nil, fmt.Errorf("%d Services in %s select the gateway pods", len(found), namespace)
	}
}

// simulateCall runs c on sim. A gateway call goes through svc, the gateway's Service, first: it
// arrives at the pods on the targetPort of the port it calls, and a port the Service lacks is
// errNotExposed, as a client would see it refused.
func simulateCall(t *testing.T, sim *simulation.Simulation, svc *corev1.Service, c Call) observed {
	if c.Proxy == proxyGateway {
		target, ok, err := podPort(svc, c.Port)
		switch {
		case err != nil:
			return observed{Want{Error: err.Error()}}
		case !ok:
			return observed{Want{Error: errNotExposed}}
		}
		c.PodPort = target
	}
	return run(t, sim, xdstest.ExtractClusters(sim.Clusters), c)
}

// podPort is the port a call to the Service's port arrives on at the pods: its targetPort. ok is
// false when the Service has no such port.
func podPort(svc *corev1.Service, port int) (target int, ok bool, err error) {
	for _, p := range svc.Spec.Ports {
		if int(p.Port) != port || p.Protocol != corev1.ProtocolTCP {
			continue
		}
		if p.TargetPort.Type != intstr.Int {
			return 0, true, fmt.Errorf("Service %s/%s port %d: named targetPort %q (give the pods' port as podPort)",
				svc.Namespace, svc.Name, port, p.TargetPort.StrVal)
		}
		return int(p.TargetPort.IntVal), true, nil
	}
	return 0, false, nil
}
