#!/usr/bin/env bash
# kpt's e2e runner (github.com/kptdev/kpt/pkg/test/runner) runs this in a copy of the package, twice,
# instead of its own command line: it is what a user types in the package directory, where kpt
# resolves the Kptfile's relative `exec:` path. tests/e2e puts the built binary at ../../bin.
set -eo pipefail
kpt fn render --allow-exec
