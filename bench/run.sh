#!/bin/sh
# make bench: builds the harness and its yardsticks into bin/bench, installs what is missing
# (helm v3.22.0 with go install; the istio/gateway chart from the istio.io/istio module that
# tests/conformance requires; kustomize v5.8.1 as make e2e does), then runs bench/runbench.
# Extra arguments go to runbench (e.g. -runs 41). Nothing here is part of make test.
set -eu
GO=${GO:-go}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
OUT=bin/bench
TOOLS=$ROOT/bin/tools
mkdir -p "$OUT" "$TOOLS"

for p in runbench gen-large kyaml-floor hello; do
	CGO_ENABLED=0 "$GO" build -trimpath -o "$OUT/$p" "./bench/$p"
done

HELM=${HELM:-$TOOLS/helm}
if [ ! -x "$HELM" ]; then
	echo "bench: installing helm v3.22.0 into $TOOLS" >&2
	GOBIN=$TOOLS "$GO" install helm.sh/helm/v3/cmd/helm@v3.22.0
	HELM=$TOOLS/helm
fi

# The chart the parity and conformance tests use: the istio.io/istio version tests/conformance requires.
ISTIO=$(cd tests/conformance && "$GO" list -m -f '{{.Version}}' istio.io/istio)
DIR=$(cd tests/conformance && "$GO" mod download -json "istio.io/istio@$ISTIO" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
CHART=$DIR/manifests/charts/gateway
[ -f "$CHART/Chart.yaml" ] || { echo "bench: no istio/gateway chart at $CHART" >&2; exit 1; }

# kustomize v5.8.1: the one make e2e installs, else installed the same way into bin/tools.
KUSTOMIZE=${KUSTOMIZE:-}
if [ -z "$KUSTOMIZE" ]; then
	if [ -x tests/e2e/.bin/kustomize ]; then KUSTOMIZE=$ROOT/tests/e2e/.bin/kustomize
	else
		[ -x "$TOOLS/kustomize" ] || { echo "bench: installing kustomize v5.8.1 into $TOOLS" >&2;
			GOBIN=$TOOLS "$GO" install sigs.k8s.io/kustomize/kustomize/v5@v5.8.1; }
		KUSTOMIZE=$TOOLS/kustomize
	fi
fi

# GNU time gives each command's peak RSS (Debian/Ubuntu: apt-get install time).
[ -x "${GNU_TIME:-/usr/bin/time}" ] || { echo "bench: GNU time not found at ${GNU_TIME:-/usr/bin/time}" >&2; exit 1; }

exec "$OUT/runbench" -bin bin/gateway-pattern -hello "$OUT/hello" -floor "$OUT/kyaml-floor" \
	-gen "$OUT/gen-large" -helm "$HELM" -chart "$CHART" -kustomize "$KUSTOMIZE" \
	-time "${GNU_TIME:-/usr/bin/time}" -work "$OUT" "$@"
