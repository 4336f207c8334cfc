package scaffold

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"

	"github.com/gatewaypattern/gateway-pattern/fn"
	"github.com/gatewaypattern/gateway-pattern/fn/wire"
	"github.com/gatewaypattern/gateway-pattern/krm"
)

// configOf returns the gatewaypattern.yaml of a package of pattern p.
func configOf(t *testing.T, p krm.Pattern) string {
	t.Helper()
	files, err := Files(Package{Pattern: p, Name: "pkg", Wiring: Wiring{Exec: "../../bin/gateway-pattern"}})
	require.NoError(t, err)
	require.Equal(t, ConfigFile, files[0].Name)
	return string(files[0].Data)
}

// render runs the function on config the way the standalone mode does: the objects it writes
// and what it says on stderr.
func render(t *testing.T, config string) (objects, stderr string) {
	t.Helper()
	items, err := wire.ReadObjects([]byte(config))
	require.NoError(t, err)
	require.Len(t, items, 1)
	rl := wire.NewResourceList(items[0], nil)
	var errOut, out bytes.Buffer
	failed := fn.Process(rl, &errOut)
	require.False(t, failed, "the function failed:\n%s\nconfig:\n%s", errOut.String(), config)
	require.NoError(t, wire.WriteObjects(&out, rl.Items()))
	return out.String(), errOut.String()
}

func load(t *testing.T, config string) (*krm.GatewayPattern, krm.Problems) {
	t.Helper()
	var tree any
	require.NoError(t, yaml.Unmarshal([]byte(config), &tree), "config:\n%s", config)
	gp, _, problems := krm.Load(tree)
	return gp, problems
}

// withoutInfo drops the [info] lines (where traffic goes: fn/explain's goldens hold them) from
// what the function printed, leaving its errors and warnings.
func withoutInfo(stderr string) string {
	var kept strings.Builder
	for _, line := range strings.SplitAfter(stderr, "\n") {
		if !strings.HasPrefix(line, "[info] ") {
			kept.WriteString(line)
		}
	}
	return kept.String()
}

// The warnings each package's GatewayPattern gets, as the function prints them.
var wantStderr = map[krm.Pattern]string{
	krm.Ingress: "",
	krm.Egress: "[warning] fn.gatewaypattern.dev/v1alpha1/GatewayPattern/istio-system/istio-egressgateway spec.egress.allowedSources: " +
		"every workload in the mesh may use the egress gateway; list allowedSources to admit only some\n",
	krm.EastWest: "",
}

// TestEveryPatternRenders loads each pattern's GatewayPattern with krm.Load (no error) and
// renders it: the gateway workload and the pattern's Istio objects.
func TestEveryPatternRenders(t *testing.T) {
	wantKinds := map[krm.Pattern][]string{
		krm.Ingress:  {"Gateway", "VirtualService"},
		krm.Egress:   {"ServiceEntry", "Gateway", "VirtualService", "DestinationRule"},
		krm.EastWest: {"Gateway"},
	}
	for _, p := range krm.Patterns {
		t.Run(string(p), func(t *testing.T) {
			config := configOf(t, p)
			gp, problems := load(t, config)
			require.Empty(t, problems.Errors)
			assert.Equal(t, p, gp.Spec.Pattern)
			assert.Equal(t, krm.DefaultNamespace(p), gp.Metadata.Namespace)
			assert.Equal(t, "true", gp.Metadata.Annotations["config.kubernetes.io/local-config"])
			assert.Equal(t, "exec:\n  path: ../../bin/gateway-pattern\n", gp.Metadata.Annotations["config.kubernetes.io/function"])

			objects, stderr := render(t, config)
			assert.Equal(t, wantStderr[p], withoutInfo(stderr))
			for _, kind := range append([]string{"ServiceAccount", "Role", "RoleBinding", "Service", "Deployment", "HorizontalPodAutoscaler"}, wantKinds[p]...) {
				assert.Contains(t, objects, "\nkind: "+kind+"\n")
			}
		})
	}
}

// TestCommentedDefaultsAreTrue uncomments every default the GatewayPattern shows — the lines
// marked "# default" and the whole of values — and checks that the function renders exactly
// what it renders for the file as written: each default is what the function uses.
func TestCommentedDefaultsAreTrue(t *testing.T) {
	for _, p := range krm.Patterns {
		t.Run(string(p), func(t *testing.T) {
			config := configOf(t, p)
			uncommented := uncomment(config, func(line string, inValues bool) bool {
				return inValues || defaultMark.MatchString(line)
			})
			// Each pattern shows at least one default of its block, and values.
			assert.Greater(t, changedLines(config, uncommented), 60)
			assert.Greater(t, changedLines(config, uncomment(config, func(line string, inValues bool) bool {
				return !inValues && defaultMark.MatchString(line)
			})), 0)
			gp, problems := load(t, uncommented)
			require.Empty(t, problems.Errors, "uncommented:\n%s", uncommented)
			require.NotEmpty(t, gp.Spec.Values)

			objects, stderr := render(t, config)
			uncommentedObjects, uncommentedStderr := render(t, uncommented)
			assert.Equal(t, objects, uncommentedObjects)
			assert.Equal(t, stderr, uncommentedStderr)
		})
	}
}

// TestValuesAreKrmDefaults reads the commented values back and compares them with krm's: the
// chart's defaults under the pattern's, for this GatewayPattern. They are written from krm, so
// this proves the writing (order, quoting, nesting), not the values; TestCommentedDefaultsAreTrue
// proves that the function uses them.
func TestValuesAreKrmDefaults(t *testing.T) {
	for _, p := range krm.Patterns {
		t.Run(string(p), func(t *testing.T) {
			config := configOf(t, p)
			gp, _ := load(t, uncomment(config, func(_ string, inValues bool) bool { return inValues }))
			assert.Equal(t, Example(p).DefaultValues(), gp.Spec.Values)
		})
	}
}

// TestMarkedValuesAreThePatterns checks the values marked as the pattern's: exactly those that
// differ from the chart's defaults.
func TestMarkedValuesAreThePatterns(t *testing.T) {
	want := map[krm.Pattern][]string{
		krm.Ingress:  nil,
		krm.Egress:   {"  #     type: ClusterIP # set by the Egress pattern"},
		krm.EastWest: {"  #     ports: # set by the EastWest pattern", "  #   networkGateway: network1 # set by the EastWest pattern"},
	}
	for _, p := range krm.Patterns {
		var marked []string
		for line := range strings.Lines(configOf(t, p)) {
			if strings.Contains(line, "# set by") {
				marked = append(marked, strings.TrimSuffix(line, "\n"))
			}
		}
		assert.Equal(t, want[p], marked, p)
	}
}

// TestCommentedExamplesAreValid uncomments every line of YAML in spec (defaults, values and the
// examples such as an HTTPS server or allowedSources): the GatewayPattern still loads with no
// error, so no commented example teaches something the function refuses.
func TestCommentedExamplesAreValid(t *testing.T) {
	for _, p := range krm.Patterns {
		t.Run(string(p), func(t *testing.T) {
			config := configOf(t, p)
			all := uncomment(config, func(string, bool) bool { return true })
			_, problems := load(t, all)
			assert.Empty(t, problems.Errors, "uncommented:\n%s", all)
			render(t, all)
		})
	}
}

var (
	// commentedYAML is a line of YAML commented out: "# key: ..." or "# - ...", at any depth.
	commentedYAML = regexp.MustCompile(`^(\s*)# (\s*(?:- |[\w./-]+:(?:\s|$)).*)$`)
	// defaultMark ends a commented-out line that shows a default.
	defaultMark = regexp.MustCompile(`^\s*# .*\s# default\b`)
)

// uncomment uncomments the lines of YAML in spec for which which says so; inValues is true from
// the commented values key to the end of its block.
func uncomment(config string, which func(line string, inValues bool) bool) string {
	var out []string
	inSpec, inValues := false, false
	for _, line := range strings.Split(config, "\n") {
		inSpec = inSpec || line == "spec:"
		if line == "  # values:" {
			inValues = true
		} else if !strings.HasPrefix(line, "  #   ") {
			inValues = false
		}
		if m := commentedYAML.FindStringSubmatch(line); inSpec && m != nil && which(line, inValues) {
			line = m[1] + m[2]
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

func changedLines(a, b string) int {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	n := 0
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			n++
		}
	}
	return n
}

// TestUncomment checks the test's own helper on lines of each kind.
func TestUncomment(t *testing.T) {
	config := "metadata:\n  # name: kept, not in spec\nspec:\n  # The chart's values: prose\n  # values:\n  #   name: \"\"\n  #   service:\n  #     type: ClusterIP # set by\n" +
		"  egress:\n    # sidecarToGateway: ISTIO_MUTUAL   # default; a | b\n    # - {namespace: shop}\n"
	assert.Equal(t, "metadata:\n  # name: kept, not in spec\nspec:\n  # The chart's values: prose\n  values:\n    name: \"\"\n    service:\n      type: ClusterIP # set by\n"+
		"  egress:\n    sidecarToGateway: ISTIO_MUTUAL   # default; a | b\n    # - {namespace: shop}\n",
		uncomment(config, func(line string, inValues bool) bool { return inValues || defaultMark.MatchString(line) }))
	assert.Equal(t, "metadata:\n  # name: kept, not in spec\nspec:\n  # The chart's values: prose\n  values:\n    name: \"\"\n    service:\n      type: ClusterIP # set by\n"+
		"  egress:\n    sidecarToGateway: ISTIO_MUTUAL   # default; a | b\n    - {namespace: shop}\n",
		uncomment(config, func(string, bool) bool { return true }))
}

func TestParsePattern(t *testing.T) {
	for in, want := range map[string]krm.Pattern{"Ingress": krm.Ingress, "egress": krm.Egress, "EASTWEST": krm.EastWest, "eastWest": krm.EastWest} {
		got, err := ParsePattern(in)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	for _, in := range []string{"", "east-west", "Ingres", "Ingress "} {
		_, err := ParsePattern(in)
		assert.EqualError(t, err, `unknown pattern "`+in+`": want Ingress, Egress or EastWest`)
	}
}

func TestFilesRefusesBadPackages(t *testing.T) {
	for _, tc := range []struct {
		p    Package
		want string
	}{
		{Package{Pattern: "Sideways", Wiring: Wiring{Exec: "x"}}, `unknown pattern "Sideways": want Ingress, Egress or EastWest`},
		{Package{Pattern: krm.Egress}, "name the function either by its binary (exec) or by its image, not both or neither"},
		{Package{Pattern: krm.Egress, Wiring: Wiring{Exec: "x", Image: "y"}}, "name the function either by its binary (exec) or by its image, not both or neither"},
		{Package{Pattern: krm.Egress, Wiring: Wiring{Exec: "bin/\nx"}}, `the function's path or image "bin/\nx" holds a control character`},
		{Package{Pattern: krm.Egress, Name: "a\tb", Wiring: Wiring{Exec: "x"}}, `the package name "a\tb" holds a control character`},
	} {
		_, err := Files(tc.p)
		assert.EqualError(t, err, tc.want)
	}
}

// TestStringsAreQuoted: a path, image or name that YAML would read as another type is quoted,
// in every file.
func TestStringsAreQuoted(t *testing.T) {
	files, err := Files(Package{Pattern: krm.Egress, Name: "yes", Wiring: Wiring{Exec: "0777"}})
	require.NoError(t, err)
	assert.Contains(t, string(files[0].Data), "\n        path: \"0777\"\n")
	assert.Contains(t, string(files[2].Data), "\n  name: \"yes\"\n")
	assert.Contains(t, string(files[2].Data), "\n  - exec: \"0777\"\n")
	files, err = Files(Package{Pattern: krm.Egress, Name: "on", Wiring: Wiring{Image: "true"}})
	require.NoError(t, err)
	assert.Contains(t, string(files[0].Data), "\n        image: \"true\"\n")
	assert.Contains(t, string(files[2].Data), "\n  - image: \"true\"\n")
}

func TestQualifiedImage(t *testing.T) {
	for in, want := range map[string]string{
		"gateway-pattern:dev":                          "docker.io/library/gateway-pattern:dev",
		"gateway-pattern":                              "docker.io/library/gateway-pattern",
		"registry.example.com/gateway-pattern:v0.1.0":  "registry.example.com/gateway-pattern:v0.1.0",
		"localhost:5000/gateway-pattern:dev":           "localhost:5000/gateway-pattern:dev",
		"docker.io/library/gateway-pattern:dev@sha256": "docker.io/library/gateway-pattern:dev@sha256",
	} {
		assert.Equal(t, want, QualifiedImage(in), in)
	}
}

func TestExecPath(t *testing.T) {
	root := t.TempDir()
	repo := filepath.Join(root, "repo")
	require.NoError(t, os.MkdirAll(filepath.Join(repo, ".git"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(repo, "bin"), 0o755))
	worktree := filepath.Join(root, "worktree") // a linked work tree: .git is a file
	require.NoError(t, os.MkdirAll(worktree, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(worktree, ".git"), []byte("gitdir: ../repo/.git/worktrees/x\n"), 0o644))
	require.NoError(t, os.Symlink(repo, filepath.Join(root, "link")))
	binary := filepath.Join(repo, "bin", "gateway-pattern")

	for _, tc := range []struct {
		name, dir, executable string
		want                  string
		relative              bool
	}{
		{"in one work tree, the package not made yet", filepath.Join(repo, "deploy", "egress"), binary, "../../bin/gateway-pattern", true},
		{"the package at the top", repo, binary, "bin/gateway-pattern", true},
		{"through a link to the work tree", filepath.Join(root, "link", "deploy"), binary, "../bin/gateway-pattern", true},
		{"the binary through a link", filepath.Join(repo, "deploy"), filepath.Join(root, "link", "bin", "gateway-pattern"), "../bin/gateway-pattern", true},
		{"in another work tree", filepath.Join(worktree, "deploy"), binary, binary, false},
		{"outside any work tree", filepath.Join(root, "pkg"), binary, binary, false},
		{"the binary outside", filepath.Join(repo, "deploy"), "/usr/local/bin/gateway-pattern", "/usr/local/bin/gateway-pattern", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, relative, err := ExecPath(tc.dir, tc.executable)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.relative, relative)
		})
	}
}

func TestWrite(t *testing.T) {
	files := []File{{"a.yaml", []byte("a\n")}, {"b.yaml", []byte("b\n")}}

	t.Run("creates the directory", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "x", "y")
		require.NoError(t, Write(dir, files))
		data, err := os.ReadFile(filepath.Join(dir, "b.yaml"))
		require.NoError(t, err)
		assert.Equal(t, "b\n", string(data))
	})

	t.Run("refuses to overwrite, and writes nothing", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "b.yaml"), []byte("mine\n"), 0o644))
		require.NoError(t, os.Symlink("nowhere", filepath.Join(dir, "a.yaml"))) // dangling
		err := Write(dir, files)
		assert.EqualError(t, err, filepath.Join(dir, "a.yaml")+", "+filepath.Join(dir, "b.yaml")+
			" already exist; nothing was written (init never overwrites a file)")
		data, _ := os.ReadFile(filepath.Join(dir, "b.yaml"))
		assert.Equal(t, "mine\n", string(data))
		entries, _ := os.ReadDir(dir)
		assert.Len(t, entries, 2)
	})

	t.Run("undoes a failed write", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "new")
		// The second file cannot be made: its name is a path into a directory that does not exist.
		err := Write(dir, []File{{"a.yaml", []byte("a\n")}, {"missing/b.yaml", []byte("b\n")}})
		require.Error(t, err)
		_, statErr := os.Stat(dir)
		assert.True(t, os.IsNotExist(statErr), "the directory it made is removed: %v", statErr)
	})
}
