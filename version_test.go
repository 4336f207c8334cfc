package main

import (
	"bytes"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestDescribeBuild covers every kind of build: stamped by make release, a git checkout with and
// without changes, a build Go recorded no VCS for, and go install of a tagged version. The builds
// themselves (the -ldflags stamp, Go's VCS stamp) are proven in tools/release.
func TestDescribeBuild(t *testing.T) {
	const chart = "istio/gateway chart: istio.io/istio@v0.0.0-20260827124520-eed52ebb66ad\n"
	vcs := func(version, revision, modified string) *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Version: version}, Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: revision}, {Key: "vcs.modified", Value: modified},
		}}
	}
	const rev = "531a796ae18e09c5aaa8cce65aeca74fe3557372"
	for _, c := range []struct {
		name, version, commit string
		info                  *debug.BuildInfo
		want                  string
	}{
		{"stamped", "0.1.0", rev, vcs("(devel)", "0000000000000000000000000000000000000000", "true"),
			"gateway-pattern 0.1.0\ncommit: " + rev + "\n" + chart},
		{"stamped dirty", "0.2.0-rc.1", rev + "-dirty", nil,
			"gateway-pattern 0.2.0-rc.1\ncommit: " + rev + "-dirty\n" + chart},
		{"stamped version only", "0.1.0", "", vcs("(devel)", rev, "false"),
			"gateway-pattern 0.1.0\ncommit: " + rev + "\n" + chart},
		{"checkout", "", "", vcs("v0.0.0-20261130004202-531a796ae18e", rev, "false"),
			"gateway-pattern (devel)\ncommit: " + rev + "\n" + chart},
		{"checkout with changes", "", "", vcs("v0.0.0-20261130004202-531a796ae18e+dirty", rev, "true"),
			"gateway-pattern (devel)\ncommit: " + rev + " (modified)\n" + chart},
		{"checkout after a tag", "", "", vcs("v0.1.1-0.20261130004202-531a796ae18e", rev, "false"),
			"gateway-pattern (devel)\ncommit: " + rev + "\n" + chart},
		{"checkout at a tag", "", "", vcs("v0.1.0", rev, "false"),
			"gateway-pattern v0.1.0\ncommit: " + rev + "\n" + chart},
		{"no VCS recorded", "", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}},
			"gateway-pattern (devel)\ncommit: unknown\n" + chart},
		{"no build info", "", "", nil,
			"gateway-pattern (devel)\ncommit: unknown\n" + chart},
		{"go install at a tag", "", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.1.0"}},
			"gateway-pattern v0.1.0\ncommit: unknown\n" + chart},
		{"go install at a commit", "", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261130004202-531a796ae18e"}},
			"gateway-pattern (devel)\ncommit: unknown\n" + chart},
	} {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, describeBuild(c.version, c.commit, c.info))
		})
	}
}

// TestVersionFlag: --version prints the version text alone; --help ends with it.
func TestVersionFlag(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, 0, run([]string{"--version"}, nil, &out, &errOut))
	assert.Equal(t, versionText(), out.String())
	assert.Empty(t, errOut.String())
	assert.True(t, strings.HasPrefix(versionText(), "gateway-pattern "), versionText())

	out.Reset()
	assert.Equal(t, 0, run([]string{"--help"}, nil, &out, &errOut))
	assert.Equal(t, usage+"\n"+versionText(), out.String())
}
