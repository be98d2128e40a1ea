# syntax=docker/dockerfile:1.7
#
# Softrack reference API (apps/api) with everything `npm start` serves: the API, its
# reference (/docs), the checkout widget (/widget.js, /elements/…), the demo (/demo, with
# DEMO=1) and the built site with its developer docs and console (/, /console/, …).
# Build from the repository root:
#   docker build -t softrack/api .
# Configuration is entirely by environment (docs/configuration.md); the image defaults to
# HOST=0.0.0.0, PORT=3000, NODE_ENV=production (PLATFORM_ADMIN_KEY, PUBLIC_URL and
# METRICS_TOKEN required) and an embedded PostgreSQL in the /data volume unless
# DATABASE_URL points to a server.
#
# BASE_IMAGE builds (it needs node, npm and a shell); RUNTIME_IMAGE runs and needs only
# node on PATH (no RUN step touches it, so a shell-less image works). Machines without
# Docker Hub build both with scripts/docker-base.sh and pass them in (scripts/docker-build.sh).
ARG BASE_IMAGE=node:24-bookworm-slim
ARG RUNTIME_IMAGE=node:24-bookworm-slim

# 1. The workspaces to build, split into manifests and sources: out/ for the site, which
#    depends on everything the image serves (API, widget, SDK, core); out-api/ for the API
#    alone, whose production dependencies are all the runtime carries.
FROM ${BASE_IMAGE} AS prune
ARG TURBO_VERSION=2.11.11
WORKDIR /repo
COPY . .
# The optional `ca` secret is a CA bundle for networks whose TLS is intercepted; it is
# mounted for the step only and never stored in a layer.
RUN --mount=type=secret,id=ca,required=false \
    if [ -s /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi; \
    npx --yes "turbo@${TURBO_VERSION}" prune @softrack/api @softrack/site --docker \
 && npx --yes "turbo@${TURBO_VERSION}" prune @softrack/api --docker --out-dir out-api

# 2. Every dependency (dev too) exactly as the pruned lockfile says (`npm ci`: the lockfile
#    carries every platform's optional packages), then the build: core, SDK, widget, API and
#    the site, which reads the API's committed openapi.json and the root BENCHMARKS.md.
#    turbo prune leaves root files out: every workspace's tsconfig extends tsconfig.base.json.
FROM ${BASE_IMAGE} AS build
WORKDIR /app
COPY --from=prune /repo/out/json/ ./
RUN --mount=type=cache,target=/root/.npm --mount=type=secret,id=ca,required=false \
    if [ -s /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi; \
    npm ci --no-audit --no-fund
COPY --from=prune /repo/out/full/ ./
COPY --from=prune /repo/tsconfig.base.json /repo/BENCHMARKS.md ./
# sharp draws the site's OpenGraph cards (SVG text) and needs fontconfig and a font, or every
# glyph is a box: scripts/docker-base.sh's build base has them; a Debian base gets them here.
RUN if [ ! -f /etc/fonts/fonts.conf ] && command -v apt-get >/dev/null; then \
      apt-get update && apt-get install -y --no-install-recommends fontconfig-config fonts-dejavu-core \
      && rm -rf /var/lib/apt/lists/*; \
    fi
RUN npx turbo run build --filter=@softrack/site... --env-mode=loose \
 && mkdir -p /data

# 3. The API's production dependencies alone, from its own pruned manifests (no sources,
#    no dev tools, nothing the site or the widget build with).
#    GET /docs serves a single file of @scalar/api-reference, its browser bundle; the
#    package's own dependency tree (Vue, editors, an AI SDK, TypeScript: ~250 MB) never runs
#    on the server. So the dependency is dropped from the API's manifest before `npm ci`
#    (which then installs the lockfile's versions of everything else and leaves that tree
#    out), and the bundle is unpacked from the locked version, checked against the
#    lockfile's integrity.
FROM ${BASE_IMAGE} AS deps
WORKDIR /app
COPY --from=prune /repo/out-api/json/ ./
RUN --mount=type=cache,target=/root/.npm --mount=type=secret,id=ca,required=false \
    set -e; \
    if [ -s /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi; \
    lock() { node -p "require('./package-lock.json').packages['node_modules/@scalar/api-reference']?.$1 ?? ''"; }; \
    scalar="$(lock version)"; integrity="$(lock integrity)"; \
    if [ -n "$scalar" ]; then npm pkg delete "dependencies.@scalar/api-reference" -w @softrack/api; fi; \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund; \
    if [ -n "$scalar" ]; then \
      tgz="$(cd /tmp && npm pack "@scalar/api-reference@$scalar" --json | node -e "const [p]=JSON.parse(require('fs').readFileSync(0,'utf8')); if (p.integrity !== process.argv[1]) { console.error('@scalar/api-reference: integrity differs from the lockfile'); process.exit(1); } console.log(p.filename)" "$integrity")"; \
      mkdir -p node_modules/@scalar/api-reference; \
      tar xzf "/tmp/$tgz" -C node_modules/@scalar/api-reference --strip-components=1 package/package.json package/dist/index.js package/dist/browser/standalone.js; \
      rm "/tmp/$tgz"; \
    fi; \
    rm -f package-lock.json

# 4. The runtime: manifests + production node_modules (read-only to the app), the built
#    output and the migrations, the widget's and the site's built files (STATIC_ROOT: the
#    API serves packages/widget/dist and apps/site/dist under it); the app user (uid 1000)
#    owns only /data.
FROM ${RUNTIME_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    STATIC_ROOT=/app \
    LOG_LEVEL=info
WORKDIR /app
COPY --from=deps /app/ ./
COPY --from=build /app/packages/core/dist packages/core/dist
COPY --from=build /app/apps/api/dist apps/api/dist
COPY --from=build /app/apps/api/drizzle apps/api/drizzle
COPY --from=build /app/packages/widget/dist packages/widget/dist
COPY --from=build /app/apps/site/dist apps/site/dist
COPY --from=build --chown=1000:1000 /data /data
WORKDIR /app/apps/api
USER 1000:1000
EXPOSE 3000
VOLUME ["/data"]
# Liveness through the API's own /health (no curl in slim images): 200 once migrations ran
# and the database answers.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM: stop accepting, drain in-flight requests, stop workers and the database, exit 0.
STOPSIGNAL SIGTERM
CMD ["node", "--enable-source-maps", "dist/index.js"]

LABEL org.opencontainers.image.title="Softrack API" \
      org.opencontainers.image.description="Softrack reference payments API (Hono, Drizzle, PostgreSQL) with its reference, checkout widget, demo, site and console" \
      org.opencontainers.image.licenses="Apache-2.0"
