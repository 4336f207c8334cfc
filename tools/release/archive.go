package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// The names of the image in the archive's index.json, as `docker save` and BuildKit write them:
// the tag a tool such as `skopeo copy oci-archive:FILE:<tag>` picks the image by, and the name
// Docker's containerd image store and `ctr image import` give it.
const (
	refNameAnnotation   = "org.opencontainers.image.ref.name"
	imageNameAnnotation = "io.containerd.image.name"
	localImageName      = "docker.io/library/gateway-pattern"
)

// writeOCIArchive writes index as an OCI image layout (go-containerregistry's layout package:
// oci-layout, index.json, blobs/sha256/...) into a temporary directory, and that directory as a
// tar at path. index.json lists the image index once, tagged version. A manifest.json beside it
// lets Docker's classic image store load the archive too (see dockerManifest).
func writeOCIArchive(path string, index v1.ImageIndex, version string, created time.Time) error {
	dir, err := os.MkdirTemp("", "gateway-pattern-oci-layout-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	top := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex), mutate.IndexAddendum{
		Add: index,
		Descriptor: v1.Descriptor{Annotations: map[string]string{
			refNameAnnotation:   version,
			imageNameAnnotation: localImageName + ":" + version,
		}},
	})
	if _, err := layout.Write(dir, top); err != nil {
		return fmt.Errorf("writing the OCI layout: %w", err)
	}
	manifest, err := dockerManifest(index, version)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), manifest, 0o644); err != nil {
		return err
	}
	// The layout's files as a tar, in lexical order with fixed owners, modes and times: the
	// layout package writes them with the umask's modes and the current time.
	var files []layerFile
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		if d.IsDir() {
			files = append(files, layerFile{name: name + "/", mode: 0o755, dir: true})
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: not a regular file", name)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files = append(files, layerFile{name: name, mode: 0o644, data: data})
		return nil
	})
	if err != nil {
		return err
	}
	data, err := layerTar(created, files)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// writeSums writes dir/SHA256SUMS for every other file in dir, sorted by name, in the format
// `sha256sum -c` reads: "<hex>  <name>".
func writeSums(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var lines []string // in name order: ReadDir sorts by name
	for _, e := range entries {
		if e.Name() == "SHA256SUMS" {
			continue
		}
		if !e.Type().IsRegular() {
			return fmt.Errorf("%s: not a regular file; %s should hold only the release's files", e.Name(), dir)
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		lines = append(lines, hex.EncodeToString(sum[:])+"  "+e.Name()+"\n")
	}
	return os.WriteFile(filepath.Join(dir, "SHA256SUMS"), []byte(strings.Join(lines, "")), 0o644)
}

// dockerManifest is the manifest.json of `docker save`, which Docker's classic image store (the
// default before Docker 29, and every Docker before 25) needs to load an archive: it reads
// neither index.json nor image indexes. One entry per platform, each tagged
// gateway-pattern:<version>-linux-<arch>, since that store keeps one image per tag. go-containerregistry
// writes such a file only as part of a whole Docker archive (tarball.Write), not beside a layout,
// hence these few lines.
func dockerManifest(index v1.ImageIndex, version string) ([]byte, error) {
	type entry struct {
		Config   string
		RepoTags []string
		Layers   []string
	}
	blob := func(h v1.Hash) string { return "blobs/" + h.Algorithm + "/" + h.Hex }
	im, err := index.IndexManifest()
	if err != nil {
		return nil, err
	}
	var entries []entry
	for _, desc := range im.Manifests {
		img, err := index.Image(desc.Digest)
		if err != nil {
			return nil, err
		}
		m, err := img.Manifest()
		if err != nil {
			return nil, err
		}
		e := entry{
			Config:   blob(m.Config.Digest),
			RepoTags: []string{"gateway-pattern:" + version + "-" + desc.Platform.OS + "-" + desc.Platform.Architecture},
		}
		for _, l := range m.Layers {
			e.Layers = append(e.Layers, blob(l.Digest))
		}
		entries = append(entries, e)
	}
	return json.Marshal(entries)
}
