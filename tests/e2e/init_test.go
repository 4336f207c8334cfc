package e2e

import (
	"bytes"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pmezard/go-difflib/difflib"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// The files `gateway-pattern init` writes.
var initFiles = []string{"gatewaypattern.yaml", "kustomization.yaml", "Kptfile", ".krmignore"}

// TestInit makes a package of each pattern with `gateway-pattern init`, wired both ways init
// wires the binary that runs it — by its absolute path (the binary is outside the package's Git
// work tree) and by a relative path (both are in one) — and runs the command lines init prints:
// `kustomize build` must print, and `kpt fn render` write into the package, exactly the objects
// the standalone mode renders for the same gatewaypattern.yaml. kpt must leave the package's own
// files byte for byte as init wrote them, and a second render must change nothing.
func TestInit(t *testing.T) {
	// A Git work tree with the binary in it, for the relative wiring.
	repo := filepath.Join(workDir, "init", "repo")
	repoBinary := filepath.Join(repo, "bin", "gateway-pattern")
	if err := os.MkdirAll(filepath.Join(repo, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, fnBinary, repoBinary)
	outside := filepath.Join(workDir, "init", "outside")
	if err := os.MkdirAll(outside, 0o755); err != nil {
		t.Fatal(err)
	}

	for _, pattern := range []string{"Ingress", "Egress", "EastWest"} {
		for _, tc := range []struct {
			wiring, binary, cwd, dir, wantExec string
		}{
			{"absolute", fnBinary, outside, strings.ToLower(pattern), fnBinary},
			{"relative", repoBinary, repo, filepath.Join("deploy", strings.ToLower(pattern)), "../../bin/gateway-pattern"},
		} {
			t.Run(pattern+"/"+tc.wiring, func(t *testing.T) {
				initCmd := exec.Command(tc.binary, "init", pattern, tc.dir)
				initCmd.Dir = tc.cwd
				var initOut, initErr bytes.Buffer
				initCmd.Stdout, initCmd.Stderr = &initOut, &initErr
				if err := initCmd.Run(); err != nil {
					t.Fatalf("gateway-pattern init: %v\n%s", err, initErr.String())
				}
				pkg := filepath.Join(tc.cwd, tc.dir)
				written := readFiles(t, pkg)
				kptfile, _ := yaml.Parse(written["Kptfile"])
				expectString(t, "Kptfile mutator exec", yaml.NewRNode(kptfile.Field("pipeline").Value.Field("mutators").Value.Content()[0]), tc.wantExec, "exec")

				standalone := exec.Command(fnBinary, filepath.Join(pkg, "gatewaypattern.yaml"))
				want, err := standalone.Output()
				if err != nil {
					t.Fatalf("standalone: %v", err)
				}
				wantObjects := objects(t, "standalone output", string(want))
				if strings.Count(wantObjects, "\nkind: ") < 7 {
					t.Fatalf("the standalone mode rendered too little:\n%s", wantObjects)
				}

				kustomize, kpt := printedCommands(t, initOut.String())
				if !strings.HasPrefix(kustomize, "kustomize build --enable-alpha-plugins --enable-exec ") || !strings.Contains(kpt, "kpt fn render --allow-exec") {
					t.Fatalf("init printed\n%s", initOut.String())
				}
				got := shell(t, tc.cwd, kustomize)
				compareText(t, "kustomize build", wantObjects, objects(t, "kustomize build output", got))

				shell(t, tc.cwd, kpt)
				rendered := readFiles(t, pkg)
				var generated []string
				for name, data := range rendered {
					if slices.Contains(initFiles, name) {
						if data != written[name] {
							diff, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
								A: difflib.SplitLines(written[name]), B: difflib.SplitLines(data),
								FromFile: name + " as init wrote it", ToFile: "after kpt fn render", Context: 1,
							})
							t.Errorf("kpt fn render changed %s:\n%s", name, diff)
						}
						continue
					}
					generated = append(generated, data)
				}
				compareText(t, "kpt fn render", wantObjects, objects(t, "files kpt wrote", strings.Join(generated, "---\n")))

				shell(t, tc.cwd, kpt)
				if again := readFiles(t, pkg); !maps.Equal(again, rendered) {
					t.Error("a second kpt fn render changed the package")
				}
			})
		}
	}
}

// printedCommands returns the kustomize and the kpt command lines init printed under "Render it
// with:".
func printedCommands(t *testing.T, stdout string) (kustomize, kpt string) {
	t.Helper()
	_, commands, found := strings.Cut(stdout, "Render it with:\n")
	lines := strings.Split(strings.TrimSpace(commands), "\n")
	if !found || len(lines) != 2 {
		t.Fatalf("init printed no two command lines:\n%s", stdout)
	}
	return strings.TrimSpace(lines[0]), strings.TrimSpace(lines[1])
}

// shell runs a command line as a user would paste it, in dir, and returns its stdout.
func shell(t *testing.T, dir, line string) string {
	t.Helper()
	cmd := exec.Command("sh", "-c", line)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s (in %s): %v\n%s", line, dir, err, stderr.String())
	}
	return stdout.String()
}

// objects reads a stream of objects and writes it in one canonical form, to compare what the
// tools wrote regardless of their order of objects and of fields: each object with its keys
// sorted and without the config.kubernetes.io annotations the tools use in passing, in order of
// apiVersion, kind, namespace and name.
func objects(t *testing.T, what, stream string) string {
	t.Helper()
	nodes, err := kio.FromBytes([]byte(stream))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	type object struct{ key, text string }
	var list []object
	for _, node := range nodes {
		for name := range node.GetAnnotations() {
			if strings.HasPrefix(name, "config.kubernetes.io/") || strings.HasPrefix(name, "internal.config.kubernetes.io/") {
				if _, err := node.Pipe(yaml.ClearAnnotation(name)); err != nil {
					t.Fatal(err)
				}
			}
		}
		tree, err := node.Map()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		text, err := yaml.Marshal(tree)
		if err != nil {
			t.Fatal(err)
		}
		key := strings.Join([]string{node.GetApiVersion(), node.GetKind(), node.GetNamespace(), node.GetName()}, "/")
		list = append(list, object{key, string(text)})
	}
	slices.SortFunc(list, func(a, b object) int { return strings.Compare(a.key, b.key) })
	var out strings.Builder
	for _, o := range list {
		out.WriteString("---\n" + o.text)
	}
	return out.String()
}

func compareText(t *testing.T, what, want, got string) {
	t.Helper()
	if want == got {
		return
	}
	diff, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(want), B: difflib.SplitLines(got),
		FromFile: "standalone", ToFile: what, Context: 3,
	})
	t.Errorf("%s gave other objects than the standalone mode:\n%s", what, diff)
}

// readFiles reads every file under dir by its path relative to dir.
func readFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[rel] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
