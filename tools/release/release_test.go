package main

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatewaypattern/gateway-pattern/krm"
)

// root is the repository, relative to this package.
const root = "../.."

// versionText is what `gateway-pattern --version` must print for a version and commit.
func versionText(version, commit string) string {
	return "gateway-pattern " + version + "\ncommit: " + commit + "\nistio/gateway chart: " + krm.ChartVersion + "\n"
}

// TestRelease runs `make release` twice: in this checkout, where the Makefile takes the commit
// and SOURCE_DATE_EPOCH from git, and in a copy of it at another path, with no .git, given the
// same commit and time. Every file must be byte-identical; SHA256SUMS must verify with
// sha256sum; the stamped binary must say its version; the OCI archive must be a valid OCI layout
// holding one image index over linux/amd64 and linux/arm64 images built as the Dockerfile says.
// With a Docker daemon, the amd64 image is also loaded and run.
func TestRelease(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: make release cross-compiles four binaries")
	}
	repo := abs(t, root)
	version := strings.TrimSpace(readFile(t, filepath.Join(repo, "VERSION")))
	commit := strings.TrimSpace(git(t, repo, "rev-parse", "HEAD"))
	if strings.TrimSpace(git(t, repo, "status", "--porcelain")) != "" {
		commit += "-dirty"
	}
	epoch := strings.TrimSpace(git(t, repo, "log", "-1", "--format=%ct"))

	distA := filepath.Join(t.TempDir(), "dist")
	start := time.Now()
	runMake(t, repo, "release", "DIST="+distA)
	t.Logf("make release in %s: %s", repo, time.Since(start).Round(time.Second))

	copyDir := filepath.Join(t.TempDir(), "another", "checkout")
	copyTree(t, repo, copyDir)
	distB := filepath.Join(t.TempDir(), "elsewhere")
	start = time.Now()
	runMake(t, copyDir, "release", "DIST="+distB, "COMMIT="+commit, "SOURCE_DATE_EPOCH="+epoch)
	t.Logf("make release in a copy without .git: %s", time.Since(start).Round(time.Second))

	want := []string{
		"SHA256SUMS",
		"gateway-pattern_" + version + "_darwin_amd64",
		"gateway-pattern_" + version + "_darwin_arm64",
		"gateway-pattern_" + version + "_linux_amd64",
		"gateway-pattern_" + version + "_linux_arm64",
		"gateway-pattern_" + version + "_oci-image.tar",
	}
	filesA, filesB := dirFiles(t, distA), dirFiles(t, distB)
	require.Equal(t, want, sortedNames(filesA), "the files of make release")
	require.Equal(t, want, sortedNames(filesB), "the files of make release in the copy")
	for _, name := range want {
		assert.True(t, bytes.Equal(filesA[name], filesB[name]), "%s differs between the two builds", name)
		info, err := os.Stat(filepath.Join(distA, name))
		require.NoError(t, err)
		t.Logf("%-45s %10d bytes", name, info.Size())
	}

	t.Run("SHA256SUMS", func(t *testing.T) {
		check := []string{"sha256sum", "--check", "--strict", "SHA256SUMS"}
		if _, err := exec.LookPath("sha256sum"); err != nil {
			check = []string{"shasum", "--algorithm", "256", "--check", "--strict", "SHA256SUMS"} // macOS
		}
		out, err := commandIn(distA, check[0], check[1:]...)
		require.NoError(t, err, "%s", out)
		for _, name := range want[1:] {
			assert.Contains(t, string(out), name+": OK\n")
		}
		sums := string(filesA["SHA256SUMS"])
		assert.Len(t, strings.Split(strings.TrimSuffix(sums, "\n"), "\n"), len(want)-1, "one line per file:\n%s", sums)
	})

	t.Run("version", func(t *testing.T) {
		host := filepath.Join(distA, "gateway-pattern_"+version+"_"+runtime.GOOS+"_"+runtime.GOARCH)
		if _, ok := filesA[filepath.Base(host)]; !ok {
			t.Skipf("no release binary for %s/%s", runtime.GOOS, runtime.GOARCH)
		}
		out, err := commandIn(distA, host, "--version")
		require.NoError(t, err, "%s", out)
		assert.Equal(t, versionText(version, commit), string(out))
		out, err = commandIn(distA, host, "--help")
		require.NoError(t, err, "%s", out)
		assert.True(t, strings.HasSuffix(string(out), "\n\n"+versionText(version, commit)), "--help must end with the version:\n%s", out)
	})

	t.Run("image", func(t *testing.T) {
		checkImage(t, distA, version, commit, epoch)
	})

	t.Run("docker", func(t *testing.T) {
		dockerRun(t, distA, version)
	})
}

// checkImage reads the OCI archive with go-containerregistry's layout package and checks what
// the image is made of.
func checkImage(t *testing.T, dist, version, commit, epoch string) {
	layoutDir := t.TempDir()
	untar(t, filepath.Join(dist, "gateway-pattern_"+version+"_oci-image.tar"), layoutDir)
	top, err := layout.ImageIndexFromPath(layoutDir)
	require.NoError(t, err)
	require.NoError(t, validate.Index(top), "the OCI layout: every blob present, with the digest and size its descriptor says")

	topManifest, err := top.IndexManifest()
	require.NoError(t, err)
	require.Len(t, topManifest.Manifests, 1, "index.json names one image")
	entry := topManifest.Manifests[0]
	assert.Equal(t, types.OCIImageIndex, entry.MediaType)
	assert.Equal(t, map[string]string{
		"org.opencontainers.image.ref.name": version,
		"io.containerd.image.name":          "docker.io/library/gateway-pattern:" + version,
	}, entry.Annotations)

	index, err := top.ImageIndex(entry.Digest)
	require.NoError(t, err)
	indexManifest, err := index.IndexManifest()
	require.NoError(t, err)
	created := time.Unix(mustAtoi(t, epoch), 0).UTC()
	labels := map[string]string{
		"org.opencontainers.image.title":       "gateway-pattern",
		"org.opencontainers.image.description": "KRM function: expands a GatewayPattern into the istio/gateway chart's workload and the Istio objects of an ingress, egress or east-west gateway",
		"org.opencontainers.image.source":      "https://github.com/gatewaypattern/gateway-pattern",
		"org.opencontainers.image.licenses":    "Apache-2.0",
		"org.opencontainers.image.version":     version,
		"org.opencontainers.image.revision":    commit,
		"org.opencontainers.image.created":     created.Format(time.RFC3339),
	}
	assert.Equal(t, types.OCIImageIndex, indexManifest.MediaType)
	assert.Equal(t, labels, indexManifest.Annotations)

	// manifest.json, for Docker's classic image store: one entry per platform, by tag.
	type dockerEntry struct {
		Config   string
		RepoTags []string
		Layers   []string
	}
	var dockerManifest []dockerEntry
	require.NoError(t, json.Unmarshal([]byte(readFile(t, filepath.Join(layoutDir, "manifest.json"))), &dockerManifest))
	var wantDocker []dockerEntry

	var platforms []string
	for _, desc := range indexManifest.Manifests {
		require.NotNil(t, desc.Platform)
		platform := desc.Platform.String()
		platforms = append(platforms, platform)
		t.Run(platform, func(t *testing.T) {
			assert.Equal(t, types.OCIManifestSchema1, desc.MediaType)
			assert.Empty(t, desc.ArtifactType, "skopeo before OCI 1.1 drops it, and the index's digest with it")
			img, err := index.Image(desc.Digest)
			require.NoError(t, err)
			manifest, err := img.Manifest()
			require.NoError(t, err)
			assert.Equal(t, labels, manifest.Annotations)
			config, err := img.ConfigFile()
			require.NoError(t, err)
			assert.Equal(t, desc.Platform.OS, config.OS)
			assert.Equal(t, desc.Platform.Architecture, config.Architecture)
			assert.Equal(t, created, config.Created.UTC())
			assert.Equal(t, v1.Config{User: "65534:65534", Entrypoint: []string{"/gateway-pattern"}, Labels: labels}, config.Config)

			layers, err := img.Layers()
			require.NoError(t, err)
			require.Len(t, layers, 1)
			layerDigest, err := layers[0].Digest()
			require.NoError(t, err)
			wantDocker = append(wantDocker, dockerEntry{
				Config:   "blobs/sha256/" + manifest.Config.Digest.Hex,
				RepoTags: []string{"gateway-pattern:" + version + "-" + strings.ReplaceAll(platform, "/", "-")},
				Layers:   []string{"blobs/sha256/" + layerDigest.Hex},
			})
			files := layerFiles(t, layers[0], created)
			assert.Equal(t, []string{"etc/ drwxr-xr-x", "etc/group -rw-r--r--", "etc/passwd -rw-r--r--", "gateway-pattern -rwxr-xr-x"}, sortedNames(files))
			binary := readFile(t, filepath.Join(dist, "gateway-pattern_"+version+"_linux_"+desc.Platform.Architecture))
			assert.True(t, binary == string(files["gateway-pattern -rwxr-xr-x"]), "/gateway-pattern must be the release binary of its platform")
			assert.Equal(t, readFile(t, filepath.Join(root, "image", "etc", "passwd")), string(files["etc/passwd -rw-r--r--"]))
			assert.Equal(t, readFile(t, filepath.Join(root, "image", "etc", "group")), string(files["etc/group -rw-r--r--"]))
		})
	}
	assert.Equal(t, []string{"linux/amd64", "linux/arm64"}, platforms)
	assert.Equal(t, wantDocker, dockerManifest, "manifest.json")

	// What `crane push <layout dir> <ref>` does (go-containerregistry's remote package), to a
	// registry on the loopback: the registry serves the index by the digest index.json names,
	// which is what a team pins.
	t.Run("push", func(t *testing.T) {
		registryServer := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
		defer registryServer.Close()
		ref, err := name.ParseReference(strings.TrimPrefix(registryServer.URL, "http://")+"/platform/gateway-pattern:"+version, name.Insecure)
		require.NoError(t, err)
		require.NoError(t, remote.WriteIndex(ref, index))
		pushed, err := remote.Index(ref)
		require.NoError(t, err)
		digest, err := pushed.Digest()
		require.NoError(t, err)
		assert.Equal(t, entry.Digest, digest, "the pushed index's digest")
		byDigest, err := name.ParseReference(ref.Context().Name()+"@"+digest.String(), name.Insecure)
		require.NoError(t, err)
		arm64, err := remote.Image(byDigest, remote.WithPlatform(v1.Platform{OS: "linux", Architecture: "arm64"}))
		require.NoError(t, err)
		config, err := arm64.ConfigFile()
		require.NoError(t, err)
		assert.Equal(t, "arm64", config.Architecture)
		assert.Equal(t, "65534:65534", config.Config.User)
	})
}

// layerFiles returns a layer's entries by "<name> <mode>", checking each is owned by root and
// dated created.
func layerFiles(t *testing.T, layer v1.Layer, created time.Time) map[string][]byte {
	rc, err := layer.Uncompressed()
	require.NoError(t, err)
	defer rc.Close()
	files := map[string][]byte{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files
		}
		require.NoError(t, err)
		assert.Equal(t, []int{0, 0}, []int{h.Uid, h.Gid}, "%s: owner", h.Name)
		assert.Equal(t, created, h.ModTime.UTC(), "%s: time", h.Name)
		data, err := io.ReadAll(tr)
		require.NoError(t, err)
		files[h.Name+" "+h.FileInfo().Mode().String()] = data
	}
}

// dockerRun loads the archive into a Docker daemon, when one answers, and runs the amd64 image on
// a golden ResourceList: the output must be the release binary's.
func dockerRun(t *testing.T, dist, version string) {
	if out, err := commandIn(dist, "docker", "info", "--format", "{{.ServerVersion}}"); err != nil {
		t.Skipf("no Docker daemon answers (`docker info`: %v: %s): the image was not loaded nor run", err, bytes.TrimSpace(out))
	}
	if runtime.GOARCH != "amd64" {
		t.Skipf("the amd64 image runs on amd64 only, not %s", runtime.GOARCH)
	}
	out, err := commandIn(dist, "docker", "load", "--input", "gateway-pattern_"+version+"_oci-image.tar")
	require.NoError(t, err, "docker load: %s", out)
	var loaded []string
	for _, m := range regexp.MustCompile(`(?m)^Loaded image: (\S+)$`).FindAllSubmatch(out, -1) {
		loaded = append(loaded, string(m[1]))
	}
	t.Cleanup(func() { _, _ = commandIn(dist, "docker", append([]string{"image", "rm"}, loaded...)...) })
	// Docker's classic image store reads manifest.json: one tag per platform. Its containerd
	// image store reads index.json: one multi-platform image.
	image := "gateway-pattern:" + version + "-linux-amd64"
	if !slices.Contains(loaded, image) {
		image = "gateway-pattern:" + version
		require.Contains(t, loaded, image, "docker load said:\n%s", out)
	}
	t.Logf("docker load: %s; running %s", strings.Join(loaded, ", "), image)

	in := []byte(readFile(t, filepath.Join(root, "testdata", "seed-egress", "input.yaml")))
	want, err := run(in, filepath.Join(dist, "gateway-pattern_"+version+"_linux_amd64"))
	require.NoError(t, err)
	got, err := run(in, "docker", "run", "-i", "--rm", "--platform", "linux/amd64", "--network", "none", "--read-only", "--user", "65534", image)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	require.Contains(t, got, "kind: ResourceList")
}

// TestPlainBuildSaysDevel builds the command the ways a developer does, in a copy of the tree
// made a git repository of its own, and compares --version with what each build must say.
func TestPlainBuildSaysDevel(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds the command three times")
	}
	dir := filepath.Join(t.TempDir(), "checkout")
	copyTree(t, abs(t, root), dir)
	for _, args := range [][]string{
		{"init", "-q"},
		{"add", "-A"},
		{"-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "test"},
	} {
		git(t, dir, args...)
	}
	revision := strings.TrimSpace(git(t, dir, "rev-parse", "HEAD"))
	bin := filepath.Join(t.TempDir(), "gateway-pattern")
	build := func(t *testing.T, goflags string, args ...string) string {
		cmd := exec.Command("go", append([]string{"build", "-o", bin}, append(args, ".")...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS="+goflags) // whatever `go env -w GOFLAGS` says
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "go build: %s", out)
		out, err = commandIn(dir, bin, "--version")
		require.NoError(t, err, "%s", out)
		return string(out)
	}

	t.Run("clean clone", func(t *testing.T) {
		assert.Equal(t, versionText("(devel)", revision), build(t, "-buildvcs=auto"))
	})
	t.Run("no VCS stamp", func(t *testing.T) {
		assert.Equal(t, versionText("(devel)", "unknown"), build(t, "-buildvcs=false"))
	})
	require.NoError(t, os.WriteFile(filepath.Join(dir, "README.md"), []byte("changed\n"), 0o644))
	t.Run("changed clone", func(t *testing.T) {
		assert.Equal(t, versionText("(devel)", revision+" (modified)"), build(t, "-buildvcs=auto"))
	})
	t.Run("make build VERSION=", func(t *testing.T) {
		runMake(t, dir, "build", "VERSION=9.8.7-rc.1", "BIN="+bin)
		out, err := commandIn(dir, bin, "--version")
		require.NoError(t, err, "%s", out)
		assert.Equal(t, versionText("9.8.7-rc.1", revision+"-dirty"), string(out))
	})
}

// TestVersionFileIsTheChangelogs: the VERSION file, which make release stamps, is the newest
// version CHANGELOG.md describes.
func TestVersionFileIsTheChangelogs(t *testing.T) {
	version := strings.TrimSpace(readFile(t, filepath.Join(root, "VERSION")))
	assert.Regexp(t, versionPattern, version)
	changelog := readFile(t, filepath.Join(root, "CHANGELOG.md"))
	headings := regexp.MustCompile(`(?m)^## \[([^\]]+)\]`).FindAllStringSubmatch(changelog, -1)
	require.GreaterOrEqual(t, len(headings), 2, "CHANGELOG.md: want ## [Unreleased], then ## [<version>] - <date>")
	assert.Equal(t, "Unreleased", headings[0][1])
	assert.Equal(t, version, headings[1][1], "the newest release in CHANGELOG.md")
	assert.Regexp(t, `(?m)^## \[`+regexp.QuoteMeta(version)+`\] - \d{4}-\d{2}-\d{2}$`, changelog)
}

// TestDockerfileAgrees: the Dockerfile's final stage gives the image the user, entrypoint and
// labels make release gives it.
func TestDockerfileAgrees(t *testing.T) {
	dockerfile := readFile(t, filepath.Join(root, "Dockerfile"))
	_, final, ok := strings.Cut(dockerfile, "# ---- final stage")
	require.True(t, ok, "Dockerfile: no final-stage marker")
	for _, line := range []string{
		`FROM scratch`,
		`COPY image/etc/passwd image/etc/group /etc/`,
		`USER ` + imageUser,
		`ENTRYPOINT ["` + imageEntrypoint + `"]`,
		`org.opencontainers.image.title="` + imageTitle + `"`,
		`org.opencontainers.image.description="` + imageDescription + `"`,
		`org.opencontainers.image.source="` + imageSource + `"`,
		`org.opencontainers.image.licenses="` + imageLicenses + `"`,
		`org.opencontainers.image.version="${VERSION}"`,
		`org.opencontainers.image.revision="${REVISION}"`,
	} {
		assert.Contains(t, final, line)
	}
	license := readFile(t, filepath.Join(root, "LICENSE"))
	assert.Contains(t, license, "SPDX-License-Identifier: "+imageLicenses+"\n")
}

func runMake(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("make", append([]string{"--no-print-directory"}, args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "make %s in %s:\n%s", strings.Join(args, " "), dir, out)
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := commandIn(dir, "git", args...)
	require.NoError(t, err, "git %s: %s", strings.Join(args, " "), out)
	return string(out)
}

func commandIn(dir, name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	return cmd.CombinedOutput()
}

// run runs a command with stdin and returns its stdout, or an error with its stderr.
func run(stdin []byte, name string, args ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(stdin), &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s: %w: %s", name, err, stderr.String())
	}
	return stdout.String(), nil
}

// copyTree copies the files git would take from the checkout at src (tracked or not ignored,
// changes included) to dst, with their modes: a copy of the tree without .git.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	list := git(t, src, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	for _, name := range strings.Split(strings.TrimSuffix(list, "\x00"), "\x00") {
		info, err := os.Lstat(filepath.Join(src, name))
		if errors.Is(err, os.ErrNotExist) {
			continue // deleted in the work tree
		}
		require.NoError(t, err)
		require.True(t, info.Mode().IsRegular(), "%s: not a regular file", name)
		data, err := os.ReadFile(filepath.Join(src, name))
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dst, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dst, name), data, info.Mode().Perm()))
	}
}

func untar(t *testing.T, archive, dir string) {
	t.Helper()
	f, err := os.Open(archive)
	require.NoError(t, err)
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		require.NoError(t, err)
		path := filepath.Join(dir, filepath.FromSlash(h.Name))
		require.True(t, strings.HasPrefix(path, dir+string(filepath.Separator)), "%s: outside the archive", h.Name)
		switch h.Typeflag {
		case tar.TypeDir:
			require.NoError(t, os.MkdirAll(path, 0o755))
		case tar.TypeReg:
			data, err := io.ReadAll(tr)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(path, data, 0o644))
		default:
			t.Fatalf("%s: unexpected entry type %c", h.Name, h.Typeflag)
		}
	}
}

func dirFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	files := map[string][]byte{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		files[e.Name()] = data
	}
	return files
}

func sortedNames[V any](m map[string]V) []string {
	var names []string
	for name := range m {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(data)
}

func abs(t *testing.T, path string) string {
	t.Helper()
	p, err := filepath.Abs(path)
	require.NoError(t, err)
	return p
}

func mustAtoi(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	_, err := fmt.Sscan(s, &n)
	require.NoError(t, err, "%q", s)
	return n
}
