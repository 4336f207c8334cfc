package e2e

// Argo CD, without a cluster: the command lines Argo CD runs, run here the way it runs them, on
// every example, from the files in deploy/argocd that users install. What each test copies from
// Argo CD (v3.5.1) is named beside it:
//
//   - repo-server, kustomize Applications (util/kustomize/kustomize.go, Build): `kustomize build
//     <absolute app path> <kustomize.buildOptions split at spaces>`, in the repository's root, with
//     the repo-server's environment plus the build environment (ARGOCD_APP_*).
//   - config management plugin sidecar (cmpserver/plugin/plugin.go, runCommand): generate.command[0]
//     with generate.command[1:] and generate.args, no shell, in the Application's path inside the
//     sidecar's copy of the repository, with the sidecar's environment plus the build environment,
//     KUBE_VERSION and KUBE_API_VERSIONS (reposerver/repository/repository.go, getPluginEnvs). The
//     copy's files are written 0644 and its directories 0755 unless the plugin sets
//     preserveFileMode (util/io/files/tar.go, untar).

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

const (
	argoCDDir = "deploy/argocd" // in the repository
	// bareExecPath is how a GatewayPattern names the function under Argo CD: found on PATH, in
	// the repo-server image (deploy/argocd/repo-server/Dockerfile) and in the CMP sidecar alike.
	bareExecPath = "gateway-pattern"
	// imageFunction is where the function's image holds the binary (the Dockerfile's COPY and
	// ENTRYPOINT; tests/container checks the entrypoint).
	imageFunction = "/gateway-pattern"
	// cmpServer is the sidecar's command: Argo CD's CMP server from the repo-server's var-files volume.
	cmpServer = "/var/run/argocd/argocd-cmp-server"
)

// pluginConfig is Argo CD's plugin.yaml (cmpserver/plugin/config.go, PluginConfig), decoded
// strictly here so a misspelt field fails the test instead of being ignored as Argo CD would.
type pluginConfig struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		Version  string        `yaml:"version"`
		Init     pluginCommand `yaml:"init"`
		Generate pluginCommand `yaml:"generate"`
		Discover struct {
			FileName string `yaml:"fileName"`
			Find     struct {
				Command []string `yaml:"command"`
				Args    []string `yaml:"args"`
				Glob    string   `yaml:"glob"`
			} `yaml:"find"`
		} `yaml:"discover"`
		Parameters       map[string]any `yaml:"parameters"`
		PreserveFileMode bool           `yaml:"preserveFileMode"`
		ProvideGitCreds  bool           `yaml:"provideGitCreds"`
	} `yaml:"spec"`
}

type pluginCommand struct {
	Command []string `yaml:"command"`
	Args    []string `yaml:"args"`
}

func (c pluginCommand) argv() []string { return append(slices.Clone(c.Command), c.Args...) }

// argoBuildEnv is the build environment Argo CD gives kustomize and plugins for an Application of
// the given source path (reposerver/repository/repository.go, newEnv).
func argoBuildEnv(appPath string) []string {
	const revision = "0123456789abcdef0123456789abcdef01234567"
	return []string{
		"ARGOCD_APP_NAME=" + filepath.Base(appPath),
		"ARGOCD_APP_NAMESPACE=istio-system",
		"ARGOCD_APP_PROJECT_NAME=default",
		"ARGOCD_APP_REVISION=" + revision,
		"ARGOCD_APP_REVISION_SHORT=" + revision[:7],
		"ARGOCD_APP_REVISION_SHORT_8=" + revision[:8],
		"ARGOCD_APP_SOURCE_REPO_URL=https://git.example.com/mesh.git",
		"ARGOCD_APP_SOURCE_PATH=" + appPath,
		"ARGOCD_APP_SOURCE_TARGET_REVISION=HEAD",
	}
}

// argoRepo copies the example into a new repository root at examples/<name>, the Application's
// path, as Argo CD checks it out; with bare, its GatewayPattern names the function by its bare
// name, as deploy/argocd requires. It returns the root and the app's relative path.
func argoRepo(t *testing.T, ex example, bare bool) (root, appPath string) {
	t.Helper()
	root = t.TempDir()
	appPath = filepath.Join("examples", ex.name)
	if err := copyTree(ex.dir, filepath.Join(root, appPath)); err != nil {
		t.Fatal(err)
	}
	if bare {
		gp := filepath.Join(root, appPath, "gatewaypattern.yaml")
		text := readFile(t, gp)
		old := "path: " + execPath + "\n"
		if strings.Count(text, old) != 1 {
			t.Fatalf("%s: want the exec path %q once", gp, execPath)
		}
		if err := os.WriteFile(gp, []byte(strings.Replace(text, old, "path: "+bareExecPath+"\n", 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root, appPath
}

// resetFileModes does to a repository copy what the CMP sidecar's untar does without
// preserveFileMode: every file 0644, every directory 0755.
func resetFileModes(t *testing.T, root string) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if d.IsDir() {
			mode = 0o755
		}
		return os.Chmod(path, mode)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// runArgo runs argv in dir with env and returns stdout, stderr and the error. A command name
// without a slash is looked up in env's PATH, as the process whose environment env is would look
// it up (exec.LookPath reads this process's PATH, not env's).
func runArgo(dir string, env, argv []string) (string, string, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	if !strings.Contains(argv[0], "/") {
		cmd.Path, cmd.Err = lookPathIn(env, argv[0])
	}
	cmd.Dir, cmd.Env = dir, env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

func lookPathIn(env []string, name string) (string, error) {
	var path string
	for _, kv := range env {
		if value, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = value // the last one wins, as in exec.Cmd.Env
		}
	}
	for _, dir := range filepath.SplitList(path) {
		file := filepath.Join(dir, name)
		if info, err := os.Stat(file); err == nil && info.Mode().IsRegular() && info.Mode()&0o111 != 0 {
			return file, nil
		}
	}
	return "", &exec.Error{Name: name, Err: exec.ErrNotFound}
}

// checkArgoOutput compares what Argo CD's command gave for an example with the example's
// expected kustomize output, or its expected stderr when the example is broken on purpose.
func checkArgoOutput(t *testing.T, ex example, stdout, stderr string, err error) {
	t.Helper()
	if ex.failing {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			t.Fatalf("succeeded (%v), want a non-zero exit\nstdout:\n%s", err, stdout)
		}
		if stdout != "" {
			t.Errorf("printed objects although the function failed:\n%s", stdout)
		}
		compareWith(t, filepath.Join(ex.expected, "kustomize.stderr"), stderr)
		return
	}
	if err != nil {
		t.Fatalf("%v\nstderr:\n%s", err, stderr)
	}
	if strings.TrimSpace(stdout) == "" {
		t.Fatalf("printed nothing: kustomize skipped the function (is --enable-exec among the options?)\nstderr:\n%s", stderr)
	}
	compareWith(t, filepath.Join(ex.expected, "kustomize.yaml"), stdout)
}

// compareWith compares got with a file TestKustomizeBuild owns: it is never rewritten from here.
func compareWith(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		return
	}
	compareGolden(t, path, got)
}

// TestArgoCDRepoServer runs what Argo CD's repo-server runs for a kustomize Application, with the
// build options of deploy/argocd/repo-server/argocd-cm.yaml, where the repo-server image holds the
// function on its PATH (deploy/argocd/repo-server/Dockerfile).
func TestArgoCDRepoServer(t *testing.T) {
	cm := readYAML(t, filepath.Join(repoRoot, argoCDDir, "repo-server", "argocd-cm.yaml"))
	expectString(t, "argocd-cm.yaml metadata.name", cm, "argocd-cm", "metadata", "name")
	options := stringAt(cm, "data", "kustomize.buildOptions")
	if options == "" {
		t.Fatal("argocd-cm.yaml has no data.kustomize.buildOptions")
	}
	// The repo-server's PATH: its image's /usr/local/bin holds kustomize and the function.
	env := append(os.Environ(), "PATH="+filepath.Dir(fnBinary)+string(os.PathListSeparator)+toolsDir)
	kustomizeBuild := func(root, appPath, options string) (string, string, error) {
		argv := append([]string{"kustomize", "build", filepath.Join(root, appPath)}, strings.Fields(options)...)
		return runArgo(root, append(slices.Clone(env), argoBuildEnv(appPath)...), argv)
	}

	for _, ex := range examples(t) {
		t.Run(ex.name, func(t *testing.T) {
			t.Parallel()
			root, appPath := argoRepo(t, ex, true)
			stdout, stderr, err := kustomizeBuild(root, appPath, options)
			checkArgoOutput(t, ex, stdout, stderr, err)
		})
	}

	// What a user sees when one piece is missing; the README quotes these.
	ex := exampleNamed(t, "seed-egress")
	t.Run("without --enable-exec", func(t *testing.T) {
		root, appPath := argoRepo(t, ex, true)
		withoutExec := strings.Join(slices.DeleteFunc(strings.Fields(options), func(o string) bool { return o == "--enable-exec" }), " ")
		stdout, stderr, err := kustomizeBuild(root, appPath, withoutExec)
		if err != nil || stdout != "" {
			t.Errorf("kustomize build %s: err %v, stdout %q, stderr %q; want exit 0 and nothing, the function silently skipped",
				withoutExec, err, stdout, stderr)
		}
	})
	t.Run("function not in the image", func(t *testing.T) {
		root, appPath := argoRepo(t, ex, true)
		argv := append([]string{"kustomize", "build", filepath.Join(root, appPath)}, strings.Fields(options)...)
		noFunction := append(os.Environ(), "PATH="+toolsDir)
		_, stderr, err := runArgo(root, append(noFunction, argoBuildEnv(appPath)...), argv)
		expectFailure(t, err, stderr, `Error: couldn't execute function: exec: "gateway-pattern": executable file not found in $PATH`+"\n")
	})
	t.Run("relative exec path", func(t *testing.T) {
		// The examples' ../../bin/gateway-pattern is `make build`'s output, which no checkout holds.
		root, appPath := argoRepo(t, ex, false)
		_, stderr, err := kustomizeBuild(root, appPath, options)
		expectFailure(t, err, stderr, "Error: couldn't execute function: fork/exec ../../bin/gateway-pattern: no such file or directory\n")
	})
}

// TestArgoCDPluginGenerate runs the generate command of deploy/argocd/cmp/plugin.yaml the way
// Argo CD's CMP server runs it, in a sidecar laid out as deploy/argocd/cmp/repo-server.yaml lays it
// out (read from the patched Deployment TestArgoCDInstall checks).
func TestArgoCDPluginGenerate(t *testing.T) {
	plugin := readPluginConfig(t)
	sidecarEnv := cmpSidecarEnv(t)
	generate := func(root, appPath string) (string, string, error) {
		env := append(slices.Clone(sidecarEnv), argoBuildEnv(appPath)...)
		env = append(env, "KUBE_VERSION=1.35.0", "KUBE_API_VERSIONS=v1,apps/v1,networking.istio.io/v1,security.istio.io/v1")
		dir := filepath.Join(root, appPath)
		if argv := plugin.Spec.Init.argv(); len(argv) > 0 {
			if _, stderr, err := runArgo(dir, env, argv); err != nil {
				return "", stderr, err
			}
		}
		return runArgo(dir, env, plugin.Spec.Generate.argv())
	}

	for _, ex := range examples(t) {
		t.Run(ex.name, func(t *testing.T) {
			t.Parallel()
			root, appPath := argoRepo(t, ex, true)
			resetFileModes(t, root)
			stdout, stderr, err := generate(root, appPath)
			checkArgoOutput(t, ex, stdout, stderr, err)
		})
	}

	// A binary committed to the repository, as Config Sync needs, arrives without its executable bit.
	t.Run("committed binary", func(t *testing.T) {
		root, appPath := argoRepo(t, exampleNamed(t, "seed-egress"), false)
		committed := filepath.Join(root, "bin", "gateway-pattern")
		if err := os.MkdirAll(filepath.Dir(committed), 0o755); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(fnBinary)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(committed, data, 0o755); err != nil {
			t.Fatal(err)
		}
		resetFileModes(t, root)
		_, stderr, err := generate(root, appPath)
		expectFailure(t, err, stderr, "Error: couldn't execute function: fork/exec ../../bin/gateway-pattern: permission denied\n")
	})
}

func readPluginConfig(t *testing.T) pluginConfig {
	t.Helper()
	path := filepath.Join(repoRoot, argoCDDir, "cmp", "plugin.yaml")
	dec := yaml.NewDecoder(strings.NewReader(readFile(t, path)))
	dec.KnownFields(true)
	var plugin pluginConfig
	if err := dec.Decode(&plugin); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	// What Argo CD checks when the sidecar starts (cmpserver/plugin/config.go, ValidatePluginConfig),
	// and what the README promises of it.
	switch {
	case plugin.APIVersion != "argoproj.io/v1alpha1" || plugin.Kind != "ConfigManagementPlugin":
		t.Errorf("%s is a %s %s, want an argoproj.io/v1alpha1 ConfigManagementPlugin", path, plugin.APIVersion, plugin.Kind)
	case plugin.Metadata.Name != "gateway-pattern" || plugin.Spec.Version != "":
		t.Errorf("%s: Applications name the plugin gateway-pattern (metadata.name, no spec.version); got %q version %q",
			path, plugin.Metadata.Name, plugin.Spec.Version)
	case len(plugin.Spec.Generate.Command) == 0:
		t.Errorf("%s has no spec.generate.command", path)
	case plugin.Spec.PreserveFileMode:
		t.Errorf("%s sets preserveFileMode: a repository could bring executables for --enable-exec to run", path)
	case plugin.Spec.Discover.FileName != "" || plugin.Spec.Discover.Find.Glob != "" || len(plugin.Spec.Discover.Find.Command) > 0:
		t.Errorf("%s has discovery rules: only Applications that name the plugin may run exec functions", path)
	}
	return plugin
}

// cmpSidecarEnv lays out the sidecar's filesystem under a temporary root as the patched
// Deployment and the function's image make it — the function at /gateway-pattern, Argo CD's
// kustomize where the init container copies it — and returns the sidecar's environment, its PATH
// pointing into that root.
func cmpSidecarEnv(t *testing.T) []string {
	t.Helper()
	pod := argoCDInstall(t, "cmp").podSpec(t)
	sidecar := namedIn(t, pod, "containers", "gateway-pattern")
	if got := elementStrings(lookup(t, sidecar, "command")); !slices.Equal(got, []string{cmpServer}) {
		t.Errorf("sidecar command %q, want [%s]", got, cmpServer)
	}
	tools := namedIn(t, pod, "initContainers", "gateway-pattern-tools")
	copyCommand := elementStrings(lookup(t, tools, "command"))
	if len(copyCommand) != 3 || copyCommand[0] != "/bin/cp" || copyCommand[1] != "/usr/local/bin/kustomize" {
		t.Fatalf("init container command %q, want [/bin/cp /usr/local/bin/kustomize <dest>]", copyCommand)
	}

	root := t.TempDir()
	place := func(sidecarPath, from string) {
		t.Helper()
		dst := filepath.Join(root, sidecarPath)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(from, dst); err != nil {
			t.Fatal(err)
		}
	}
	place(imageFunction, fnBinary)
	// The copy's destination, seen from the sidecar: the same volume, where the sidecar mounts it.
	dest := copyCommand[2]
	volume, sub := mountedAt(t, tools, dest)
	sidecarDir := stringAt(namedIn(t, sidecar, "volumeMounts", volume), "mountPath")
	// Argo CD v3.5.1's image bundles kustomize v5.8.1 (hack/tool-versions.sh), the one tests/e2e installs.
	place(filepath.Join(sidecarDir, sub), filepath.Join(toolsDir, "kustomize"))

	var path []string
	for _, e := range lookup(t, sidecar, "env").Content() {
		env := yaml.NewRNode(e)
		if stringAt(env, "name") == "PATH" {
			for _, dir := range filepath.SplitList(stringAt(env, "value")) {
				path = append(path, filepath.Join(root, dir))
			}
		}
	}
	if len(path) == 0 {
		t.Fatal("the sidecar sets no PATH")
	}
	return []string{"PATH=" + strings.Join(path, string(os.PathListSeparator))}
}

// TestArgoCDInstall builds deploy/argocd/cmp and deploy/argocd/repo-server onto the parts of Argo
// CD's install they patch (testdata/argocd/install), as a user adds them, and compares the result
// with testdata/argocd/<component>/expected.yaml.
func TestArgoCDInstall(t *testing.T) {
	for _, component := range []string{"cmp", "repo-server"} {
		t.Run(component, func(t *testing.T) {
			install := argoCDInstall(t, component)
			compareGolden(t, filepath.Join("testdata", "argocd", component, "expected.yaml"), install.text)
		})
	}
	t.Run("plugin.yaml", func(t *testing.T) {
		install := argoCDInstall(t, "cmp")
		pod := install.podSpec(t)
		mount := namedIn(t, namedIn(t, pod, "containers", "gateway-pattern"), "volumeMounts", "gateway-pattern-cmp")
		expectString(t, "plugin.yaml mount path", mount, "/home/argocd/cmp-server/config/plugin.yaml", "mountPath")
		cmName := stringAt(namedIn(t, pod, "volumes", "gateway-pattern-cmp"), "configMap", "name")
		for _, obj := range install.objects {
			if stringAt(obj, "kind") == "ConfigMap" && stringAt(obj, "metadata", "name") == cmName {
				if got, want := stringAt(obj, "data", "plugin.yaml"), readFile(t, filepath.Join(repoRoot, argoCDDir, "cmp", "plugin.yaml")); got != want {
					t.Errorf("ConfigMap %s holds a plugin.yaml other than deploy/argocd/cmp/plugin.yaml:\n%s", cmName, got)
				}
				return
			}
		}
		t.Errorf("the sidecar mounts ConfigMap %q, which the install does not have", cmName)
	})
}

type builtInstall struct {
	text    string
	objects []*yaml.RNode
}

func argoCDInstall(t *testing.T, component string) builtInstall {
	t.Helper()
	out, err := exec.Command(filepath.Join(toolsDir, "kustomize"), "build", filepath.Join("testdata", "argocd", component)).Output()
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			t.Fatalf("kustomize build testdata/argocd/%s: %v\n%s", component, err, exitErr.Stderr)
		}
		t.Fatal(err)
	}
	objects, err := kio.FromBytes(out)
	if err != nil {
		t.Fatal(err)
	}
	return builtInstall{text: string(out), objects: objects}
}

// podSpec is the repo-server Deployment's pod spec.
func (b builtInstall) podSpec(t *testing.T) *yaml.RNode {
	t.Helper()
	for _, obj := range b.objects {
		if stringAt(obj, "kind") == "Deployment" && stringAt(obj, "metadata", "name") == "argocd-repo-server" {
			return lookup(t, obj, "spec", "template", "spec")
		}
	}
	t.Fatal("no argocd-repo-server Deployment")
	return nil
}

func lookup(t *testing.T, node *yaml.RNode, path ...string) *yaml.RNode {
	t.Helper()
	found, err := node.Pipe(yaml.Lookup(path...))
	if err != nil || found == nil {
		t.Fatalf("no %s (%v)", strings.Join(path, "."), err)
	}
	return found
}

// namedIn is the element of node's list field whose name is name.
func namedIn(t *testing.T, node *yaml.RNode, field, name string) *yaml.RNode {
	t.Helper()
	for _, e := range lookup(t, node, field).Content() {
		if element := yaml.NewRNode(e); stringAt(element, "name") == name {
			return element
		}
	}
	t.Fatalf("no %s named %s", field, name)
	return nil
}

// mountedAt returns the volume a container mounts at a directory holding path, and path below it.
func mountedAt(t *testing.T, container *yaml.RNode, path string) (volume, sub string) {
	t.Helper()
	for _, e := range lookup(t, container, "volumeMounts").Content() {
		mount := yaml.NewRNode(e)
		if rel, err := filepath.Rel(stringAt(mount, "mountPath"), path); err == nil && !strings.HasPrefix(rel, "..") {
			return stringAt(mount, "name"), rel
		}
	}
	t.Fatalf("%s mounts nothing at %s", stringAt(container, "name"), path)
	return "", ""
}

func exampleNamed(t *testing.T, name string) example {
	t.Helper()
	for _, ex := range examples(t) {
		if ex.name == name {
			return ex
		}
	}
	t.Fatalf("no example %s", name)
	return example{}
}

func expectFailure(t *testing.T, err error, stderr, want string) {
	t.Helper()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		t.Fatalf("succeeded (%v), want a failure with stderr %q", err, want)
	}
	if stderr != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", stderr, want)
	}
}
