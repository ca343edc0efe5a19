# syntax=docker/dockerfile:1
# The controller's image (the default target) and the CLI's (`--target cli`), for machines with
# Docker/BuildKit. Both stages run scripts/build-image.sh, which is also how images are built and
# pushed without a daemon; docs/install.md has the commands.
#
#   docker build -t planton-helm-controller:0.1.0 \
#     --build-arg REVISION=$(git rev-parse HEAD) --build-arg SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) .
#   docker build --target cli -t planton-helm:0.1.0 --build-arg REVISION=$(git rev-parse HEAD) .
#
# VERSION must be the workspace version (Cargo.toml), which is also the chart's appVersion; a test
# (host-controller/tests/release.rs) keeps the default below in step.

ARG RUST_VERSION=1.95.0
ARG VERSION=0.1.0

FROM docker.io/library/rust:${RUST_VERSION}-bookworm AS build-base
WORKDIR /src
COPY . .
ARG REVISION=unknown
ARG SOURCE_DATE_EPOCH=0
ENV PLANTON_IMAGE_REVISION=${REVISION} SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH} \
    PLANTON_IMAGE_TARGET_DIR=/src/target/image PLANTON_CACHE=/root/.cache/planton-helm

FROM build-base AS build-controller
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    --mount=type=cache,target=/root/.cache/planton-helm \
    apt-get update -qq && scripts/build-image.sh --rootfs /rootfs

FROM build-base AS build-cli
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    --mount=type=cache,target=/root/.cache/planton-helm \
    apt-get update -qq && scripts/build-image.sh --cli --rootfs /rootfs

FROM scratch AS cli
ARG VERSION
ARG REVISION=unknown
COPY --from=build-cli /rootfs/ /
COPY --from=build-cli --chown=65532:65532 /rootfs/home/nonroot /home/nonroot
ENV PATH=/usr/bin HOME=/home/nonroot SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    PLANTON_HELM_PRECOMPILED_DIR=/usr/lib/planton-helm
USER 65532:65532
WORKDIR /home/nonroot
LABEL org.opencontainers.image.title="planton-helm" \
      org.opencontainers.image.description="planton-helm: validate HelmReleases and render Helm charts offline, as helm template" \
      org.opencontainers.image.source="https://github.com/project-planton/planton-helm" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
ENTRYPOINT ["/usr/bin/planton-helm"]

FROM scratch AS controller
ARG VERSION
ARG REVISION=unknown
COPY --from=build-controller /rootfs/ /
COPY --from=build-controller --chown=65532:65532 /rootfs/home/nonroot /home/nonroot
ENV PATH=/usr/bin HOME=/home/nonroot SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    PLANTON_HELM_PRECOMPILED_DIR=/usr/lib/planton-helm
USER 65532:65532
WORKDIR /home/nonroot
LABEL org.opencontainers.image.title="planton-helm-controller" \
      org.opencontainers.image.description="planton-helm-controller: reconciles HelmRelease objects and validates them at admission" \
      org.opencontainers.image.source="https://github.com/project-planton/planton-helm" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
ENTRYPOINT ["/usr/bin/planton-helm-controller"]
CMD ["run"]
