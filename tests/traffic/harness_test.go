package traffic

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// The harness must not be able to pass by accident: these check that a wrong or vague expectation
// is caught.

func TestCompareCatchesEveryDifference(t *testing.T) {
	got := observed{Want{Listener: "0.0.0.0_80", VirtualHost: "a:80", Cluster: "outbound|80||a", UpstreamTLS: "DISABLE"}}
	for name, want := range map[string]Want{
		"other cluster":       {Cluster: "outbound|80||b"},
		"an error expected":   {Error: "no route matched"},
		"other listener":      {Listener: "0.0.0.0_81", Cluster: "outbound|80||a"},
		"other upstream TLS":  {Cluster: "outbound|80||a", UpstreamTLS: "ISTIO_MUTUAL"},
		"no cluster expected": {VirtualHost: "a:80"},
	} {
		if compare(want, got) == "" {
			t.Errorf("%s: %+v matched %s", name, want, got)
		}
	}
	if d := compare(Want{Cluster: "outbound|80||a", VirtualHost: "a:80"}, got); d != "" {
		t.Errorf("a matching expectation failed: %s", d)
	}
	failed := observed{Want{Error: "no listener matched"}}
	if compare(Want{Cluster: "outbound|80||a"}, failed) == "" {
		t.Error("an error was taken for a cluster")
	}
}

func TestReadExpectationsRefusesVagueOrWrongFiles(t *testing.T) {
	for name, tc := range map[string]struct{ yaml, problem string }{
		"no calls":        {"calls: []\n", "no calls"},
		"typo":            {"calls:\n- name: a\n  proxy: gateway\n  port: 80\n  hots: a\n  want: {cluster: c}\n", "unknown field"},
		"nothing reached": {"calls:\n- name: a\n  proxy: gateway\n  port: 80\n  want: {listener: l}\n", "must give error or cluster"},
		"unknown error":   {"calls:\n- name: a\n  proxy: gateway\n  port: 80\n  want: {error: 404}\n", "not one of the simulator's errors"},
		"unknown proxy":   {"calls:\n- name: a\n  proxy: ingress\n  port: 80\n  want: {cluster: c}\n", "proxy must be"},
		"no port":         {"calls:\n- name: a\n  proxy: sidecar\n  want: {cluster: c}\n", "port 0 out of range"},
		"defect without intended": {"calls:\n- name: a\n  proxy: gateway\n  port: 80\n  want: {cluster: c}\n  knownDefect: x\n",
			"knownDefect needs intended"},
		"defect that is none": {"calls:\n- name: a\n  proxy: gateway\n  port: 80\n  want: {cluster: c}\n  knownDefect: x\n  intended: {cluster: c}\n",
			"not a defect"},
		"duplicate name": {"calls:\n- name: a\n  proxy: gateway\n  port: 80\n  want: {cluster: c}\n- name: a\n  proxy: gateway\n  port: 81\n  want: {cluster: c}\n",
			"duplicate name"},
		"podPort at a sidecar": {"calls:\n- name: a\n  proxy: sidecar\n  podPort: 80\n  want: {cluster: c}\n", "podPort is for gateway calls only"},
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "traffic.yaml")
			if err := os.WriteFile(p, []byte(tc.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := ReadExpectations(p)
			if err == nil || !strings.Contains(err.Error(), tc.problem) {
				t.Errorf("want an error about %q, got %v", tc.problem, err)
			}
		})
	}
}

// A twin is the same GatewayPattern but for the three fields that choose the API: anything else
// that differs makes the comparison meaningless, and is caught.
func TestTwinsDifferOnlyInTheAPIFields(t *testing.T) {
	parse := func(s string) functionConfig {
		var f functionConfig
		if err := yaml.Unmarshal([]byte(s), &f); err != nil {
			t.Fatal(err)
		}
		return f
	}
	istio := parse("kind: GatewayPattern\nspec: {pattern: Ingress, ingress: {servers: [{port: 80, hosts: [a.example.com]}]}}")
	same := parse("kind: GatewayPattern\nspec: {pattern: Ingress, api: GatewayAPI, workload: Automated, mode: Ambient, ingress: {servers: [{port: 80, hosts: [a.example.com]}]}}")
	other := parse("kind: GatewayPattern\nspec: {pattern: Ingress, api: GatewayAPI, ingress: {servers: [{port: 8080, hosts: [a.example.com]}]}}")
	if !reflect.DeepEqual(istio.withoutAPIFields(), same.withoutAPIFields()) {
		t.Error("the same GatewayPattern with other API fields was taken for another")
	}
	if reflect.DeepEqual(istio.withoutAPIFields(), other.withoutAPIFields()) {
		t.Error("a GatewayPattern with another server port was taken for the same")
	}
	if same.spec("api") != "GatewayAPI" || istio.spec("api") != "" {
		t.Error("spec.api misread")
	}
}
