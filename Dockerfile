# vmzombie-exporter image: one image for every mode (--mode=node, --mode=cluster, vSphere).
# Non-root by default; the node agent runs as root or with CAP_SYS_PTRACE + CAP_DAC_READ_SEARCH
# (README "Container image"). Build: podman build --format docker -t vmzombie-exporter .

# Build stage: dev dependencies and the TypeScript compiler.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Behind a TLS-inspecting proxy pass its CA with --build-arg NODE_EXTRA_CA_CERTS=<file mounted into the
# build>; an ARG is not part of the final image. npm ci can print an error and still exit 0 when the
# registry is unreachable, so the step checks that the packages are really there.
ARG NODE_EXTRA_CA_CERTS=
RUN npm ci --no-audit --no-fund --ignore-scripts \
 && test -x node_modules/.bin/tsc && test -f node_modules/prom-client/package.json
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts/copy-assets.mjs ./scripts/
# Then production dependencies only (npm prune is local), without type declarations and source maps
# (a third of their size).
RUN node_modules/.bin/tsc -p tsconfig.build.json && node scripts/copy-assets.mjs && test -f dist/cli.js \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && test -f node_modules/prom-client/package.json && test ! -e node_modules/typescript \
 && find node_modules \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \) -delete \
 && rm -rf node_modules/@types

FROM node:20-bookworm-slim
# virsh for the libvirt source; tini so SIGTERM reaches node and virsh children are reaped. -s: with
# the host's PID namespace (the node agent) tini is not PID 1 and must register as subreaper.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libvirt-clients tini \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/apt /var/log/dpkg.log
WORKDIR /app
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
ARG VERSION=0.1.0
ARG REVISION=
ARG SOURCE=
LABEL org.opencontainers.image.title="vmzombie-exporter" \
      org.opencontainers.image.description="Prometheus exporter for virtualization resources never given back" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.base.name="docker.io/library/node:20-bookworm-slim"
ENV NODE_ENV=production
# As the bin's shebang sets it: glibc's mmap threshold held at its default, 128 KiB. Left to adapt, it climbs
# to the size of the largest buffer freed (a list page, a rendered scrape) and the heap keeps ~40 MiB of freed
# pages at 10 000 VMs (docs/performance.md, "The fourth round").
ENV MALLOC_MMAP_THRESHOLD_=131072
# The node user of the base image; numeric so Kubernetes can check runAsNonRoot.
USER 1000:1000
EXPOSE 9955
# /-/healthy over plain HTTP on the default address; set VMZOMBIE_HEALTHCHECK_URL with TLS or another
# --web.listen-address (src/healthcheck.ts).
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["node", "/app/dist/healthcheck.js"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "-s", "--", "node", "--max-semi-space-size=2", "/app/dist/cli.js"]
CMD ["serve"]
