# The gateway-pattern KRM function as a container image: one static binary in an empty (scratch)
# image, with an /etc/passwd naming the unprivileged user kustomize and kpt run functions as
# (--user nobody) and nothing else: no shell, no package manager, no libc.
#
#   docker build -t gateway-pattern:dev .    # with network: compiles in the golang stage below
#   make image                               # offline: compiles on this machine with its Go and
#                                            # builds the same final stage with no base image
#   docker build --build-arg VERSION=0.1.0 --build-arg REVISION=$(git rev-parse HEAD) .
#                                            # stamped and labelled with a version and commit
#
# Releases are not built here: `make release` builds the image for linux/amd64 and linux/arm64 as
# an OCI archive without Docker (README: "Releases").
#
# `make image` reuses the final stage of this file verbatim (everything from the "final stage"
# marker to the end), so both ways give the same files, user, entrypoint and labels. The binary
# is built by the same `make image-bin` rule both ways; it is byte-identical when the Go version is
# the same (pass --build-arg GO_IMAGE=golang:<version>-bookworm to match your local Go).

ARG GO_IMAGE=golang:1.26-bookworm

FROM ${GO_IMAGE} AS build
# The version and commit the binary says (--version) and the labels name; `make image` passes
# them (VERSION=... when given, the checkout's commit). The context has no .git to read them from.
ARG VERSION="(devel)"
ARG REVISION=unknown
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN make image-bin IMAGE_BIN=/out/gateway-pattern VERSION="${VERSION}" COMMIT="${REVISION}"

# ---- final stage (shared with `make image`: keep everything below free of build-stage details)
FROM scratch
ARG VERSION="(devel)"
ARG REVISION=unknown
LABEL org.opencontainers.image.title="gateway-pattern" \
      org.opencontainers.image.description="KRM function: expands a GatewayPattern into the istio/gateway chart's workload and the Istio objects of an ingress, egress or east-west gateway" \
      org.opencontainers.image.source="https://github.com/gatewaypattern/gateway-pattern" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
COPY image/etc/passwd image/etc/group /etc/
COPY --from=build /out/gateway-pattern /gateway-pattern
USER 65534:65534
ENTRYPOINT ["/gateway-pattern"]
