package traffic

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// TestAmbientEastWestIsIstiosOwn compares the ambient east-west Gateway of
// testdata/gatewayapi-eastwest-ambient with the one Istio's own generator writes
// (samples/multicluster/gen-eastwest-gateway.sh --network network1 --ambient, from the istio.io/istio
// module this harness builds against): the simulator cannot follow HBONE, so what the gateway does
// past its 15008 listener rests on it being Istio's documented Gateway. Only what the function adds
// for its own bookkeeping and for workload Automated is set aside: its owner label and annotations,
// the service-type annotation and spec.infrastructure (the values mapped to Istio's deployment:
// the network label again, which Istio copies to the pods, and LoadBalancer, the class's default).
func TestAmbientEastWestIsIstiosOwn(t *testing.T) {
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "istio.io/istio").Output()
	if err != nil {
		t.Fatalf("locating the istio.io/istio module: %v", err)
	}
	script := filepath.Join(strings.TrimSpace(string(dir)), "samples", "multicluster", "gen-eastwest-gateway.sh")
	out, err := exec.Command("bash", script, "--network", "network1", "--ambient").Output()
	if err != nil {
		t.Fatalf("running %s: %v", script, err)
	}
	var istios map[string]any
	if err := yaml.Unmarshal(out, &istios); err != nil {
		t.Fatal(err)
	}

	data, err := os.ReadFile("../../testdata/gatewayapi-eastwest-ambient/expected.yaml")
	if err != nil {
		t.Fatal(err)
	}
	objs, err := readObjects(data)
	if err != nil {
		t.Fatal(err)
	}
	var gateways []map[string]any
	for _, o := range objs {
		if o.Kind == "Gateway" {
			var g map[string]any
			if err := yaml.Unmarshal(o.raw, &g); err != nil {
				t.Fatal(err)
			}
			gateways = append(gateways, g)
		}
	}
	if len(gateways) != 1 {
		t.Fatalf("want one Gateway in the golden, found %d", len(gateways))
	}
	ours := gateways[0]
	meta, _ := ours["metadata"].(map[string]any)
	delete(meta, "annotations")
	labels, _ := meta["labels"].(map[string]any)
	delete(labels, "app.kubernetes.io/managed-by")
	spec, _ := ours["spec"].(map[string]any)
	delete(spec, "infrastructure")
	if !reflect.DeepEqual(istios, ours) {
		a, _ := yaml.Marshal(ours)
		b, _ := yaml.Marshal(istios)
		t.Errorf("the ambient east-west Gateway differs from gen-eastwest-gateway.sh --ambient's:\n%s\n--- Istio's:\n%s", a, b)
	}
}
