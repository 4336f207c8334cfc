# gateway-pattern: every target works on a fresh machine with Go; modules come from the proxy.
GO          ?= go
BIN         := bin/gateway-pattern
# The test modules that hold heavy dependencies (Helm, Istio, Flux, go-containerregistry), kept out
# of the function's go.mod. tools/release is also the release tool, and its test runs make release.
TEST_MODULES := tests/parity tests/conformance tests/schema tests/traffic tests/flux tools/release

.PHONY: build test test-unit test-modules fuzz-short run lint e2e e2e-update

# Static (cgo off), so the same binary runs in Config Sync's distroless image and FROM scratch.
# Not stamped unless VERSION=... is given: --version then says (devel) and the commit Go recorded.
build:
	CGO_ENABLED=0 $(GO) build -trimpath $(if $(VERSION),-ldflags='$(STAMP)') -o $(BIN) .

# Everything CI runs: the function's tests, a short run of each fuzz target, the Helm parity
# test and the Istio/Kubernetes validation of every golden output, and every example through
# kustomize and kpt (e2e).
test: lint test-unit fuzz-short test-modules e2e test-container

test-unit:
	$(GO) test -count=1 ./...

# Each fuzz target for a bounded time beyond its committed corpus (testdata/fuzz, fn/testdata/fuzz, fn/wire/testdata/fuzz;
# test-unit already replays those). A long run: FUZZTIME=30m make fuzz-short.
FUZZTIME ?= 20s
fuzz-short:
	$(GO) test -run '^$$' -fuzz '^FuzzFunction$$' -fuzztime $(FUZZTIME) -parallel 2 .
	$(GO) test -run '^$$' -fuzz '^FuzzStringsReadBackAsWritten$$' -fuzztime $(FUZZTIME) -parallel 2 .
	$(GO) test -run '^$$' -fuzz '^FuzzLoadConfig$$' -fuzztime $(FUZZTIME) -parallel 2 ./fn
	$(GO) test -run '^$$' -fuzz '^FuzzEmitFast$$' -fuzztime $(FUZZTIME) -parallel 2 ./fn/wire
	$(GO) test -run '^$$' -fuzz '^FuzzSplice$$' -fuzztime $(FUZZTIME) -parallel 2 ./fn/wire

test-modules:
	@set -e; for m in $(TEST_MODULES); do echo "== $$m"; (cd $$m && $(GO) test -count=1 -timeout 30m ./...); done

# Every example (examples/*) through the real tools, compared with its .expected/ files:
# kustomize v5.8.1 (go install'ed into tests/e2e/.bin) and kpt fn render / fn eval (tests/e2e/cmd/kpt,
# built from kpt's packages). cgo off: kpt's optional wasm runtime would otherwise be compiled in.
E2E_GO := cd tests/e2e && CGO_ENABLED=0 $(GO)
e2e:
	$(E2E_GO) test -count=1 -timeout 30m ./...

# Rewrite the examples' expected outputs after a deliberate change; review the diff.
e2e-update:
	$(E2E_GO) test -count=1 -timeout 30m ./... -update

# hack/hydrate.sh, the staleness check for committed (hydrated) output that Flux and Config Sync
# users run on their repositories (README: Flux), run on ours: each example's kustomize output,
# .expected/kustomize.yaml, against what the example renders now (`make e2e-update` rewrites them).
E2E_KUSTOMIZE := tests/e2e/.bin/kustomize
KUSTOMIZE ?= $(E2E_KUSTOMIZE)
HYDRATED := $(foreach d,$(patsubst %/gatewaypattern.yaml,%,$(filter-out examples/bad-%,$(wildcard examples/*/gatewaypattern.yaml))),$(d)=$(d)/.expected/kustomize.yaml)
.PHONY: check-hydrated
check-hydrated: build
	@if [ "$(KUSTOMIZE)" = "$(E2E_KUSTOMIZE)" ] && [ ! -x "$(KUSTOMIZE)" ]; then \
	  echo "installing kustomize v5.8.1 into $(dir $(E2E_KUSTOMIZE))"; \
	  GOBIN=$(abspath $(dir $(E2E_KUSTOMIZE))) $(GO) install sigs.k8s.io/kustomize/kustomize/v5@v5.8.1; fi
	KUSTOMIZE=$(KUSTOMIZE) hack/hydrate.sh $(HYDRATED)

# Render every bundled example (examples/<name>/gatewaypattern.yaml) with the standalone mode into
# bin/rendered/<name>.yaml; examples/bad-* are the failing ones and are left out.
run: build
	@set -e; mkdir -p bin/rendered; for f in examples/*/gatewaypattern.yaml; do \
	  d=$$(dirname $$f); n=$$(basename $$d); case $$n in bad-*) continue;; esac; \
	  ./$(BIN) $$f > bin/rendered/$$n.yaml; echo "$$d: $$(grep -c '^kind:' bin/rendered/$$n.yaml) objects -> bin/rendered/$$n.yaml"; done

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@set -e; for m in $(TEST_MODULES); do (cd $$m && $(GO) vet ./...); done
	$(E2E_GO) vet ./...
	cd tests/container && $(GO) vet ./...

# Whole-process benchmarks (bench/): our function vs helm template, a bare kyaml parse-and-write
# and kustomize's helmCharts, as a table of medians and peak RSS. Not part of make test.
# BENCH_FLAGS go to bench/runbench, e.g. BENCH_FLAGS='-runs 41 -large-runs 11'.
.PHONY: bench
bench: build
	GO=$(GO) bench/run.sh $(BENCH_FLAGS)

# ---- container image (see Dockerfile) -------------------------------------------------------
IMAGE        ?= gateway-pattern:dev
DOCKER       ?= docker
IMAGE_BIN    ?= bin/image/gateway-pattern
IMAGE_CONTEXT := bin/image

.PHONY: image image-bin

# The image's binary: static (a scratch image has no libc), with no local paths or Go VCS stamp,
# so the same Go version, VERSION and COMMIT give the same bytes here, in the Dockerfile's build
# stage and in make release. The commit is always stamped, as the image's revision label names it;
# the version when VERSION=... is given (`make image` and the Dockerfile give "(devel)" otherwise).
image-bin:
	GOOS=linux $(RELEASE_GO_BUILD) -o $(IMAGE_BIN) .

# Builds $(IMAGE) offline: no base image is pulled. The context holds the binary built here, the
# passwd/group files, and a Dockerfile made of a stand-in build stage plus the Dockerfile's final
# stage, unchanged.
image:
	rm -rf $(IMAGE_CONTEXT) && mkdir -p $(IMAGE_CONTEXT)/image/etc
	$(MAKE) --no-print-directory image-bin IMAGE_BIN=$(IMAGE_CONTEXT)/gateway-pattern VERSION='$(or $(VERSION),(devel))' COMMIT='$(COMMIT)'
	install -m 0644 image/etc/passwd image/etc/group $(IMAGE_CONTEXT)/image/etc/
	{ printf 'FROM scratch AS build\nCOPY gateway-pattern /out/gateway-pattern\n\n'; \
	  sed -n '/^# ---- final stage/,$$p' Dockerfile; } > $(IMAGE_CONTEXT)/Dockerfile
	$(DOCKER) build -q -t $(IMAGE) --build-arg VERSION='$(or $(VERSION),(devel))' --build-arg REVISION='$(COMMIT)' \
	  $(IMAGE_CONTEXT) >/dev/null
	@echo "built $(IMAGE): $$($(DOCKER) image inspect -f '{{.Size}}' $(IMAGE)) bytes"

# ---- releases (README: "Releases") ----------------------------------------------------------------
# make release [VERSION=0.2.0-rc.1] [DIST=dist]: static binaries for RELEASE_PLATFORMS, the linux
# image as one OCI archive (tools/release, go-containerregistry: no Docker, no base image) and
# SHA256SUMS, into $(DIST). The version is the VERSION file's unless VERSION=... is given; the
# commit is HEAD's, with -dirty when the tree has changes; every time recorded is the commit's
# (SOURCE_DATE_EPOCH), so the same commit and Go version give byte-identical files anywhere.
DIST              ?= dist
RELEASE_PLATFORMS := linux/amd64 linux/arm64 darwin/amd64 darwin/arm64
RELEASE_VERSION    = $(or $(VERSION),$(shell cat VERSION))
ifeq ($(origin COMMIT),undefined)
COMMIT := $(shell git rev-parse HEAD 2>/dev/null || echo unknown)$(shell git status --porcelain 2>/dev/null | grep -q . && echo -dirty)
endif
ifeq ($(origin SOURCE_DATE_EPOCH),undefined)
SOURCE_DATE_EPOCH := $(shell git log -1 --format=%ct 2>/dev/null)
endif
STAMP_VERSION     = $(VERSION)
STAMP             = $(if $(STAMP_VERSION),-X main.version=$(STAMP_VERSION) )-X main.commit=$(COMMIT)
# Static, no local paths, no VCS stamp of Go's (the -X stamp says the same, and Go's would differ
# between a clone and a copy of it), symbol tables stripped.
RELEASE_GO_BUILD  = CGO_ENABLED=0 $(GO) build -trimpath -buildvcs=false -ldflags='-s -w $(STAMP)'

.PHONY: release
release: STAMP_VERSION = $(RELEASE_VERSION)
release:
	@test -n "$(SOURCE_DATE_EPOCH)" || { echo "release: no SOURCE_DATE_EPOCH and no git commit to take it from"; exit 1; }
	rm -rf $(DIST) && mkdir -p $(DIST)
	@set -e; for p in $(RELEASE_PLATFORMS); do \
	  os=$${p%/*}; arch=$${p#*/}; out=$(DIST)/gateway-pattern_$(RELEASE_VERSION)_$${os}_$${arch}; \
	  echo "$$out"; GOOS=$$os GOARCH=$$arch $(RELEASE_GO_BUILD) -o $$out .; \
	done
	$(GO) -C tools/release run . -dist '$(abspath $(DIST))' -version '$(RELEASE_VERSION)' -commit '$(COMMIT)' \
	  -source-date-epoch '$(SOURCE_DATE_EPOCH)' -etc '$(CURDIR)/image/etc'
	@cat $(DIST)/SHA256SUMS

# ---- generated schemas, container tests --------------------------------------------------------
.PHONY: schema test-container

# Regenerate catalog.yaml (the KRMFunctionDefinition) and schema/gatewaypattern.schema.json from
# the Go types and doc comments in krm/ (krm/schema's test fails while they are stale).
schema: generate

# Every generated file, by the go:generate lines beside what they come from: krm/kubeshapes_gen.go
# (from k8s.io/api) and the schemas above (from krm/). A test fails while any of them is stale.
.PHONY: generate
generate:
	$(GO) generate ./...

# The image run directly and as a kustomize container function (tests/container; it builds
# $(IMAGE) with `make image`). Without a Docker daemon its tests skip, and this says so loudly.
CONTAINER_SKIPPED := $(CURDIR)/bin/container-tests-skipped.txt
test-container:
	@mkdir -p bin && rm -f $(CONTAINER_SKIPPED)
	cd tests/container && GATEWAY_PATTERN_IMAGE=$(IMAGE) GATEWAY_PATTERN_SKIP_REPORT=$(CONTAINER_SKIPPED) \
	  $(GO) test -count=1 -timeout 30m ./...
	@if [ -s $(CONTAINER_SKIPPED) ]; then \
	  echo; echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	  echo "!!! CONTAINER TESTS SKIPPED: the image was NOT built or run. Why:"; \
	  cut -d' ' -f2- $(CONTAINER_SKIPPED) | sort -u | sed 's/^/!!!   /'; \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; echo; \
	fi
