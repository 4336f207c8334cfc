package main

import (
	"crypto/sha256"
	"encoding/hex"
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

// refNameAnnotation names an image in an OCI layout's index.json: the tag a tool such as
// `skopeo copy oci-archive:FILE:<tag>` picks it by.
const refNameAnnotation = "org.opencontainers.image.ref.name"

// writeOCIArchive writes index as an OCI image layout (go-containerregistry's layout package:
// oci-layout, index.json, blobs/sha256/...) into a temporary directory, and that directory as a
// tar at path. index.json lists the image index once, tagged version.
func writeOCIArchive(path string, index v1.ImageIndex, version string, created time.Time) error {
	dir, err := os.MkdirTemp("", "gateway-pattern-oci-layout-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	top := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex), mutate.IndexAddendum{
		Add:        index,
		Descriptor: v1.Descriptor{Annotations: map[string]string{refNameAnnotation: version}},
	})
	if _, err := layout.Write(dir, top); err != nil {
		return fmt.Errorf("writing the OCI layout: %w", err)
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
