package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestHydrate runs hack/hydrate.sh in a user's repository as a team that commits hydrated output
// for Flux runs it (pre-commit, CI): a kustomization and a GatewayPattern file rendered into
// clusters/prod, then checked while the sources and the outputs change. Every run's output and
// exit code go to testdata/hydrate/transcript.txt, compared whole (-update rewrites it).
func TestHydrate(t *testing.T) {
	repo := t.TempDir()
	for _, file := range [][2]string{
		{filepath.Join(repoRoot, "hack", "hydrate.sh"), "hack/hydrate.sh"},
		{filepath.Join(examplesDir, "seed-egress", "gatewaypattern.yaml"), "gateways/egress/gatewaypattern.yaml"},
		{filepath.Join(examplesDir, "seed-egress", "kustomization.yaml"), "gateways/egress/kustomization.yaml"},
		{filepath.Join(examplesDir, "seed-ingress", "gatewaypattern.yaml"), "gateways/ingress.yaml"},
		{filepath.Join(examplesDir, "bad-config", "gatewaypattern.yaml"), "broken/config/gatewaypattern.yaml"},
		{filepath.Join(examplesDir, "bad-config", "kustomization.yaml"), "broken/config/kustomization.yaml"},
		{filepath.Join(examplesDir, "seed-egress", "gatewaypattern.yaml"), "broken/resources/gatewaypattern.yaml"},
	} {
		copyFile(t, file[0], filepath.Join(repo, file[1]))
	}
	// The examples' exec path, ../../bin/gateway-pattern, from gateways/egress and broken/*.
	copyFile(t, fnBinary, filepath.Join(repo, "bin", "gateway-pattern"))
	// A GatewayPattern listed under resources: instead of generators: renders nothing.
	writeFile(t, filepath.Join(repo, "broken", "resources", "kustomization.yaml"), "resources:\n- gatewaypattern.yaml\n")
	writeFile(t, filepath.Join(repo, "hydrate.pairs"), `# source = hydrated output Flux applies (clusters/prod is its Kustomization's path)
gateways/egress=clusters/prod/gateways/egress.yaml
gateways/ingress.yaml=clusters/prod/gateways/ingress.yaml
`)

	var transcript strings.Builder
	// hydrate runs the script in repo with kustomize and the function on PATH, as a user has them,
	// records the run and returns its exit code.
	var env []string // more variables for the next runs
	hydrate := func(args ...string) int {
		t.Helper()
		cmd := exec.Command("hack/hydrate.sh", args...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "PATH="+strings.Join([]string{toolsDir, filepath.Join(repo, "bin"), os.Getenv("PATH")}, string(os.PathListSeparator)))
		cmd.Env = append(cmd.Env, env...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		code := 0
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			code = exitErr.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		command := strings.TrimSpace(strings.Join(append(append([]string{"$"}, env...), "hack/hydrate.sh"), " ") + " " + strings.Join(args, " "))
		fmt.Fprintf(&transcript, "%s\n%s[exit %d]\n\n", command, out.String(), code)
		return code
	}
	step := func(what string, want int, args ...string) {
		t.Helper()
		fmt.Fprintf(&transcript, "# %s\n", what)
		if got := hydrate(args...); got != want {
			t.Errorf("%s: hack/hydrate.sh %s exited %d, want %d", what, strings.Join(args, " "), got, want)
		}
	}
	egressOut := filepath.Join(repo, "clusters", "prod", "gateways", "egress.yaml")
	ingressOut := filepath.Join(repo, "clusters", "prod", "gateways", "ingress.yaml")

	step("nothing hydrated yet", 1, "-f", "hydrate.pairs")
	step("hydrate", 0, "--write", "-f", "hydrate.pairs")
	// The hydrated kustomization is what kustomize builds of the example (TestKustomizeBuild's golden).
	if got, want := readFile(t, egressOut), readFile(t, filepath.Join(examplesDir, "seed-egress", ".expected", "kustomize.yaml")); got != want {
		t.Errorf("%s is not examples/seed-egress/.expected/kustomize.yaml:\n%s", egressOut, got)
	}
	step("fresh", 0, "-f", "hydrate.pairs")

	edit := func(path, old, new string) {
		t.Helper()
		text := readFile(t, path)
		if strings.Count(text, old) != 1 {
			t.Fatalf("%s: want %q once", path, old)
		}
		writeFile(t, path, strings.Replace(text, old, new, 1))
	}
	edit(filepath.Join(repo, "gateways", "egress", "gatewaypattern.yaml"), "    service:\n      type: ClusterIP\n",
		"    service:\n      type: ClusterIP\n    podAnnotations:\n      example.com/team: mesh\n")
	step("the GatewayPattern changed, its output did not", 1, "-f", "hydrate.pairs")
	step("rewrite what is stale", 0, "--write", "gateways/egress=clusters/prod/gateways/egress.yaml")
	step("fresh again", 0, "-f", "hydrate.pairs")

	edit(ingressOut, "  minReplicas: 1\n", "  minReplicas: 3\n")
	step("an output edited by hand", 1, "-f", "hydrate.pairs")
	step("the same, as the pre-commit hook runs it", 1, "--pre-commit", "-f", "hydrate.pairs")
	step("rewritten from its source", 0, "--write", "-f", "hydrate.pairs")

	step("a source that does not render", 2, "broken/config=clusters/prod/broken.yaml")
	step("a source that renders nothing", 2, "broken/resources=clusters/prod/broken.yaml")
	if _, err := os.Stat(filepath.Join(repo, "clusters", "prod", "broken.yaml")); err == nil {
		t.Error("a source that did not render left an output behind")
	}
	env = []string{"KUSTOMIZE=kustomize-v5"}
	step("a kustomize that is not there", 2, "-f", "hydrate.pairs")
	env = nil
	step("no pairs", 2)
	step("not a pair", 2, "gateways/egress")

	compareGolden(t, filepath.Join("testdata", "hydrate", "transcript.txt"), transcript.String())
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, info.Mode().Perm()); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
