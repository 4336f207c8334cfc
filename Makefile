# gateway-pattern: every target works on a fresh machine with Go; modules come from the proxy.
GO          ?= go
BIN         := bin/gateway-pattern
# The test modules that hold heavy dependencies (Helm, Istio), kept out of the function's go.mod.
TEST_MODULES := tests/parity tests/conformance

.PHONY: build test test-unit test-modules run lint

build:
	$(GO) build -trimpath -o $(BIN) .

# Everything CI runs: the function's tests, the Helm parity test and the Istio/Kubernetes
# validation of every golden output.
test: lint test-unit test-modules

test-unit:
	$(GO) test -count=1 ./...

test-modules:
	@set -e; for m in $(TEST_MODULES); do echo "== $$m"; (cd $$m && $(GO) test -count=1 ./...); done

# Render every bundled example: examples/<name>/gatewaypattern.yaml -> examples/<name>/rendered.yaml
run: build
	@set -e; for f in examples/*/gatewaypattern.yaml; do \
	  d=$$(dirname $$f); echo "== $$d"; ./$(BIN) $$f > $$d/rendered.yaml; echo "   $$d/rendered.yaml: $$(grep -c '^kind:' $$d/rendered.yaml) objects"; done

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@set -e; for m in $(TEST_MODULES); do (cd $$m && $(GO) vet ./...); done
