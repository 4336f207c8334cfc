package main

import (
	"regexp"
	"runtime/debug"
	"strings"

	"github.com/gatewaypattern/gateway-pattern/krm"
)

// version and commit are stamped by release builds (`make release`, `make build VERSION=...`):
//
//	go build -ldflags '-X main.version=0.1.0 -X main.commit=<git rev-parse HEAD>'
//
// A plain `go build` or `go install` leaves them empty, and versionText says what Go itself
// recorded instead.
var (
	version string
	commit  string
)

// versionText is what `gateway-pattern --version` prints, and the last lines of --help: the
// version, the commit and the istio/gateway chart whose workload the function renders.
func versionText() string {
	info, _ := debug.ReadBuildInfo()
	return describeBuild(version, commit, info)
}

// pseudoVersion matches the end of a Go pseudo-version (v0.0.0-20261130004202-531a796ae18e), which
// Go gives a build of an untagged commit: not a release.
var pseudoVersion = regexp.MustCompile(`\d{14}-[0-9a-f]{12}$`)

// describeBuild tells the version and the commit: the stamped ones when given, otherwise what Go
// recorded in the binary. A build from a checkout is "(devel)", with the VCS revision when Go
// recorded one (go build in a git clone; not with -buildvcs=false, nor in a git worktree, whose
// .git is a file Go does not look at) and "(modified)" when the tree had changes. `go install
// github.com/gatewaypattern/gateway-pattern@v0.1.0` is the one unstamped build that knows its
// version: Go records the module version it downloaded (but no commit).
func describeBuild(stampedVersion, stampedCommit string, info *debug.BuildInfo) string {
	version, commit := stampedVersion, stampedCommit
	var revision string
	var modified bool
	if info != nil {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if version == "" {
		version = "(devel)"
		// Go also derives a version from the checkout (a tag, or a pseudo-version, with
		// "+dirty"); only a tagged, clean one, or one downloaded by go install, is a release.
		if v := moduleVersion(info); strings.HasPrefix(v, "v") && !strings.Contains(v, "+") && !pseudoVersion.MatchString(v) {
			version = v
		}
	}
	if commit == "" && revision != "" {
		commit = revision
		if modified {
			commit += " (modified)"
		}
	}
	if commit == "" {
		commit = "unknown"
	}
	return "gateway-pattern " + version + "\n" +
		"commit: " + commit + "\n" +
		"istio/gateway chart: " + krm.ChartVersion + "\n"
}

func moduleVersion(info *debug.BuildInfo) string {
	if info == nil {
		return ""
	}
	return info.Main.Version
}
