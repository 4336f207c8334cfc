// Package flux builds hydrated GatewayPattern output the way Flux's kustomize-controller builds a
// Kustomization's path, with Flux's own kustomize package (github.com/fluxcd/pkg/kustomize): the
// controller first writes a kustomization.yaml where the path has none (Generator.WriteFile), then
// builds with plugins turned off (SecureBuild), and reports a failure as "kustomize build failed: "
// and the error. No cluster and no controller: the build is where a GatewayPattern succeeds or not.
package flux

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fluxcd/pkg/kustomize"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

var examplesDir = filepath.Join("..", "..", "examples")

// fluxBuild builds path (relative to root, the source's checkout) as kustomize-controller builds
// a Kustomization with that spec.path, and returns the YAML it would apply.
func fluxBuild(t *testing.T, root, path string) (string, error) {
	t.Helper()
	ks := unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kustomize.toolkit.fluxcd.io/v1",
		"kind":       "Kustomization",
		"metadata":   map[string]any{"name": "gateways", "namespace": "flux-system"},
		"spec":       map[string]any{"path": path, "prune": true},
	}}
	dir := filepath.Join(root, path)
	if _, err := kustomize.NewGeneratorWithIgnore(root, "", ks).WriteFile(dir); err != nil {
		return "", err
	}
	resources, err := kustomize.SecureBuild(root, dir, false)
	if err != nil {
		return "", err
	}
	out, err := resources.AsYaml()
	return string(out), err
}

// place copies src to root/dst.
func place(t *testing.T, src, root, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(root, dst)), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, dst), data, 0o644))
}

// hydrated is every example that renders, with its kustomize output: what hack/hydrate.sh commits
// (tests/e2e proves both).
func hydrated(t *testing.T) map[string]string {
	t.Helper()
	found := map[string]string{}
	matches, err := filepath.Glob(filepath.Join(examplesDir, "*", ".expected", "kustomize.yaml"))
	require.NoError(t, err)
	for _, m := range matches {
		found[filepath.Base(filepath.Dir(filepath.Dir(m)))] = m
	}
	require.NotEmpty(t, found)
	return found
}

// TestFluxAppliesHydratedOutput: a path holding only rendered output, with no kustomization.yaml,
// is built to exactly the committed objects.
func TestFluxAppliesHydratedOutput(t *testing.T) {
	for name, file := range hydrated(t) {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			place(t, file, root, filepath.Join("clusters", "prod", "gateways", name+".yaml"))
			got, err := fluxBuild(t, root, "./clusters/prod/gateways")
			require.NoError(t, err)
			want, err := os.ReadFile(file)
			require.NoError(t, err)
			require.Equal(t, string(want), got)
		})
	}
}

// The source itself, or a path with a source below it, fails: Flux runs no KRM function. The
// README quotes this text.
const refused = "loading generator plugins: failed to load generator: external plugins disabled; unable to load external plugin 'GatewayPattern'"

func TestFluxRefusesTheSource(t *testing.T) {
	source := func(t *testing.T, root, dir string) {
		t.Helper()
		for _, f := range []string{"gatewaypattern.yaml", "kustomization.yaml"} {
			place(t, filepath.Join(examplesDir, "seed-egress", f), root, filepath.Join(dir, f))
		}
	}
	t.Run("path is the source", func(t *testing.T) {
		root := t.TempDir()
		source(t, root, filepath.Join("gateways", "egress"))
		_, err := fluxBuild(t, root, "./gateways/egress")
		require.EqualError(t, err, refused)
	})
	t.Run("source below the path", func(t *testing.T) {
		root := t.TempDir()
		place(t, hydrated(t)["seed-egress"], root, filepath.Join("clusters", "prod", "egress.yaml"))
		source(t, root, filepath.Join("clusters", "prod", "src", "egress"))
		_, err := fluxBuild(t, root, "./clusters/prod")
		require.Error(t, err)
		require.True(t, strings.HasSuffix(err.Error(), refused), "error: %v", err)
	})
}
