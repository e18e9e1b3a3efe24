/**
 * @module Vite config of the wallet iframe app.
 *
 * - `embed.html` is the only page; the vault serves it at `/embed` and the hashed files
 *   under `/assets/` (base `/`, override with TRINE_WALLET_BASE).
 * - cardano-serialization-lib's wasm is loaded by a dynamic import (src/cardano.ts): a
 *   production build needs no plugin for it; the dev server needs vite-plugin-wasm.
 * - The KDF runs in a module worker (src/kdf-worker.ts).
 * - No inline scripts or styles in the output, so a strict CSP works.
 */
import { defineConfig } from 'vite';
import wasm from 'vite-plugin-wasm';

export default defineConfig(({ command }) => ({
  base: process.env.TRINE_WALLET_BASE ?? '/',
  plugins: command === 'serve' ? [wasm()] : [],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    rollupOptions: { input: { embed: 'embed.html' } },
  },
  worker: { format: 'es' },
  server: { port: 5174, strictPort: false },
}));
