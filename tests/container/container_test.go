// Package container tests the gateway-pattern container image end to end with a real Docker
// daemon: the image `make image` builds offline, run directly the way kpt runs functions and as a
// kustomize container function, compared with the function run as a local binary.
//
// When no Docker daemon answers, every test is skipped with a banner saying so (and, when
// GATEWAY_PATTERN_SKIP_REPORT names a file, the banner is appended to it so `make` can print it);
// with GATEWAY_PATTERN_REQUIRE_DOCKER=1 a missing daemon is a failure instead.
package container

import (
	"archive/tar"
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// root is the function's repository, relative to this package.
const root = "../.."

// kustomizeVersion is the kustomize the e2e tests pin.
const kustomizeVersion = "v5.8.1"

// runFlags are the flags kpt and kustomize pass to `docker run` for a function (no network, the
// unprivileged user, no privilege escalation), plus a read-only root filesystem.
var runFlags = []string{"run", "-i", "--rm", "--network", "none", "--read-only", "--user", "65534", "--security-opt=no-new-privileges"}

func image() string {
	if name := os.Getenv("GATEWAY_PATTERN_IMAGE"); name != "" {
		return name
	}
	return "gateway-pattern:dev"
}

var (
	setupOnce sync.Once
	setupErr  error
	skipWhy   string
	hostBin   string // the function built for this machine, the reference output
)

// setup checks that Docker answers, builds the image with `make image` and the reference binary.
func setup(t *testing.T) {
	t.Helper()
	setupOnce.Do(func() {
		if why := dockerUnavailable(); why != "" {
			skipWhy = why
			return
		}
		if out, err := command(5*time.Minute, "make", "-C", root, "--no-print-directory", "image", "IMAGE="+image()); err != nil {
			setupErr = fmt.Errorf("make image: %v\n%s", err, out)
			return
		}
		dir, err := os.MkdirTemp("", "gateway-pattern-container-test-")
		if err != nil {
			setupErr = err
			return
		}
		hostBin = filepath.Join(dir, "gateway-pattern")
		abs, _ := filepath.Abs(root)
		if out, err := commandIn(abs, 5*time.Minute, "go", "build", "-o", hostBin, "."); err != nil {
			setupErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if skipWhy != "" {
		skipLoudly(t, skipWhy)
	}
	require.NoError(t, setupErr)
}

// dockerUnavailable returns why no Docker daemon can run the image, or "".
func dockerUnavailable() string {
	if _, err := exec.LookPath("docker"); err != nil {
		return "the docker command is not installed (Debian: apt-get install docker.io)"
	}
	out, err := command(30*time.Second, "docker", "info", "--format", "{{.ServerVersion}}")
	if err != nil {
		return fmt.Sprintf("`docker info` failed, no Docker daemon answers: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return ""
}

func skipLoudly(t *testing.T, why string) {
	t.Helper()
	banner := strings.Join([]string{
		"",
		"!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
		"!!! CONTAINER TESTS SKIPPED: the gateway-pattern image was NOT built or run.",
		"!!! " + why,
		"!!! Start a Docker daemon (.ci/run does: dockerd --bridge=none --iptables=false) and rerun.",
		"!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
		"",
	}, "\n")
	if os.Getenv("GATEWAY_PATTERN_REQUIRE_DOCKER") == "1" {
		t.Fatal(banner + "GATEWAY_PATTERN_REQUIRE_DOCKER=1: failing instead of skipping")
	}
	if report := os.Getenv("GATEWAY_PATTERN_SKIP_REPORT"); report != "" {
		if f, err := os.OpenFile(report, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err == nil {
			fmt.Fprintf(f, "%s: %s\n", t.Name(), why)
			f.Close()
		}
	}
	t.Skip(banner)
}

// TestRunsDirectly feeds every golden ResourceList to the image the way kpt runs a container
// function and expects exactly what the local binary gives: stdout, stderr and exit code.
func TestRunsDirectly(t *testing.T) {
	setup(t)
	inputs, err := filepath.Glob(filepath.Join(root, "testdata", "*", "input.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, inputs)
	for _, input := range inputs {
		t.Run(filepath.Base(filepath.Dir(input)), func(t *testing.T) {
			in, err := os.ReadFile(input)
			require.NoError(t, err)
			want := run(t, in, hostBin)
			got := run(t, in, "docker", append(append([]string{}, runFlags...), image())...)
			assert.Equal(t, want.code, got.code, "exit code")
			assert.Equal(t, want.stdout, got.stdout, "stdout")
			assert.Equal(t, want.stderr, got.stderr, "stderr")
		})
	}
}

// TestStandaloneMode runs the image's standalone mode (a config file argument) on a mounted,
// read-only file, as a script or CI job would.
func TestStandaloneMode(t *testing.T) {
	setup(t)
	config, err := filepath.Abs(filepath.Join(root, "examples", "seed-egress", "gatewaypattern.yaml"))
	require.NoError(t, err)
	want := run(t, nil, hostBin, config)
	require.Equal(t, 0, want.code, want.stderr)
	args := append(append([]string{}, runFlags...), "-v", config+":/in/gatewaypattern.yaml:ro", image(), "/in/gatewaypattern.yaml")
	got := run(t, nil, "docker", args...)
	assert.Equal(t, want, got)
}

// TestKustomizeContainerFunction builds every example with kustomize, once with the function as
// an exec function (the local binary) and once as a container function (the image), and expects
// the same output, or the same failure.
func TestKustomizeContainerFunction(t *testing.T) {
	setup(t)
	kustomize := findKustomize(t)
	configs, err := filepath.Glob(filepath.Join(root, "examples", "*", "gatewaypattern.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, configs)
	for _, config := range configs {
		example := filepath.Dir(config)
		if _, err := os.Stat(filepath.Join(example, "kustomization.yaml")); err != nil {
			continue
		}
		t.Run(filepath.Base(example), func(t *testing.T) {
			execDir := copyExample(t, example, "exec:\n  path: "+hostBin+"\n")
			containerDir := copyExample(t, example, "container:\n  image: "+image()+"\n")
			want := run(t, nil, kustomize, "build", "--enable-alpha-plugins", "--enable-exec", execDir)
			got := run(t, nil, kustomize, "build", "--enable-alpha-plugins", containerDir)
			assert.Equal(t, want.code, got.code, "exit code (exec mode stderr: %s)", want.stderr)
			assert.Equal(t, want.stdout, got.stdout, "kustomize output")
			if want.code != 0 {
				// kustomize wraps the function's stderr in its own error text, which names the
				// runtime; the function's lines must be there, the same in both.
				for _, line := range functionLines(want.stderr) {
					assert.Contains(t, got.stderr, line)
				}
				assert.NotEmpty(t, functionLines(got.stderr), "the function's error lines must reach kustomize's stderr:\n%s", got.stderr)
			} else {
				assert.NotEmpty(t, strings.TrimSpace(got.stdout), "nothing generated")
			}
		})
	}
}

// TestKptEvalImage runs `kpt fn eval --image <image> --image-pull-policy never --fn-config
// gatewaypattern.yaml .` in a copy of every example, with kpt's fn commands built from kpt's own
// packages (tests/e2e/cmd/kpt), and expects exactly the package files that
// `kpt fn eval --exec <local binary>` leaves in another copy. examples/bad-config must fail, with
// the function's errors in kpt's output and the package unchanged.
func TestKptEvalImage(t *testing.T) {
	setup(t)
	kpt := buildKpt(t)
	imageArgs := []string{"fn", "eval", "--image", kptImage(), "--image-pull-policy", "never", "--fn-config", "gatewaypattern.yaml", "."}
	execArgs := []string{"fn", "eval", "--exec", hostBin, "--fn-config", "gatewaypattern.yaml", "."}

	configs, err := filepath.Glob(filepath.Join(root, "examples", "*", "gatewaypattern.yaml"))
	require.NoError(t, err)
	tested := 0
	for _, config := range configs {
		example := filepath.Dir(config)
		if strings.HasPrefix(filepath.Base(example), "bad-") {
			continue
		}
		tested++
		t.Run(filepath.Base(example), func(t *testing.T) {
			execDir, imageDir := copyPackage(t, example), copyPackage(t, example)
			want := runIn(t, execDir, nil, kpt, execArgs...)
			require.Equal(t, 0, want.code, "kpt fn eval --exec:\n%s%s", want.stdout, want.stderr)
			got := runIn(t, imageDir, nil, kpt, imageArgs...)
			require.Equal(t, 0, got.code, "kpt fn eval --image:\n%s%s", got.stdout, got.stderr)
			assert.Contains(t, got.stderr, fmt.Sprintf("[PASS] %q", kptImage()), "kpt must have run the image")

			wantFiles, gotFiles := packageFiles(t, execDir), packageFiles(t, imageDir)
			assert.NotEqual(t, packageFiles(t, example), wantFiles, "kpt fn eval --exec changed nothing")
			assert.Equal(t, sortedKeys(wantFiles), sortedKeys(gotFiles), "the package's files")
			for name, data := range wantFiles {
				if other, ok := gotFiles[name]; ok {
					assert.Equal(t, data, other, "%s", name)
				}
			}
		})
	}
	require.NotZero(t, tested, "no examples found")

	t.Run("bad-config", func(t *testing.T) {
		example := filepath.Join(root, "examples", "bad-config")
		dir := copyPackage(t, example)
		got := runIn(t, dir, nil, kpt, imageArgs...)
		output := got.stdout + got.stderr
		assert.NotEqual(t, 0, got.code, "kpt fn eval --image must fail:\n%s", output)
		for _, text := range []string{
			`spec.values.servce: Invalid value: "servce": unknown field; did you mean "service"?`,
			`spec.egress.sidecarToGateway: Unsupported value: "STRICT"`,
		} {
			assert.Contains(t, output, text, "the function's error must reach kpt's output")
		}
		assert.Equal(t, packageFiles(t, example), packageFiles(t, dir), "a failing function must leave the package unchanged")
	})
}

// kptImage is image() as kpt fn eval must be given it. kpt resolves every image name without a
// "/" to its function catalog (gateway-pattern:dev would be
// ghcr.io/kptdev/krm-functions-catalog/gateway-pattern:dev, which --image-pull-policy never cannot
// find), so a bare name gets docker.io/library/, the full name Docker gives a local image.
func kptImage() string {
	name := image()
	if !strings.Contains(name, "/") {
		return "docker.io/library/" + name
	}
	return name
}

// buildKpt builds tests/e2e/cmd/kpt (kpt's fn commands, from kpt's own packages) into a temporary
// directory. cgo is off, as in `make e2e`: kpt's optional wasm runtime would need it.
func buildKpt(t *testing.T) string {
	t.Helper()
	e2e, err := filepath.Abs(filepath.Join(root, "tests", "e2e"))
	require.NoError(t, err)
	kpt := filepath.Join(t.TempDir(), "kpt")
	out, err := command(20*time.Minute, "env", "CGO_ENABLED=0", "go", "build", "-C", e2e, "-o", kpt, "./cmd/kpt")
	require.NoError(t, err, "building tests/e2e/cmd/kpt: %s", out)
	return kpt
}

// copyPackage copies an example directory, unchanged, to a temporary one.
func copyPackage(t *testing.T, example string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, os.DirFS(example)))
	return dir
}

// packageFiles returns every file under dir by its slash-separated relative path: its mode and
// content.
func packageFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = info.Mode().String() + "\n" + string(data)
		return nil
	})
	require.NoError(t, err)
	return files
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestImageContents checks what the image holds and how it runs: exactly the binary (static) and
// the passwd and group files, a non-root user, the binary as entrypoint, and no shell.
func TestImageContents(t *testing.T) {
	setup(t)
	var config struct {
		Config struct {
			User       string
			Entrypoint []string
			Cmd        []string
		}
	}
	out, err := command(time.Minute, "docker", "image", "inspect", "--format", "{{json .}}", image())
	require.NoError(t, err, "%s", out)
	require.NoError(t, json.Unmarshal(out, &config))
	assert.Equal(t, "65534:65534", config.Config.User, "the image must run as nobody, never root")
	assert.Equal(t, []string{"/gateway-pattern"}, config.Config.Entrypoint)
	assert.Empty(t, config.Config.Cmd)

	files := imageFiles(t)
	var names []string
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	assert.Equal(t, []string{"etc/", "etc/group", "etc/passwd", "gateway-pattern"}, names, "the image must hold nothing else")
	assert.Contains(t, string(files["etc/passwd"]), "nobody:x:65534:65534:", "kpt and kustomize run functions as --user nobody")
	assert.Contains(t, string(files["etc/group"]), ":x:65534:")

	bin, err := elf.NewFile(bytes.NewReader(files["gateway-pattern"]))
	require.NoError(t, err, "the entrypoint must be an ELF binary")
	for _, p := range bin.Progs {
		assert.NotEqual(t, elf.PT_INTERP, p.Type, "the binary must be static: a scratch image has no dynamic loader")
	}

	shell := run(t, nil, "docker", "run", "--rm", "--network", "none", "--entrypoint", "/bin/sh", image(), "-c", "true")
	assert.NotEqual(t, 0, shell.code, "the image must have no shell")
	assert.Contains(t, shell.stderr, "no such file or directory")

	// kpt's exact flags, with the user given by name: resolved through the image's /etc/passwd.
	help := run(t, nil, "docker", "run", "--rm", "-i", "--network", "none", "--user", "nobody",
		"--security-opt=no-new-privileges", "--read-only", image(), "--help")
	assert.Equal(t, 0, help.code, help.stderr)
	assert.Contains(t, help.stdout, "GatewayPattern")
}

// imageFiles returns every file of the image (layers applied in order; directories end in "/").
func imageFiles(t *testing.T) map[string][]byte {
	t.Helper()
	saved, err := command(2*time.Minute, "docker", "save", image())
	require.NoError(t, err)
	entries := map[string][]byte{}
	tr := tar.NewReader(bytes.NewReader(saved))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		data, err := io.ReadAll(tr)
		require.NoError(t, err)
		entries[h.Name] = data
	}
	var manifest []struct{ Layers []string }
	require.NoError(t, json.Unmarshal(entries["manifest.json"], &manifest), "docker save wrote no manifest.json")
	require.Len(t, manifest, 1)
	files := map[string][]byte{}
	for _, layer := range manifest[0].Layers {
		lr := tar.NewReader(bytes.NewReader(entries[layer]))
		for {
			h, err := lr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err)
			name := strings.TrimPrefix(h.Name, "./")
			if h.Typeflag == tar.TypeDir {
				name = strings.TrimSuffix(name, "/") + "/"
			}
			data, err := io.ReadAll(lr)
			require.NoError(t, err)
			files[name] = data
		}
	}
	return files
}

// copyExample copies an example directory to a temporary one and points the GatewayPattern's
// config.kubernetes.io/function annotation at the given runtime.
func copyExample(t *testing.T, example, function string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, os.DirFS(example)))
	path := filepath.Join(dir, "gatewaypattern.yaml")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	nodes, err := (&kio.ByteReader{Reader: bytes.NewReader(data), OmitReaderAnnotations: true}).Read()
	require.NoError(t, err)
	found := false
	for _, node := range nodes {
		if node.GetKind() == "GatewayPattern" {
			require.NoError(t, node.PipeE(yaml.SetAnnotation("config.kubernetes.io/function", function)))
			found = true
		}
	}
	require.True(t, found, "%s holds no GatewayPattern", path)
	var out bytes.Buffer
	require.NoError(t, kio.ByteWriter{Writer: &out}.Write(nodes))
	require.NoError(t, os.WriteFile(path, out.Bytes(), 0o644))
	return dir
}

// functionLines are the result lines the function prints on stderr ("[error] ...").
func functionLines(stderr string) []string {
	var lines []string
	for _, line := range strings.Split(stderr, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[error]") || strings.HasPrefix(line, "[warning]") {
			lines = append(lines, line)
		}
	}
	return lines
}

// findKustomize returns the kustomize binary to use: $KUSTOMIZE, or the pinned version where the
// repository's tests install it, on PATH or in $GOPATH/bin, or else it installs the pinned version
// into the repository's bin/tools with `go install`.
func findKustomize(t *testing.T) string {
	t.Helper()
	if k := os.Getenv("KUSTOMIZE"); k != "" {
		return k
	}
	candidates := []string{
		filepath.Join(root, "bin", "tools", "kustomize"),
		filepath.Join(root, "tests", "e2e", ".bin", "kustomize"), // where the e2e tests install it
	}
	if p, err := exec.LookPath("kustomize"); err == nil {
		candidates = append(candidates, p)
	}
	if gopath, err := command(time.Minute, "go", "env", "GOPATH"); err == nil {
		candidates = append(candidates, filepath.Join(strings.TrimSpace(string(gopath)), "bin", "kustomize"))
	}
	for _, c := range candidates {
		if out, err := command(time.Minute, c, "version"); err == nil && strings.TrimSpace(string(out)) == kustomizeVersion {
			abs, _ := filepath.Abs(c)
			return abs
		}
	}
	tools, err := filepath.Abs(filepath.Join(root, "bin", "tools"))
	require.NoError(t, err)
	out, err := command(10*time.Minute, "env", "GOBIN="+tools, "go", "install", "sigs.k8s.io/kustomize/kustomize/v5@"+kustomizeVersion)
	require.NoError(t, err, "installing kustomize %s: %s", kustomizeVersion, out)
	return filepath.Join(tools, "kustomize")
}

type result struct {
	stdout, stderr string
	code           int
}

func run(t *testing.T, stdin []byte, name string, args ...string) result {
	t.Helper()
	return runIn(t, "", stdin, name, args...)
}

// runIn is run in the directory dir ("": the current one).
func runIn(t *testing.T, dir string, stdin []byte, name string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return result{stdout: stdout.String(), stderr: stderr.String(), code: cmd.ProcessState.ExitCode()}
}

func command(timeout time.Duration, name string, args ...string) ([]byte, error) {
	return commandIn("", timeout, name, args...)
}

func commandIn(dir string, timeout time.Duration, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return append(out, stderr.Bytes()...), err
	}
	return out, nil
}
