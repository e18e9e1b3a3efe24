/**
 * @module Vite config of the wallet iframe app.
 *
 * Output for the vault's static hosting (apps/vault/src/http/embed.ts): the vault serves
 * the folder named by TRINE_WALLET_DIR under `/embed`, with `index.html` for `/embed`.
 * So the entry page `embed.html` is written as `dist/index.html`, and every other file
 * has a content hash and lives under `/embed/assets/` (base `/embed/`; override with
 * TRINE_WALLET_BASE). No inline scripts or styles, so the vault's CSP needs no hashes.
 *
 * cardano-serialization-lib's wasm is loaded by a dynamic import (src/cardano.ts): a
 * production build needs no plugin; the dev server needs vite-plugin-wasm. The KDF runs
 * in a module worker (src/kdf-worker.ts). `npm run dev` proxies the vault API
 * (TRINE_VAULT_URL, default http://127.0.0.1:8787) so the page and the API share an origin.
 */
import { defineConfig, type Plugin } from 'vite';
import wasm from 'vite-plugin-wasm';

/** Writes the entry page as index.html (what the vault serves for `/embed`). */
function entryAsIndex(): Plugin {
  return {
    name: 'trine-entry-as-index',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const page = bundle['embed.html'];
      if (page) page.fileName = 'index.html';
    },
  };
}

const vault = process.env.TRINE_VAULT_URL ?? 'http://127.0.0.1:8787';

export default defineConfig(({ command }) => ({
  base: process.env.TRINE_WALLET_BASE ?? '/embed/',
  plugins: command === 'serve' ? [wasm()] : [entryAsIndex()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    // The CSL JavaScript glue is ~585 kB (59 kB gzip) and loads lazily.
    chunkSizeWarningLimit: 700,
    // approve.html: the wallet's own approval window (src/popup.ts), same build and CSP.
    rollupOptions: { input: { embed: 'embed.html', approve: 'approve.html' } },
  },
  worker: { format: 'es' },
  server: {
    port: 5174,
    proxy: { '/v1': vault, '/dev': vault },
  },
}));
