package main

import (
	"bytes"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The golden cases of `gateway-pattern init`. Each runs in a fresh directory <tmp>/work, the top
// of a Git work tree (it has a .git directory), from the directory cwd under it, with this binary
// at binary (under work when relative); the files written into dir and the command's stdout are
// compared whole with testdata/init/<name>/ (`go test . -run TestInit -update` rewrites them).
var initCases = []struct {
	name   string
	args   []string
	cwd    string
	binary string
	dir    string // where the package is written, from cwd
}{
	// This binary, by its path relative to the package: both are in one work tree.
	{name: "ingress", args: []string{"Ingress", "deploy/ingress"}, binary: "bin/gateway-pattern", dir: "deploy/ingress"},
	// This binary, by its absolute path: it is outside the work tree. Lower case; DIR is made.
	{name: "egress", args: []string{"egress", "deploy/gateways/egress"}, binary: "/usr/local/bin/gateway-pattern", dir: "deploy/gateways/egress"},
	// DIR defaults to the current directory.
	{name: "eastwest", args: []string{"EastWest"}, cwd: "deploy/eastwest", binary: "bin/gateway-pattern", dir: "."},
	// The container image; flags after the arguments; an image with no registry gets Docker's.
	{name: "egress-image", args: []string{"Egress", "egress", "--image", "gateway-pattern:dev"}, binary: "bin/gateway-pattern", dir: "egress"},
	// Names YAML and the shell would misread: the Kptfile's name is quoted, and so is DIR in the
	// command lines.
	{name: "quoting", args: []string{"Egress", "team's gateways/yes"}, binary: "bin/gateway-pattern", dir: "team's gateways/yes"},
	// A path of the user's, written as given.
	{name: "ingress-exec", args: []string{"--exec=../tools/gateway-pattern", "ingress", "ingress"}, binary: "bin/gateway-pattern", dir: "ingress"},
}

// initWork makes <tmp>/work with a .git directory and cwd under it, changes into cwd, and makes
// init see binary as this binary's path. It returns work.
func initWork(t *testing.T, cwd, binary string) string {
	t.Helper()
	work := filepath.Join(t.TempDir(), "work")
	require.NoError(t, os.MkdirAll(filepath.Join(work, ".git"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(work, cwd), 0o755))
	t.Chdir(filepath.Join(work, cwd))
	if !filepath.IsAbs(binary) {
		binary = filepath.Join(work, binary)
	}
	saved := invokedAs
	invokedAs = func() (string, error) { return binary, nil }
	t.Cleanup(func() { invokedAs = saved })
	return work
}

func runInit(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(append([]string{"init"}, args...), strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

// filesUnder reads every file under dir, by path relative to dir.
func filesUnder(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[rel] = string(data)
		return err
	}))
	return files
}

func TestInit(t *testing.T) {
	goldenRoot, err := filepath.Abs(filepath.Join("testdata", "init"))
	require.NoError(t, err)
	for _, tc := range initCases {
		t.Run(tc.name, func(t *testing.T) {
			golden := filepath.Join(goldenRoot, tc.name)
			initWork(t, tc.cwd, tc.binary)
			code, stdout, stderr := runInit(tc.args...)
			require.Equal(t, 0, code, "stderr:\n%s", stderr)
			assert.Empty(t, stderr)

			got := filesUnder(t, tc.dir)
			got["stdout"] = stdout
			if *update {
				require.NoError(t, os.RemoveAll(golden))
				for name, data := range got {
					require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(golden, name)), 0o755))
					require.NoError(t, os.WriteFile(filepath.Join(golden, name), []byte(data), 0o644))
				}
			}
			want := filesUnder(t, golden)
			assert.ElementsMatch(t, slices.Collect(maps.Keys(want)), slices.Collect(maps.Keys(got)), "the files written")
			for name, data := range want {
				assert.Equal(t, data, got[name], "%s differs from %s (`go test . -run TestInit -update` rewrites it)", name, filepath.Join(golden, name))
			}

			// Again: every file exists now, and nothing is written.
			code, stdout, stderr = runInit(tc.args...)
			assert.Equal(t, 1, code)
			assert.Empty(t, stdout)
			var paths []string
			for _, name := range []string{"gatewaypattern.yaml", "kustomization.yaml", "Kptfile", ".krmignore"} {
				paths = append(paths, filepath.Join(tc.dir, name))
			}
			assert.Equal(t, "gateway-pattern init: "+strings.Join(paths, ", ")+" already exist; nothing was written (init never overwrites a file)\n", stderr)
		})
	}
}

// TestInitRefusesToOverwrite: one file of the package exists, and init writes nothing at all.
func TestInitRefusesToOverwrite(t *testing.T) {
	work := initWork(t, "", "bin/gateway-pattern")
	pkg := filepath.Join(work, "deploy", "egress")
	require.NoError(t, os.MkdirAll(pkg, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(pkg, "Kptfile"), []byte("mine\n"), 0o644))

	code, stdout, stderr := runInit("Egress", "deploy/egress")
	assert.Equal(t, 1, code)
	assert.Empty(t, stdout)
	assert.Equal(t, "gateway-pattern init: deploy/egress/Kptfile already exists; nothing was written (init never overwrites a file)\n", stderr)
	assert.Equal(t, map[string]string{"Kptfile": "mine\n"}, filesUnder(t, pkg))
}

// TestInitDirIsAFile: DIR, or a directory above it, is a file.
func TestInitDirIsAFile(t *testing.T) {
	work := initWork(t, "", "bin/gateway-pattern")
	require.NoError(t, os.WriteFile(filepath.Join(work, "pkg"), []byte("mine\n"), 0o644))
	for dir, want := range map[string]string{
		"pkg":     "gateway-pattern init: pkg is not a directory\n",
		"pkg/sub": "gateway-pattern init: stat pkg/sub: not a directory\n",
	} {
		code, stdout, stderr := runInit("Egress", dir)
		assert.Equal(t, 1, code)
		assert.Empty(t, stdout)
		assert.Equal(t, want, stderr)
	}
	assert.Equal(t, map[string]string{"pkg": "mine\n"}, filesUnder(t, work))
}

// TestInitBadUsage: each mistake gets its own message and exit code 2, and nothing is written.
func TestInitBadUsage(t *testing.T) {
	usageLine := "Usage: gateway-pattern init [--exec PATH | --image IMAGE] PATTERN [DIR]\n"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "missing PATTERN: Ingress, Egress or EastWest"},
		{[]string{"Sideways"}, `unknown pattern "Sideways": want Ingress, Egress or EastWest`},
		{[]string{"east-west", "pkg"}, `unknown pattern "east-west": want Ingress, Egress or EastWest`},
		{[]string{"Egress", "pkg", "more"}, `unexpected argument "more": want PATTERN [DIR]`},
		{[]string{"--exec", "bin/x", "--image", "y", "Egress", "pkg"}, "--exec and --image exclude each other: name one way to run the function"},
		{[]string{"--image=", "Egress", "pkg"}, "--image is empty"},
		{[]string{"Egress", "pkg", "--exec"}, "flag needs an argument: -exec"},
		{[]string{"--force", "Egress", "pkg"}, "flag provided but not defined: -force"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			work := initWork(t, "", "bin/gateway-pattern")
			code, stdout, stderr := runInit(tc.args...)
			assert.Equal(t, 2, code)
			assert.Empty(t, stdout)
			assert.Equal(t, "gateway-pattern init: "+tc.want+"\n"+usageLine, stderr)
			assert.Equal(t, map[string]string{}, filesUnder(t, work), "nothing is written")
		})
	}
}

// TestInitGoRun: a binary `go run` built is deleted when it exits; init will not name it.
func TestInitGoRun(t *testing.T) {
	work := initWork(t, "", "/tmp/go-build2212/b001/exe/gateway-pattern")
	code, stdout, stderr := runInit("Egress", "pkg")
	assert.Equal(t, 1, code)
	assert.Empty(t, stdout)
	assert.Equal(t, "gateway-pattern init: this binary is a temporary build of `go run` (/tmp/go-build2212/b001/exe/gateway-pattern), deleted when it exits: "+
		"run init from a built binary (make build: bin/gateway-pattern), or name the function with --exec PATH or --image IMAGE\n", stderr)
	assert.Equal(t, map[string]string{}, filesUnder(t, work))

	// Naming the function is enough.
	code, _, stderr = runInit("Egress", "pkg", "--exec", "../bin/gateway-pattern")
	assert.Equal(t, 0, code, stderr)
}

func TestInitHelp(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"--help"}, {"Egress", "--help"}} {
		work := initWork(t, "", "bin/gateway-pattern")
		code, stdout, stderr := runInit(args...)
		assert.Equal(t, 0, code)
		assert.Equal(t, initUsage, stdout)
		assert.Empty(t, stderr)
		assert.Equal(t, map[string]string{}, filesUnder(t, work))
	}
	var out bytes.Buffer
	require.Equal(t, 0, run([]string{"--help"}, nil, &out, &out))
	assert.Contains(t, out.String(), "\n  gateway-pattern init PATTERN [DIR] ")
}
