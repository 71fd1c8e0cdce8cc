# One image for the whole lab; docker-compose.yml runs it once per emulated system. Nothing is
# downloaded at run time: dependencies come from the lockfile at build time. The test PKI is not in
# the image: it is generated on first start into /app/certs (compose: the one-shot `certs` service
# fills a shared volume), and fixtures are read from /app/fixtures (compose mounts ./fixtures there).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN npm ci --no-audit --no-fund
COPY idp ./idp
COPY harness ./harness
COPY scripts ./scripts
# `npm run build`: tsc into dist/ (and whatever else the build script does); then only runtime deps.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY idp/assets ./idp/assets
COPY fixtures ./fixtures
COPY certs/README.md ./certs/README.md
# The lab binds loopback by default; in a container every service listens on every interface.
ENV IDP_HARNESS__ADFS__HOST=0.0.0.0 IDP_HARNESS__OIDC__HOST=0.0.0.0 IDP_HARNESS__IDS__HOST=0.0.0.0 IDP_HARNESS__FINESSE__HOST=0.0.0.0 IDP_HARNESS__CXONE__HOST=0.0.0.0 IDP_HARNESS__CONSOLE__HOST=0.0.0.0
EXPOSE 9443 9444 8553 8445 9445 9000
# /healthz of every service the container's configuration enables (compose passes each service's --only).
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=12 CMD ["node", "dist/scripts/healthcheck.js"]
# Alone (`docker run`): the PKI if missing, then every service in one container.
CMD ["sh", "-c", "node dist/scripts/gen-certs.js --dir /app/certs && exec node dist/harness/src/cli.js up"]
