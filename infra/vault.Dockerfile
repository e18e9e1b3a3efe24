# Trine vault image (infra/compose.yaml). Build from the repository root:
#   docker build -f infra/vault.Dockerfile -t trine-vault .
#
# Three stages. `build` installs everything (lockfile-exact, checked) and compiles the wallet app
# (vite) and the vault (apps/vault/build.mjs, esbuild → apps/vault/dist/server/*.js).
# `deps` installs only the vault's production dependencies. The final stage holds those
# node_modules, the compiled vault, its SQL migrations and the built wallet: no sources,
# no tsx, no dev dependency, no test. The build context is filtered by ../.dockerignore
# (an allowlist); apps/vault/test/image.test.ts replays these COPY lines on the repository.
#
# Base image pinned by digest (a tag can be re-pointed; a digest cannot). To update:
#   docker buildx imagetools inspect node:20-bookworm-slim --format '{{json .Manifest.Digest}}'
# (or `crane digest node:20-bookworm-slim`), put the new digest here and in compose.yaml's
# comment, rebuild, run the suite. The digest below was copied from public pins of this
# tag in December 2026 and has not been pulled from our machines (no Docker here).
ARG NODE_IMAGE=node:20-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY . .
# Lockfile-exact, checked: `npm install --no-save` installs package-lock.json's versions
# and writes nothing back; scripts/lockfile-exact.mjs then fails the build if any installed
# package differs from the lockfile in path, version or integrity. Not `npm ci`: the
# lockfile lacks entries for some other platforms' optional binaries (e.g.
# @cbor-extract/*@2.2.3, which the registry our machines use does not serve), and npm ci
# refuses any lockfile it finds incomplete (see "The two commands" in the README).
# scripts/patch-deps.mjs: a fix in postgres.js upstream has not released (the root
# postinstall runs it too; run here by name so a skipped lifecycle script cannot skip it).
RUN npm install --no-save --no-audit --no-fund \
 && node scripts/lockfile-exact.mjs \
 && node scripts/patch-deps.mjs \
 && npm run build -w @trine/wallet \
 && npm run build -w @trine/vault

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY . .
# Production dependencies of the vault workspace only (and of the workspace packages it
# depends on), from the same lockfile, with the same check. npm also keeps the root
# manifest's runtime dependency on the trine CLI (tsx, and esbuild under it); the image
# never runs them (CMD is plain node on compiled JavaScript), so they are removed.
RUN npm install --omit=dev --no-save --workspace @trine/vault --no-audit --no-fund \
 && node scripts/lockfile-exact.mjs \
 && node scripts/patch-deps.mjs \
 && rm -rf node_modules/tsx node_modules/esbuild node_modules/@esbuild node_modules/.bin/tsx node_modules/.bin/esbuild

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/apps/vault/dist ./apps/vault/dist
COPY --from=build /app/apps/vault/drizzle ./apps/vault/drizzle
COPY --from=build /app/apps/wallet/dist ./apps/wallet/dist
USER node
EXPOSE 8787
HEALTHCHECK --interval=5s --timeout=3s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:8787/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Admin commands: docker compose exec vault-1 node apps/vault/dist/server/admin.js stats
CMD ["node", "apps/vault/dist/server/main.js"]
