/**
 * @module Vite config of the demo dApp. The build is static (`dist/`), served by
 * scripts/serve.mjs, which also relays `POST /dev/token` to the vault's dev issuer (the
 * vault sends no CORS headers on `/dev/*`, as a real identity provider would be the dApp's
 * own backend). `npm run dev` does the same relay with Vite's proxy (TRINE_VAULT_URL,
 * default http://127.0.0.1:8787).
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
    // Two pages: the vanilla demo and the @trine/web3-react one.
    rollupOptions: { input: { main: 'index.html', react: 'react.html' } },
  },
  server: { port: 5173, strictPort: true, proxy: { '/dev/token': vault } },
});
