package traffic

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// Twins: one GatewayPattern rendered with both APIs must route the same. A golden rendered with
// the Gateway API names, in its traffic.yaml, the golden rendered from the same GatewayPattern with
// the Istio API (`twin: testdata/<case>` or `twin: examples/<name>`). The harness then checks that
// the two GatewayPatterns are the same but for spec.api, spec.workload and spec.mode, and runs
// every call of the twin's traffic.yaml on this output as well, requiring what the twin's call
// reaches: the same error, or the same cluster with the same upstream TLS and SNI and the same
// route action. The names Istio gives listeners, route configurations and virtual hosts are not
// compared: they are Istio's bookkeeping, and the two APIs convert to different names for the
// same path. Where the two APIs do differ on purpose (the Gateway API's PathPrefix matches whole
// path segments, Istio's uri.prefix any string prefix), `differences` lists the twin's call by
// name with why and what it reaches here instead.

// Difference is one of the twin's calls that reaches something else here, on purpose.
type Difference struct {
	Call string `json:"call"`
	Why  string `json:"why"`
	Want Want   `json:"want"`
}

// twinCalls resolves exp's twin: its calls (as this output must answer them) before exp's own,
// and its services beside exp's. It returns how many calls came from the twin.
func twinCalls(g golden, exp *Expectations) (int, error) {
	if exp.Twin == "" {
		if len(exp.Differences) > 0 {
			return 0, fmt.Errorf("%s: differences without a twin", g.expectations)
		}
		return 0, nil
	}
	twinDir, err := goldenDir(exp.Twin)
	if err != nil {
		return 0, fmt.Errorf("%s: twin: %w", g.expectations, err)
	}
	twinFile := filepath.Join(twinDir, "traffic.yaml")
	if strings.HasPrefix(exp.Twin, "examples/") {
		twinFile = filepath.Join(twinDir, ".expected", "traffic.yaml") // an example's beside its output
	}
	twin, err := ReadExpectations(twinFile)
	if err != nil {
		return 0, fmt.Errorf("%s: twin: %w", g.expectations, err)
	}
	if twin.Twin != "" {
		return 0, fmt.Errorf("%s: twin %s has a twin itself; name the Istio-API golden", g.expectations, exp.Twin)
	}
	mine, err := gatewayPatternOf(g.name)
	if err != nil {
		return 0, err
	}
	theirs, err := gatewayPatternOf(exp.Twin)
	if err != nil {
		return 0, err
	}
	if mine.spec("api") != "GatewayAPI" {
		return 0, fmt.Errorf("%s: a twin is for a Gateway API rendering; this GatewayPattern has api %q", g.name, mine.spec("api"))
	}
	if theirs.spec("api") == "GatewayAPI" {
		return 0, fmt.Errorf("%s: twin %s renders with the Gateway API too; name the Istio-API golden", g.name, exp.Twin)
	}
	if a, b := mine.withoutAPIFields(), theirs.withoutAPIFields(); !reflect.DeepEqual(a, b) {
		ay, _ := yaml.Marshal(a)
		by, _ := yaml.Marshal(b)
		return 0, fmt.Errorf("%s and its twin %s are not the same GatewayPattern but for spec.api, spec.workload and spec.mode:\n%s\n--- twin:\n%s",
			g.name, exp.Twin, ay, by)
	}

	differences := map[string]Difference{}
	for _, d := range exp.Differences {
		differences[d.Call] = d
	}
	var calls []Call
	for _, c := range twin.Calls {
		c.Want = destinationOf(c.Want)
		c.KnownDefect, c.Intended = "", nil // the twin's defects are its own; here, the same result
		if d, ok := differences[c.Name]; ok {
			if d.Why == "" {
				return 0, fmt.Errorf("%s: difference %q: say why", g.expectations, d.Call)
			}
			c.Want = d.Want
			c.Name += " (differs from the twin: " + d.Why + ")"
			delete(differences, d.Call)
		} else {
			c.Name += " (as in the twin)"
		}
		calls = append(calls, c)
	}
	for name := range differences {
		return 0, fmt.Errorf("%s: difference %q names no call of the twin %s", g.expectations, name, exp.Twin)
	}
	n := len(calls)
	exp.Calls = append(calls, exp.Calls...)
	exp.Services = append(append([]AppService(nil), twin.Services...), exp.Services...)
	if exp.Gateway == "" {
		exp.Gateway = twin.Gateway
	}
	return n, nil
}

// destinationOf keeps what a call reaches, without Istio's names for how it got there.
func destinationOf(w Want) Want {
	return Want{Error: w.Error, Cluster: w.Cluster, UpstreamTLS: w.UpstreamTLS, UpstreamSNI: w.UpstreamSNI, RouteAction: w.RouteAction}
}

// goldenDir is the directory of a golden named as goldens() names them.
func goldenDir(name string) (string, error) {
	switch {
	case strings.HasPrefix(name, "testdata/"), strings.HasPrefix(name, "examples/"):
		dir := filepath.Join("..", "..", name)
		if _, err := os.Stat(dir); err != nil {
			return "", err
		}
		return dir, nil
	}
	return "", fmt.Errorf("%q: name a golden as testdata/<case> or examples/<name>", name)
}

// functionConfig is a GatewayPattern as a document tree.
type functionConfig map[string]any

func (f functionConfig) spec(key string) string {
	spec, _ := f["spec"].(map[string]any)
	v, _ := spec[key].(string)
	return v
}

func (f functionConfig) withoutAPIFields() map[string]any {
	out := map[string]any{}
	for k, v := range f {
		out[k] = v
	}
	spec := map[string]any{}
	if s, ok := f["spec"].(map[string]any); ok {
		for k, v := range s {
			if k != "api" && k != "workload" && k != "mode" {
				spec[k] = v
			}
		}
	}
	out["spec"] = spec
	return out
}

// gatewayPatternOf reads the GatewayPattern a golden was rendered from: a test case's
// functionConfig (input.yaml), or the GatewayPattern among an example's files.
func gatewayPatternOf(name string) (functionConfig, error) {
	dir, err := goldenDir(name)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(name, "testdata/") {
		data, err := os.ReadFile(filepath.Join(dir, "input.yaml"))
		if err != nil {
			return nil, err
		}
		var rl struct {
			FunctionConfig functionConfig `json:"functionConfig"`
		}
		if err := yaml.Unmarshal(data, &rl); err != nil {
			return nil, fmt.Errorf("%s/input.yaml: %w", name, err)
		}
		if rl.FunctionConfig == nil {
			return nil, fmt.Errorf("%s/input.yaml has no functionConfig", name)
		}
		return rl.FunctionConfig, nil
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
		for {
			doc, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			var fc functionConfig
			if err := yaml.Unmarshal(doc, &fc); err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			if fc["kind"] == "GatewayPattern" {
				return fc, nil
			}
		}
	}
	return nil, fmt.Errorf("%s: no GatewayPattern among its files", name)
}
