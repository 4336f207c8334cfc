// Package e2e runs every example under examples/ through the tools our users run — kustomize
// (exec generator) and kpt (fn render with the Kptfile pipeline, fn eval --exec) — and compares
// what they produce with the example's .expected/ files.
//
//	go test ./...            # builds the function, installs kustomize, builds kpt, runs everything
//	go test ./... -update    # rewrites the expected outputs from what the tools produce
//
// Each example directory is a kustomize directory and a kpt package at once:
//
//	examples/<name>/gatewaypattern.yaml     the GatewayPattern (exec annotation for kustomize)
//	examples/<name>/kustomization.yaml      generators: [gatewaypattern.yaml] (or transformers:)
//	examples/<name>/Kptfile                 pipeline: exec ../../bin/gateway-pattern
//	examples/<name>/.expected/kustomize.yaml    `kustomize build` stdout (none when it fails)
//	examples/<name>/.expected/kustomize.stderr  `kustomize build` stderr: the function's results
//	examples/<name>/.expected/diff.patch        `git diff` of the package after `kpt fn render`
//	examples/<name>/.expected/config.yaml, exec.sh   kpt's e2e runner settings and command
//
// Both tools find the function at ../../bin/gateway-pattern, relative to the example: kustomize
// resolves exec paths from the kustomization directory, kpt from its working directory (exec.sh
// runs in the package). The tests build the function into <work>/bin and run the examples from
// copies two levels below <work>, so the relative path works exactly as it does in the repo.
package e2e

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kptdev/kpt/pkg/test/runner"
	"github.com/pmezard/go-difflib/difflib"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

var update = flag.Bool("update", false,
	"rewrite the examples' .expected/kustomize.yaml, kustomize.stderr and diff.patch from what the tools produce")

const (
	kustomizePackage = "sigs.k8s.io/kustomize/kustomize/v5"
	kustomizeVersion = "v5.8.1"
	// execPath is where every example's GatewayPattern and Kptfile expect the function.
	execPath = "../../bin/gateway-pattern"
	// kptUpdateEnv makes kpt's runner write diff.patch instead of comparing with it.
	kptUpdateEnv = "KPT_E2E_UPDATE_EXPECTED"
)

var (
	repoRoot    string // the gateway-pattern checkout
	examplesDir string // <repoRoot>/examples
	workDir     string // this process's TMPDIR; <workDir>/bin/gateway-pattern is the function under test
	fnBinary    string // <workDir>/bin/gateway-pattern
	toolsDir    string // tests/e2e/.bin: kustomize and kpt, first on PATH
)

func TestMain(m *testing.M) {
	flag.Parse()
	code, err := setUp(m)
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
		code = 1
	}
	if workDir != "" {
		os.RemoveAll(workDir)
	}
	os.Exit(code)
}

func setUp(m *testing.M) (int, error) {
	var err error
	if repoRoot, err = filepath.Abs(filepath.Join("..", "..")); err != nil {
		return 0, err
	}
	examplesDir = filepath.Join(repoRoot, "examples")
	if toolsDir, err = filepath.Abs(".bin"); err != nil {
		return 0, err
	}
	if workDir, err = os.MkdirTemp("", "gateway-pattern-e2e-"); err != nil {
		return 0, err
	}
	fnBinary = filepath.Join(workDir, "bin", "gateway-pattern")

	if err := goCommand(repoRoot, nil, "build", "-trimpath", "-o", fnBinary, "."); err != nil {
		return 0, fmt.Errorf("building the function: %w", err)
	}
	if err := installKustomize(); err != nil {
		return 0, err
	}
	// Our kpt: the fn commands of github.com/kptdev/kpt at the version in go.mod (see cmd/kpt).
	if err := goCommand(".", nil, "build", "-o", filepath.Join(toolsDir, "kpt"), "./cmd/kpt"); err != nil {
		return 0, fmt.Errorf("building cmd/kpt: %w", err)
	}

	// kpt's runner and exec.sh call `kpt` from PATH; a kpt installed on the machine must not win.
	os.Setenv("PATH", toolsDir+string(os.PathListSeparator)+os.Getenv("PATH"))
	if found, err := exec.LookPath("kpt"); err != nil || found != filepath.Join(toolsDir, "kpt") {
		return 0, fmt.Errorf("kpt on PATH is %q (%v), want %s", found, err, filepath.Join(toolsDir, "kpt"))
	}
	// kpt's runner copies each package to $TMPDIR/<run dir>/<example>: with TMPDIR=<workDir>,
	// ../../bin/gateway-pattern from the copy is fnBinary.
	os.Setenv("TMPDIR", workDir)
	if *update {
		os.Setenv(kptUpdateEnv, "true")
	}
	// kustomize runs on <workDir>/examples/<example>: the same relative path, again.
	if err := copyTree(examplesDir, filepath.Join(workDir, "examples")); err != nil {
		return 0, err
	}
	return m.Run(), nil
}

// installKustomize puts kustomize v5.8.1 into .bin with `go install`, unless it is there already.
func installKustomize() error {
	bin := filepath.Join(toolsDir, "kustomize")
	if out, err := exec.Command(bin, "version").Output(); err == nil && strings.TrimSpace(string(out)) == kustomizeVersion {
		return nil
	}
	fmt.Fprintf(os.Stderr, "e2e: go install %s@%s into %s (once; a cold build takes a minute or two)\n",
		kustomizePackage, kustomizeVersion, toolsDir)
	if err := goCommand(".", []string{"GOBIN=" + toolsDir}, "install", kustomizePackage+"@"+kustomizeVersion); err != nil {
		return fmt.Errorf("installing kustomize: %w", err)
	}
	return nil
}

func goCommand(dir string, env []string, args ...string) error {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// example is one directory of examples/, with the outcome its kpt runner config expects.
type example struct {
	name     string
	dir      string // in the repository
	kptCase  runner.TestCase
	failing  bool // the example is broken on purpose: every tool must exit non-zero
	expected string
}

func examples(t *testing.T) []example {
	t.Helper()
	cases, err := runner.ScanTestCases(examplesDir)
	if err != nil {
		t.Fatal(err)
	}
	byDir := map[string]runner.TestCase{}
	for _, c := range *cases {
		byDir[c.Path] = c
	}
	entries, err := os.ReadDir(examplesDir)
	if err != nil {
		t.Fatal(err)
	}
	var list []example
	for _, e := range entries {
		dir := filepath.Join(examplesDir, e.Name())
		if !e.IsDir() || !exists(filepath.Join(dir, "gatewaypattern.yaml")) {
			continue
		}
		c, ok := byDir[dir]
		if !ok {
			t.Errorf("examples/%s has no .expected directory", e.Name())
			continue
		}
		list = append(list, example{
			name: e.Name(), dir: dir, kptCase: c, failing: c.Config.ExitCode != 0,
			expected: filepath.Join(dir, ".expected"),
		})
	}
	if len(list) == 0 {
		t.Fatal("no examples found in " + examplesDir)
	}
	return list
}

// TestExamplesLayout checks that every example is a complete kustomize directory and kpt package,
// wired to the function by the same relative path.
func TestExamplesLayout(t *testing.T) {
	for _, ex := range examples(t) {
		t.Run(ex.name, func(t *testing.T) {
			readme := strings.TrimSpace(readFile(t, filepath.Join(ex.dir, "README.md")))
			if n := len(strings.Split(readme, "\n")); readme == "" || n > 3 {
				t.Errorf("README.md has %d lines, want 1 to 3: what the example shows and how to render it", n)
			}
			if strings.HasPrefix(ex.name, "bad-") != ex.failing {
				t.Errorf("examples named bad-* and only those must expect a failure (`make run` skips bad-*); .expected/config.yaml exitCode: %d",
					ex.kptCase.Config.ExitCode)
			}
			if !slices.Contains(strings.Fields(readFile(t, filepath.Join(ex.dir, ".krmignore"))), ".expected") {
				t.Error(".krmignore must list .expected, or kpt reads the test files as resources")
			}
			wantFiles := []string{".expected/exec.sh"}
			if !*update {
				wantFiles = append(wantFiles, ".expected/kustomize.stderr")
				if !ex.failing {
					wantFiles = append(wantFiles, ".expected/kustomize.yaml", ".expected/diff.patch")
				}
			}
			for _, f := range wantFiles {
				if !exists(filepath.Join(ex.dir, f)) {
					t.Errorf("missing %s", f)
				}
			}

			gp := readYAML(t, filepath.Join(ex.dir, "gatewaypattern.yaml"))
			expectString(t, "gatewaypattern.yaml kind", gp, "GatewayPattern", "kind")
			expectString(t, "gatewaypattern.yaml local-config annotation", gp, "true",
				"metadata", "annotations", "config.kubernetes.io/local-config")
			fnSpec, err := yaml.Parse(stringAt(gp, "metadata", "annotations", "config.kubernetes.io/function"))
			if err != nil {
				t.Fatalf("gatewaypattern.yaml config.kubernetes.io/function annotation: %v", err)
			}
			expectString(t, "gatewaypattern.yaml function annotation exec.path", fnSpec, execPath, "exec", "path")

			kptfile := readYAML(t, filepath.Join(ex.dir, "Kptfile"))
			mutators, _ := kptfile.Pipe(yaml.Lookup("pipeline", "mutators"))
			if mutators == nil || len(mutators.Content()) != 1 {
				t.Fatal("Kptfile must have one pipeline mutator, the function")
			}
			mutator := yaml.NewRNode(mutators.Content()[0])
			expectString(t, "Kptfile mutator exec", mutator, execPath, "exec")
			expectString(t, "Kptfile mutator configPath", mutator, "gatewaypattern.yaml", "configPath")

			kust := readYAML(t, filepath.Join(ex.dir, "kustomization.yaml"))
			var listedUnder []string
			for _, field := range []string{"resources", "generators", "transformers"} {
				if list, _ := kust.Pipe(yaml.Lookup(field)); list != nil && slices.Contains(elementStrings(list), "gatewaypattern.yaml") {
					listedUnder = append(listedUnder, field)
				}
			}
			if len(listedUnder) != 1 || listedUnder[0] == "resources" {
				t.Errorf("kustomization.yaml must list gatewaypattern.yaml under generators or under transformers, once; it is under %v", listedUnder)
			}
		})
	}
}

// kustomizeBuild runs `kustomize build --enable-alpha-plugins --enable-exec dir`.
func kustomizeBuild(dir string) (stdout, stderr string, err error) {
	cmd := exec.Command(filepath.Join(toolsDir, "kustomize"), "build", "--enable-alpha-plugins", "--enable-exec", dir)
	// From a directory where ../../bin/gateway-pattern does not exist: kustomize must resolve the
	// exec path from the kustomization directory, not from here.
	cmd.Dir = workDir
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

// TestKustomizeBuild runs `kustomize build --enable-alpha-plugins --enable-exec` on every example
// and compares stdout with .expected/kustomize.yaml and stderr, the only place kustomize shows the
// function's results (warnings and notes of a successful run, errors of a broken example, which
// must exit non-zero), with .expected/kustomize.stderr.
func TestKustomizeBuild(t *testing.T) {
	for _, ex := range examples(t) {
		t.Run(ex.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(workDir, "examples", ex.name)
			build := func() (string, string, error) { return kustomizeBuild(dir) }
			stdout, stderr, err := build()

			if ex.failing {
				var exitErr *exec.ExitError
				if !errors.As(err, &exitErr) {
					t.Fatalf("kustomize build succeeded (%v), want a non-zero exit\nstdout:\n%s", err, stdout)
				}
				if stdout != "" {
					t.Errorf("kustomize printed objects although the function failed:\n%s", stdout)
				}
				if !strings.Contains(stderr, "[error] ") {
					t.Errorf("stderr does not show the function's [error] lines:\n%s", stderr)
				}
				compareGolden(t, filepath.Join(ex.expected, "kustomize.stderr"), stderr)
				return
			}

			if err != nil {
				t.Fatalf("kustomize build: %v\nstderr:\n%s", err, stderr)
			}
			if strings.Contains(stderr, "[error]") {
				t.Errorf("kustomize build succeeded but stderr has errors:\n%s", stderr)
			}
			if strings.TrimSpace(stdout) == "" {
				t.Fatalf("kustomize build printed nothing (was the exec function skipped?)\nstderr:\n%s", stderr)
			}
			compareGolden(t, filepath.Join(ex.expected, "kustomize.yaml"), stdout)
			compareGolden(t, filepath.Join(ex.expected, "kustomize.stderr"), stderr)
			if again, _, err := build(); err != nil || again != stdout {
				t.Errorf("a second kustomize build gave different output (err %v)", err)
			}
		})
	}
}

// TestKptFnRender runs each example through kpt's own e2e runner: it copies the package, runs
// .expected/exec.sh (`kpt fn render --allow-exec` in the package), checks the exit code and
// stderr against .expected/config.yaml and the package's git diff against .expected/diff.patch,
// then runs it again on the result, which must change nothing more.
func TestKptFnRender(t *testing.T) {
	for _, ex := range examples(t) {
		t.Run(ex.name, func(t *testing.T) {
			t.Parallel()
			runKptCase(t, ex.kptCase)
		})
	}
}

// TestKptFnEval runs `kpt fn eval --exec <function> --fn-config gatewaypattern.yaml` on every
// example through kpt's runner and expects what render gave: the same exit code and error text,
// and the same .expected/diff.patch.
func TestKptFnEval(t *testing.T) {
	// The expected diff is render's: in -update mode TestKptFnRender has just written it, and eval
	// is compared with it rather than writing it again.
	os.Unsetenv(kptUpdateEnv)
	for _, ex := range examples(t) {
		// A copy of the example whose runner config asks for eval instead of render.
		caseDir := filepath.Join(workDir, "eval", ex.name)
		if err := copyTree(ex.dir, caseDir); err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(filepath.Join(caseDir, ".expected", "exec.sh")); err != nil {
			t.Fatal(err)
		}
		render := ex.kptCase.Config
		config := map[string]any{
			"testType": runner.CommandFnEval,
			"exitCode": render.ExitCode,
			"execPath": fnBinary,
			"fnConfig": "../gatewaypattern.yaml", // relative to .expected
		}
		if render.StdErr != "" {
			config["stdErr"] = render.StdErr
		}
		if render.StdErrRegEx != "" {
			config["stdErrRegEx"] = render.StdErrRegEx
		}
		data, err := yaml.Marshal(config)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(caseDir, ".expected", "config.yaml"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		cases, err := runner.ScanTestCases(caseDir)
		if err != nil {
			t.Fatal(err)
		}
		if len(*cases) != 1 {
			t.Fatalf("eval case %s: found %d runner cases, want 1", caseDir, len(*cases))
		}
		c := (*cases)[0]
		t.Run(ex.name, func(t *testing.T) {
			t.Parallel()
			runKptCase(t, c)
		})
	}
}

func runKptCase(t *testing.T, c runner.TestCase) {
	t.Helper()
	r, err := runner.NewRunner(t, c, c.Config.TestType)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Run(); err != nil {
		t.Fatalf("kpt fn %s: %v", c.Config.TestType, err)
	}
}

// compareGolden compares got with the file at path, or writes it there with -update.
func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `make e2e-update` to create it)", err)
	}
	if string(want) == got {
		return
	}
	diff, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(string(want)), B: difflib.SplitLines(got),
		FromFile: path, ToFile: "actual", Context: 3,
	})
	t.Errorf("output differs from %s (`make e2e-update` rewrites it; review the diff):\n%s", path, diff)
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func readYAML(t *testing.T, path string) *yaml.RNode {
	t.Helper()
	node, err := yaml.Parse(readFile(t, path))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return node
}

func stringAt(node *yaml.RNode, path ...string) string {
	found, err := node.Pipe(yaml.Lookup(path...))
	if err != nil || found == nil {
		return ""
	}
	return found.YNode().Value
}

func expectString(t *testing.T, what string, node *yaml.RNode, want string, path ...string) {
	t.Helper()
	if got := stringAt(node, path...); got != want {
		t.Errorf("%s is %q, want %q", what, got, want)
	}
}

func elementStrings(list *yaml.RNode) []string {
	var values []string
	for _, n := range list.Content() {
		values = append(values, n.Value)
	}
	return values
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// copyTree copies the directory src to dst, which must not exist yet.
func copyTree(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.CopyFS(dst, os.DirFS(src))
}
