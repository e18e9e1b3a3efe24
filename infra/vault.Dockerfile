# Trine vault image (infra/compose.yaml). Build from the repository root:
#   docker build -f infra/vault.Dockerfile -t trine-vault .
# The vault runs its TypeScript sources with tsx (there is no build step for the
# packages); the wallet app is built here and served by the vault at /embed.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY . .
RUN npm install --no-audit --no-fund && npm run build -w @trine/wallet

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
USER node
EXPOSE 8787
HEALTHCHECK --interval=5s --timeout=3s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:8787/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--import", "tsx", "apps/vault/src/main.ts"]
