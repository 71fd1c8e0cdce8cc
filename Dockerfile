# One image for the whole lab. Nothing is downloaded at run time: dependencies come from the
# lockfile at build time, the test PKI is generated on first start into /app/certs (mount a
# volume there to keep it, or mount your own).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN npm ci --no-audit --no-fund
COPY idp ./idp
COPY harness ./harness
COPY scripts ./scripts
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY idp/assets ./idp/assets
COPY fixtures ./fixtures
COPY certs/README.md ./certs/README.md
# The lab binds loopback by default; in a container it must listen on every interface.
ENV IDP_HARNESS__ADFS__HOST=0.0.0.0 IDP_HARNESS__OIDC__HOST=0.0.0.0 IDP_HARNESS__IDS__HOST=0.0.0.0 IDP_HARNESS__FINESSE__HOST=0.0.0.0 IDP_HARNESS__CXONE__HOST=0.0.0.0 IDP_HARNESS__CONSOLE__HOST=0.0.0.0
EXPOSE 9443 9444 8553 8445 9445 9000
HEALTHCHECK --interval=5s --timeout=2s --retries=12 CMD node -e "fetch('http://127.0.0.1:9000/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["sh", "-c", "node dist/scripts/gen-certs.js --dir /app/certs && exec node dist/harness/src/cli.js up"]
