// Command release finishes `make release`: from the linux binaries the Makefile has built into
// the dist directory it assembles the container image for linux/amd64 and linux/arm64 as one OCI
// archive (an OCI image layout in a tar, its index.json naming one multi-platform image index),
// then writes SHA256SUMS over every file in the dist directory.
//
//	go -C tools/release run . -dist DIR -version 0.1.0 -commit <sha> -source-date-epoch <unix> -etc image/etc
//
// Everything is a function of its inputs: file times are -source-date-epoch, owners root, modes
// fixed, entries sorted, so the same binaries give byte-identical archives. No Docker daemon and
// no base image are needed: the image is FROM scratch, built with go-containerregistry.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"
)

// versionPattern is what a release version looks like: semver without the leading "v" (the git
// tag is v<version>; the image tag and file names are <version>).
var versionPattern = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$`)

// imagePlatforms are the image's platforms, in the order of the image index.
var imagePlatforms = []string{"amd64", "arm64"}

func main() {
	var o options
	flag.StringVar(&o.dist, "dist", "", "directory holding gateway-pattern_<version>_linux_{amd64,arm64}; the archive and SHA256SUMS are written there")
	flag.StringVar(&o.version, "version", "", "release version, e.g. 0.1.0")
	flag.StringVar(&o.commit, "commit", "", "git commit the binaries were built from")
	epoch := flag.Int64("source-date-epoch", -1, "the time every file and the image record, in seconds since 1970 (the commit time)")
	flag.StringVar(&o.etc, "etc", "", "directory holding the image's passwd and group files")
	flag.Parse()
	o.created = time.Unix(*epoch, 0).UTC()
	if err := o.check(*epoch); err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(2)
	}
	if err := release(o); err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

type options struct {
	dist, version, commit, etc string
	created                    time.Time
}

func (o options) check(epoch int64) error {
	switch {
	case !versionPattern.MatchString(o.version):
		return fmt.Errorf("-version %q: want MAJOR.MINOR.PATCH[-PRERELEASE] without a leading v, e.g. 0.1.0", o.version)
	case o.commit == "":
		return fmt.Errorf("-commit is required")
	case epoch < 0:
		return fmt.Errorf("-source-date-epoch is required (git log -1 --format=%%ct)")
	case o.dist == "" || o.etc == "":
		return fmt.Errorf("-dist and -etc are required")
	}
	return nil
}

// binaryName is the file name of the binary for one platform.
func binaryName(version, goos, goarch string) string {
	return fmt.Sprintf("gateway-pattern_%s_%s_%s", version, goos, goarch)
}

// archiveName is the file name of the image's OCI archive.
func archiveName(version string) string {
	return fmt.Sprintf("gateway-pattern_%s_oci-image.tar", version)
}

func release(o options) error {
	passwd, err := os.ReadFile(filepath.Join(o.etc, "passwd"))
	if err != nil {
		return err
	}
	group, err := os.ReadFile(filepath.Join(o.etc, "group"))
	if err != nil {
		return err
	}
	binaries := map[string][]byte{}
	for _, arch := range imagePlatforms {
		if binaries[arch], err = os.ReadFile(filepath.Join(o.dist, binaryName(o.version, "linux", arch))); err != nil {
			return fmt.Errorf("the image's binary: %w (make release builds it)", err)
		}
	}
	index, err := imageIndex(imageSpec{
		version: o.version, commit: o.commit, created: o.created,
		passwd: passwd, group: group, binaries: binaries,
	})
	if err != nil {
		return err
	}
	if err := writeOCIArchive(filepath.Join(o.dist, archiveName(o.version)), index, o.version, o.created); err != nil {
		return err
	}
	digest, err := index.Digest()
	if err != nil {
		return err
	}
	// The digest a registry will serve the image by, once pushed as it is: what a team pins.
	fmt.Printf("%s: image index %s\n", archiveName(o.version), digest)
	return writeSums(o.dist)
}
