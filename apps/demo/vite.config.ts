/**
 * @module Vite config of the demo dApp. The build is static (`dist/`), served by
 * scripts/serve.mjs, which also relays `POST /dev/token` to the vault's dev issuer (the
 * vault sends no CORS headers on `/dev/*`, as a real identity provider would be the dApp's
 * own backend). `npm run dev` does the same relay with Vite's proxy (TRINE_VAULT_URL,
 * default http://127.0.0.1:8787).
 *
 * Lucid Evolution (src/payment.ts, imported dynamically) brings CML, UPLC and CMS as
 * wasm-bindgen "bundler" modules (`import * from '….wasm'`): Vite 8's production build
 * handles them with no plugin. Under the dev server the payment does not run (Lucid's
 * pre-bundled dependencies expect Node's `Buffer`): use the build (`npm run serve`).
 */
import { defaultClientConditions, defineConfig } from 'vite';

const vault = process.env.TRINE_VAULT_URL ?? 'http://127.0.0.1:8787';

export default defineConfig({
  // @trine/web3-sdk from its sources (the workspace's `trine-source` export condition).
  resolve: { conditions: ['trine-source', ...defaultClientConditions] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    // The lazy Lucid chunk is ~1.9 MB (~0.42 MB gzip); the first screen loads none of it.
    chunkSizeWarningLimit: 2000,
    // Two pages: the vanilla demo and the @trine/web3-react one.
    rollupOptions: { input: { main: 'index.html', react: 'react.html' } },
  },
  server: { port: 5173, strictPort: true, proxy: { '/dev/token': vault } },
});
