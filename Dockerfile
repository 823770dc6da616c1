# syntax=docker/dockerfile:1
# The gateway as a container image (README: Deploying).
#   docker build -t nest-sse-gateway .
#   docker run -p 3000:3000 -e REDIS_URL=redis://redis:6379 nest-sse-gateway
# test/deploy-files.e2e-spec.ts checks what this file must hold; test/production-deps.e2e-spec.ts
# runs the runtime stage's install in a copy, so nothing the gateway needs hides in devDependencies.

# Pinned to the Node line the project supports (package.json engines); pin a digest
# (node:20-bookworm-slim@sha256:...) for byte-for-byte rebuilds.
ARG NODE_IMAGE=node:20-bookworm-slim

# Build: every dependency (TypeScript, esbuild for the browser client), then dist/.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build-client.mjs ./scripts/
COPY src ./src
RUN npm run build

# Runtime: production dependencies only, the built gateway, no compiler, no sources.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# No install script runs: none of the production dependencies needs one. --omit=optional
# too: npm keeps a dev dependency that a production one names as an optional peer
# (typescript, for @nestjs/swagger's build plugin), and no production dependency has
# optional dependencies of its own.
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The image's unprivileged "node" user, by number so Kubernetes' runAsNonRoot can check it.
# The files above stay root's: the process cannot change its own code.
USER 1000:1000
EXPOSE 3000
# Liveness, not readiness: Docker restarts nothing on it by itself, and a Redis outage must
# not mark every instance unhealthy. Node's fetch, since the slim image has no curl.
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM starts the drain (streams told to come back elsewhere within SSE_DRAIN_MS); give
# the container at least SSE_DRAIN_MS + 5 s to stop (docker stop -t, stop_grace_period).
STOPSIGNAL SIGTERM
# node itself as PID 1 (not npm), so the signal reaches the gateway.
CMD ["node", "dist/main.js"]
