package e2e

import (
	"bytes"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// The GatewayPattern under kustomize's transformers: (examples/transformer-ingress): kustomize runs
// it after the resources, with every resource of the build as items, then the transformers listed
// after it. TestKustomizeBuild checks the example's output and stderr (the warning); these tests
// check what a transformer meets besides: its own earlier output among the resources, an edit of
// the GatewayPattern, and the kustomization's namespace:.

const transformerExample = "transformer-ingress"

// variant copies the transformer example to <workDir>/<kind>/<example> (two levels below workDir,
// so ../../bin/gateway-pattern is the function, as in the repo) and lets edit change its files.
func variant(t *testing.T, kind string, edit func(dir string)) string {
	t.Helper()
	dir := filepath.Join(workDir, kind, transformerExample)
	if err := copyTree(filepath.Join(examplesDir, transformerExample), dir); err != nil {
		t.Fatal(err)
	}
	edit(dir)
	return dir
}

func mustBuild(t *testing.T, dir string) (stdout, stderr string) {
	t.Helper()
	stdout, stderr, err := kustomizeBuild(dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v\nstderr:\n%s", dir, err, stderr)
	}
	return stdout, stderr
}

// editKustomization changes dir/kustomization.yaml with edit.
func editKustomization(t *testing.T, dir string, edit func(k *yaml.RNode) error) {
	t.Helper()
	path := filepath.Join(dir, "kustomization.yaml")
	k := readYAML(t, path)
	if err := edit(k); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, k.MustString())
}

// replaceIn replaces old by new in dir/file, which must hold old once.
func replaceIn(t *testing.T, dir, file, old, new string) {
	t.Helper()
	path := filepath.Join(dir, file)
	text := readFile(t, path)
	if strings.Count(text, old) != 1 {
		t.Fatalf("%s holds %q %d times, want once", path, old, strings.Count(text, old))
	}
	writeFile(t, path, strings.Replace(text, old, new, 1))
}

// hydrate replaces the kustomization's resources by one file that holds output: a build of
// hydrated output, such as a repository that commits what kustomize rendered and builds on it.
func hydrate(t *testing.T, output string) func(dir string) {
	return func(dir string) {
		writeFile(t, filepath.Join(dir, "hydrated.yaml"), output)
		editKustomization(t, dir, func(k *yaml.RNode) error {
			return k.PipeE(yaml.SetField("resources", yaml.NewListRNode("hydrated.yaml")))
		})
	}
}

// TestKustomizeTransformerRerun: with the function's own earlier output among the resources, the
// build gives the same objects once, not twice (the earlier objects are replaced, and the second
// transformer labels the new ones again); after an edit of the GatewayPattern, it gives what a
// build of the edited GatewayPattern from the original resources gives.
func TestKustomizeTransformerRerun(t *testing.T) {
	first, firstStderr := mustBuild(t, variant(t, "first", func(string) {}))

	t.Run("the same GatewayPattern", func(t *testing.T) {
		again, stderr := mustBuild(t, variant(t, "rerun", hydrate(t, first)))
		assertSameOutput(t, first, again)
		if stderr != firstStderr {
			t.Errorf("stderr differs from the first build's: the function's own objects must not be reported\nfirst:\n%s\nrerun:\n%s", firstStderr, stderr)
		}
	})

	t.Run("an edited GatewayPattern", func(t *testing.T) {
		edit := func(dir string) {
			replaceIn(t, dir, "gatewaypattern.yaml", "prefix: /api", "prefix: /v2/api")
			replaceIn(t, dir, "gatewaypattern.yaml", "hosts: [shop.example.com]\n    routes:", "hosts: [shop.example.com, www.shop.example.com]\n    routes:")
		}
		fresh, _ := mustBuild(t, variant(t, "edited-fresh", edit))
		rerun, _ := mustBuild(t, variant(t, "edited-rerun", func(dir string) { hydrate(t, first)(dir); edit(dir) }))
		if fresh == first {
			t.Fatal("the edit changed nothing: the test proves nothing")
		}
		assertSameOutput(t, fresh, rerun)
	})
}

// assertSameOutput compares two kustomize outputs byte for byte, and lists the objects when they
// differ in number (an object twice, or one left over).
func assertSameOutput(t *testing.T, want, got string) {
	t.Helper()
	if want == got {
		return
	}
	t.Errorf("the outputs differ\nwant objects: %v\ngot objects:  %v\ngot:\n%s", inventory(t, want), inventory(t, got), got)
}

// inventory lists the objects of a kustomize output as "kind namespace/name", in output order.
func inventory(t *testing.T, output string) []string {
	t.Helper()
	var out []string
	for _, o := range readObjects(t, output) {
		out = append(out, o.GetKind()+" "+o.GetNamespace()+"/"+o.GetName())
	}
	return out
}

// TestKustomizeTransformerNamespace: a kustomization's namespace: is applied by kustomize's builtin
// transformers, which run before the ones the kustomization lists. Under transformers: the
// generated objects keep the GatewayPattern's namespace (the one their Service FQDNs and
// selectors name) while the other resources move; under generators: they move with the rest.
func TestKustomizeTransformerNamespace(t *testing.T) {
	first, _ := mustBuild(t, variant(t, "namespace-first", func(string) {}))
	setNamespace := func(dir string) {
		editKustomization(t, dir, func(k *yaml.RNode) error {
			return k.PipeE(yaml.SetField("namespace", yaml.NewStringRNode("staging")))
		})
	}

	t.Run("transformers", func(t *testing.T) {
		got, _ := mustBuild(t, variant(t, "namespace-transformers", setNamespace))
		// What the first build gave, with only the resources of app.yaml in staging.
		want := moveNamespace(t, first, func(o *yaml.RNode) bool { return !generated(o) })
		assertSameObjects(t, want, got)
	})
	t.Run("generators", func(t *testing.T) {
		got, _ := mustBuild(t, variant(t, "namespace-generators", func(dir string) {
			setNamespace(dir)
			editKustomization(t, dir, func(k *yaml.RNode) error {
				if err := k.PipeE(yaml.SetField("transformers", yaml.NewListRNode("team-label.yaml"))); err != nil {
					return err
				}
				return k.PipeE(yaml.SetField("generators", yaml.NewListRNode("gatewaypattern.yaml")))
			})
		}))
		// Every object in staging, the generated ones too, though their VirtualService still
		// routes to the Services by their FQDN in shop: the README's namespace pitfall. kustomize
		// also gives the RoleBinding's subject, which names no namespace, the new one.
		want := moveNamespace(t, first, func(o *yaml.RNode) bool {
			if o.GetKind() == "RoleBinding" {
				subjects, err := o.Pipe(yaml.Lookup("subjects"))
				if err != nil || subjects == nil {
					t.Fatalf("the generated RoleBinding has no subjects (%v)", err)
				}
				for _, s := range subjects.Content() {
					if err := yaml.NewRNode(s).PipeE(yaml.SetField("namespace", yaml.NewStringRNode("staging"))); err != nil {
						t.Fatal(err)
					}
				}
			}
			return true
		})
		assertSameObjects(t, want, got)
		if !strings.Contains(got, "host: api.shop.svc.cluster.local") {
			t.Error("the generated VirtualService no longer names api.shop.svc.cluster.local: the test's premise changed")
		}
	})
}

func generated(o *yaml.RNode) bool {
	return o.GetLabels()["app.kubernetes.io/managed-by"] == "gateway-pattern"
}

// moveNamespace returns the objects of output, each encoded alone and sorted, with the namespace
// of those move selects set to staging.
func moveNamespace(t *testing.T, output string, move func(*yaml.RNode) bool) []string {
	t.Helper()
	objects := readObjects(t, output)
	for _, o := range objects {
		if move(o) {
			if err := o.SetNamespace("staging"); err != nil {
				t.Fatal(err)
			}
		}
	}
	return encodeSorted(t, objects)
}

// assertSameObjects compares the objects of got, each encoded alone and sorted, with want: kustomize
// orders its output by kind and id, and a namespace moves objects within a kind.
func assertSameObjects(t *testing.T, want []string, output string) {
	t.Helper()
	got := encodeSorted(t, readObjects(t, output))
	if !slices.Equal(want, got) {
		t.Errorf("objects differ\nwant:\n%s\ngot:\n%s", strings.Join(want, "---\n"), strings.Join(got, "---\n"))
	}
}

func readObjects(t *testing.T, output string) []*yaml.RNode {
	t.Helper()
	objects, err := (&kio.ByteReader{Reader: strings.NewReader(output), OmitReaderAnnotations: true}).Read()
	if err != nil {
		t.Fatal(err)
	}
	return objects
}

func encodeSorted(t *testing.T, objects []*yaml.RNode) []string {
	t.Helper()
	var out []string
	for _, o := range objects {
		var buf bytes.Buffer
		if err := (kio.ByteWriter{Writer: &buf}).Write([]*yaml.RNode{o}); err != nil {
			t.Fatal(err)
		}
		out = append(out, buf.String())
	}
	slices.Sort(out)
	return out
}
