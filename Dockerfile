# Perch: multi-stage image. The build stage runs exactly the steps of .ci/run (npm ci, type-check,
# build); the runtime stage runs as the unprivileged `node` user and works on a read-only root
# filesystem (mount a writable /tmp; everything else Perch needs lives in PostgreSQL).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY packages/protocol/package.json packages/protocol/package.json
COPY packages/engine/package.json packages/engine/package.json
COPY packages/server/package.json packages/server/package.json
COPY packages/embed/package.json packages/embed/package.json
COPY packages/node/package.json packages/node/package.json
COPY examples/demo-host/package.json examples/demo-host/package.json
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run typecheck
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PERCH_HOST=0.0.0.0 \
    PERCH_PORT=4100 \
    PERCH_DATA_DIR=/tmp/perch \
    PERCH_MODEL_DIR=/app/model
WORKDIR /app
# Owned by root and not writable by the process: the code cannot be changed at run time.
COPY --from=build /app /app
USER node
EXPOSE 4100
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:4100/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Workspace packages are TypeScript run through tsx; there is no separate compile step.
CMD ["node", "--import", "tsx", "packages/server/src/cli/main.ts", "start"]
