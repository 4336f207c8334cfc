#!/usr/bin/env bash
# hydrate.sh: keep rendered ("hydrated") GatewayPattern output committed and current, for GitOps
# tools that run no KRM function (Flux, Config Sync syncing plain YAML, kubectl apply).
#
#   hack/hydrate.sh [--write] SOURCE=OUTPUT...
#   hack/hydrate.sh [--write] -f PAIRS_FILE       # one SOURCE=OUTPUT a line; blank lines and # comments skipped
#
# SOURCE is a kustomization directory, rendered with
#     ${KUSTOMIZE:-kustomize} build --enable-alpha-plugins --enable-exec SOURCE
# or a GatewayPattern file, rendered with the standalone function
#     ${GATEWAY_PATTERN:-gateway-pattern} SOURCE
# OUTPUT is the committed file that holds exactly that render. Paths are relative to where this runs
# (the repository's root under pre-commit and in CI).
#
# Without --write, nothing is written: each OUTPUT that is missing or differs from its SOURCE's
# render is named, with the diff from the committed file to the render, and the exit code is 1.
# With --write, each such OUTPUT is rewritten. Exit code 2: bad usage, or a SOURCE that does not
# render (the tool's own error is shown). The function's warnings are shown as they come.
# --pre-commit (set by .pre-commit-hooks.yaml) names the pre-commit hook that rewrites, rather than
# this script's path in pre-commit's cache.
set -uo pipefail

prog=${0##*/}
precommit=false
usage() {
	echo "usage: $0 [--write] SOURCE=OUTPUT... | [--write] -f PAIRS_FILE" >&2
	exit 2
}

write=false
pairs=()
while [ $# -gt 0 ]; do
	case $1 in
	--write) write=true ;;
	--pre-commit) precommit=true ;;
	-f)
		[ $# -ge 2 ] || usage
		[ -r "$2" ] || { echo "$prog: cannot read $2" >&2; exit 2; }
		while IFS= read -r line || [ -n "$line" ]; do
			line=${line%%#*}
			line=$(printf '%s' "$line" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')
			[ -n "$line" ] && pairs+=("$line")
		done < "$2"
		shift ;;
	--) shift; pairs+=("$@"); break ;;
	-*) usage ;;
	*) pairs+=("$1") ;;
	esac
	shift
done
[ ${#pairs[@]} -gt 0 ] || usage

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

status=0
stale=()
for pair in "${pairs[@]}"; do
	source=${pair%%=*}
	output=${pair#*=}
	if [ "$source" = "$pair" ] || [ -z "$source" ] || [ -z "$output" ]; then
		echo "$prog: $pair: want SOURCE=OUTPUT" >&2
		exit 2
	fi
	if [ -d "$source" ]; then
		render=("${KUSTOMIZE:-kustomize}" build --enable-alpha-plugins --enable-exec "$source")
	elif [ -f "$source" ]; then
		render=("${GATEWAY_PATTERN:-gateway-pattern}" "$source")
	else
		echo "$prog: $source: no such directory or file" >&2
		status=2
		continue
	fi

	if ! command -v "${render[0]}" > /dev/null; then
		case ${render[0]} in
		"${KUSTOMIZE:-kustomize}") hint="install kustomize or set KUSTOMIZE to its path" ;;
		*) hint="install the function (go install github.com/gatewaypattern/gateway-pattern@<version>) or set GATEWAY_PATTERN to its path" ;;
		esac
		echo "$prog: ${render[0]}: not found, needed to render $source: $hint" >&2
		exit 2
	fi
	rendered=$tmp/rendered
	if ! "${render[@]}" > "$rendered"; then
		echo "$prog: $source does not render: \`${render[*]}\` failed (its error is above)" >&2
		status=2
		continue
	fi
	if [ ! -s "$rendered" ]; then
		# kustomize skips an exec function without a word when --enable-exec is missing, and a
		# GatewayPattern listed under resources: renders nothing: neither is a hydrated output.
		echo "$prog: $source renders nothing: \`${render[*]}\` printed no objects" >&2
		status=2
		continue
	fi
	if [ -f "$output" ] && cmp -s "$rendered" "$output"; then
		continue
	fi

	if $write; then
		mkdir -p "$(dirname "$output")" && cp "$rendered" "$output.hydrate-tmp" && mv "$output.hydrate-tmp" "$output" || exit 2
		echo "$prog: wrote $output (rendered from $source)" >&2
		continue
	fi
	stale+=("$pair")
	[ $status -ne 0 ] || status=1
	if [ ! -f "$output" ]; then
		echo "$prog: $output is missing: it should hold what $source renders" >&2
		continue
	fi
	echo "$prog: $output is stale: it is not what $source renders. From the committed file to the render:" >&2
	diff -u --label "$output (committed)" --label "$output (rendered from $source)" "$output" "$rendered" >&2
done

if [ ${#stale[@]} -gt 0 ]; then
	if $precommit; then
		echo "$prog: rewrite with: pre-commit run gateway-pattern-hydrate --hook-stage manual" >&2
	else
		echo "$prog: rewrite with: $0 --write$(printf ' %q' "${stale[@]}")" >&2
	fi
fi
exit $status
