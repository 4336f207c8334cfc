// Package parity checks that the gateway-pattern function renders the same workload objects as
// `helm template` of the upstream istio/gateway chart. The Helm side below uses Helm's own Go
// packages (the same code path as the `helm template` command), not a re-implementation of it.
package parity

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/releaseutil"
	"helm.sh/helm/v3/pkg/strvals"
	"sigs.k8s.io/yaml"

	"github.com/gatewaypattern/gateway-pattern/krm"
)

// IstioVersion is the istio.io/istio module version whose manifests/charts/gateway is the reference
// chart. Bump it here (and only here) to check parity against another chart release.
const IstioVersion = "v0.0.0-20260827124520-eed52ebb66ad"

// chartSubdir is where the gateway chart lives inside the istio.io/istio module.
const chartSubdir = "manifests/charts/gateway"

var (
	chartDirOnce sync.Once
	chartDirPath string
	chartDirErr  error
)

// chartDir returns the directory of the gateway chart, downloading the istio module through the Go
// module proxy (or taking it from the module cache) with `go mod download`. The command runs in an
// empty temporary directory so it can never add requirements or sums to this module's go.mod/go.sum.
func chartDir() (string, error) {
	chartDirOnce.Do(func() {
		tmp, err := os.MkdirTemp("", "parity-gomod-")
		if err != nil {
			chartDirErr = err
			return
		}
		defer os.RemoveAll(tmp)

		cmd := exec.Command("go", "mod", "download", "-json", "istio.io/istio@"+IstioVersion)
		cmd.Dir = tmp
		cmd.Env = append(os.Environ(), "GOWORK=off")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		// `go mod download -json` reports per-module failures in the JSON "Error" field (exit status 1),
		// so decode before looking at err to give the most useful message.
		var info struct {
			Dir   string
			Error string
		}
		if jerr := json.Unmarshal(out, &info); jerr != nil || info.Error != "" || err != nil {
			chartDirErr = fmt.Errorf("go mod download istio.io/istio@%s: %v %s %s", IstioVersion, err, info.Error, stderr.String())
			return
		}
		chartDirPath = filepath.Join(info.Dir, filepath.FromSlash(chartSubdir))
		if _, err := os.Stat(filepath.Join(chartDirPath, "Chart.yaml")); err != nil {
			chartDirErr = fmt.Errorf("gateway chart not found in istio module: %w", err)
		}
	})
	return chartDirPath, chartDirErr
}

// renderChart returns what `helm template RELEASE <gateway chart> -n NAMESPACE` prints for the given
// user values, one generic object per YAML document. It configures action.Install exactly as Helm's
// `template` command does (dry run, client only, replace, "release-name" default, no CRDs), so the
// chart's values.schema.json is validated and templates see the same .Release/.Capabilities.
func renderChart(release, namespace string, values map[string]any) ([]map[string]any, error) {
	manifest, err := renderChartManifest(release, namespace, values)
	if err != nil {
		return nil, err
	}
	return parseManifest(manifest)
}

// renderChartManifest is renderChart without the parsing: the text `helm template` would print.
func renderChartManifest(release, namespace string, values map[string]any) (string, error) {
	dir, err := chartDir()
	if err != nil {
		return "", err
	}
	// Load the chart afresh each time: rendering mutates the chart's values in place.
	chrt, err := loader.Load(dir)
	if err != nil {
		return "", err
	}

	cfg := &action.Configuration{Log: func(string, ...any) {}}
	install := action.NewInstall(cfg)
	install.DryRun = true
	install.DryRunOption = "true" // `helm template` default: client-side only
	install.ClientOnly = true
	install.Replace = true
	install.ReleaseName = release
	install.Namespace = namespace
	install.APIVersions = chartutil.VersionSet(nil)
	install.IncludeCRDs = false

	// Helm merges user values into its own maps; hand it a copy so the caller's map stays intact
	// for our function's side.
	rel, err := install.Run(chrt, krm.CopyTree(values).(map[string]any))
	if err != nil {
		return "", err
	}
	// `helm template` prints the manifest and then each hook; this chart has no hooks, but keep the
	// same output anyway.
	var out strings.Builder
	out.WriteString(strings.TrimSpace(rel.Manifest))
	out.WriteString("\n")
	for _, h := range rel.Hooks {
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", h.Path, h.Manifest)
	}
	return out.String(), nil
}

// parseManifest splits a multi-document manifest the way Helm does and decodes each non-empty
// document into a generic object.
//
// It uses sigs.k8s.io/yaml (YAML -> JSON -> encoding/json) because that is what Kubernetes clients
// (kubectl, Helm's kube client) do with these documents. That parser lets a repeated mapping key
// replace the earlier one (the chart's NetworkPolicy repeats `app` and `istio` in metadata.labels),
// whereas gopkg.in/yaml.v3 rejects such a document. Numbers come out as float64, strings stay
// strings, and an empty `key:` comes out as nil.
func parseManifest(manifest string) ([]map[string]any, error) {
	docs := releaseutil.SplitManifests(manifest)
	// SplitManifests keys documents "manifest-N"; BySplitManifestsOrder restores the text order.
	keys := make([]string, 0, len(docs))
	for k := range docs {
		keys = append(keys, k)
	}
	sort.Sort(releaseutil.BySplitManifestsOrder(keys))

	var objs []map[string]any
	for _, k := range keys {
		obj, err := parseObject([]byte(docs[k]))
		if err != nil {
			return nil, fmt.Errorf("%s: %w\n%s", k, err, docs[k])
		}
		if obj != nil {
			objs = append(objs, obj)
		}
	}
	return objs, nil
}

// parseObject decodes one YAML document; a document that is only comments yields nil.
func parseObject(doc []byte) (map[string]any, error) {
	var obj map[string]any
	if err := yaml.Unmarshal(doc, &obj); err != nil {
		return nil, err
	}
	if len(obj) == 0 {
		return nil, nil
	}
	return obj, nil
}

// setValues turns `--set` arguments into a values map with Helm's own parser (strvals.ParseInto,
// which is what `helm install/template --set` calls), so seed commands can be copied verbatim.
// Like Helm, it infers types: `port=80` is an int64, `enabled=true` a bool, `x=null` a nil, and
// anything else (`1.27`, `10m`) a string.
func setValues(sets ...string) (map[string]any, error) {
	values := map[string]any{}
	return values, setValuesInto(values, sets...)
}

// setValuesInto applies `--set` arguments on top of values (e.g. parsed from a values file), in
// order, as Helm does after reading all -f files.
func setValuesInto(values map[string]any, sets ...string) error {
	for _, s := range sets {
		if err := strvals.ParseInto(s, values); err != nil {
			return fmt.Errorf("--set %s: %w", s, err)
		}
	}
	return nil
}

// fileValues parses a values YAML document exactly as `helm template -f FILE` reads FILE
// (sigs.k8s.io/yaml into a map: numbers become float64, `key: null`/`key:` become nil).
func fileValues(doc string) (map[string]any, error) {
	values := map[string]any{}
	if err := yaml.Unmarshal([]byte(doc), &values); err != nil {
		return nil, err
	}
	return values, nil
}
