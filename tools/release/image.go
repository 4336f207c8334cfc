package main

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"maps"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// The image's user, entrypoint and static labels: the same as the Dockerfile's final stage
// (TestDockerfileAgrees checks it).
const (
	imageUser        = "65534:65534"
	imageEntrypoint  = "/gateway-pattern"
	imageTitle       = "gateway-pattern"
	imageDescription = "KRM function: expands a GatewayPattern into the istio/gateway chart's workload and the Istio objects of an ingress, egress or east-west gateway"
	imageSource      = "https://github.com/gatewaypattern/gateway-pattern"
	imageLicenses    = "Apache-2.0" // the SPDX-License-Identifier of LICENSE
)

// imageSpec is everything an image is made of.
type imageSpec struct {
	version, commit string
	created         time.Time
	passwd, group   []byte
	binaries        map[string][]byte // by GOARCH, linux only
}

// labels are the image config's labels and the manifests' and index's annotations
// (github.com/opencontainers/image-spec annotations.md).
func (s imageSpec) labels() map[string]string {
	return map[string]string{
		"org.opencontainers.image.title":       imageTitle,
		"org.opencontainers.image.description": imageDescription,
		"org.opencontainers.image.source":      imageSource,
		"org.opencontainers.image.licenses":    imageLicenses,
		"org.opencontainers.image.version":     s.version,
		"org.opencontainers.image.revision":    s.commit,
		"org.opencontainers.image.created":     s.created.Format(time.RFC3339),
	}
}

// imageIndex returns the multi-platform image: an OCI image index over one OCI image per
// platform, in imagePlatforms order.
func imageIndex(s imageSpec) (v1.ImageIndex, error) {
	index := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, arch := range imagePlatforms {
		img, err := platformImage(s, arch)
		if err != nil {
			return nil, fmt.Errorf("linux/%s image: %w", arch, err)
		}
		index = mutate.AppendManifests(index, mutate.IndexAddendum{
			Add:        withoutArtifactType{img},
			Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}},
		})
	}
	return mutate.Annotations(index, s.labels()).(v1.ImageIndex), nil
}

// withoutArtifactType keeps artifactType out of an image's descriptor in the index.
// go-containerregistry fills it in with the config's media type (OCI 1.1 allows that), but tools
// built before OCI 1.1, such as skopeo 1.9 (Debian 12), drop the field when they copy an index:
// `skopeo copy --preserve-digests` then refuses, and without that flag the registry gets an index
// with another digest than the one a team pinned from the archive. docker buildx leaves it out too.
type withoutArtifactType struct{ v1.Image }

func (withoutArtifactType) ArtifactType() (string, error) { return "", nil }

// platformImage is the FROM-scratch image of one platform: one layer with /etc/passwd,
// /etc/group and /gateway-pattern, run as nobody.
func platformImage(s imageSpec, arch string) (v1.Image, error) {
	binary, ok := s.binaries[arch]
	if !ok {
		return nil, fmt.Errorf("no binary")
	}
	files, err := layerTar(s.created, []layerFile{
		{name: "etc/", mode: 0o755, dir: true},
		{name: "etc/group", mode: 0o644, data: s.group},
		{name: "etc/passwd", mode: 0o644, data: s.passwd},
		{name: "gateway-pattern", mode: 0o755, data: binary},
	})
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(files)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	img, err = mutate.Append(img, mutate.Addendum{Layer: layer, History: v1.History{
		Created:   v1.Time{Time: s.created},
		CreatedBy: "gateway-pattern release: /etc/passwd, /etc/group from image/etc; /gateway-pattern",
	}})
	if err != nil {
		return nil, err
	}
	config, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	config = config.DeepCopy()
	config.OS, config.Architecture = "linux", arch
	config.Created = v1.Time{Time: s.created}
	config.Config = v1.Config{
		User:       imageUser,
		Entrypoint: []string{imageEntrypoint},
		Labels:     maps.Clone(s.labels()),
	}
	img, err = mutate.ConfigFile(img, config)
	if err != nil {
		return nil, err
	}
	return mutate.Annotations(img, s.labels()).(v1.Image), nil
}

// layerFile is one entry of a layer or archive tar.
type layerFile struct {
	name string
	mode int64
	dir  bool
	data []byte
}

// layerTar writes files, in the given order, as a tar whose every entry is owned by root and
// dated at created: the same files give the same bytes.
func layerTar(created time.Time, files []layerFile) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{
			Name:    f.name,
			Mode:    f.mode,
			ModTime: created,
			Format:  tar.FormatUSTAR,
		}
		if f.dir {
			h.Typeflag = tar.TypeDir
		} else {
			h.Typeflag = tar.TypeReg
			h.Size = int64(len(f.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, fmt.Errorf("%s: %w", f.name, err)
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
