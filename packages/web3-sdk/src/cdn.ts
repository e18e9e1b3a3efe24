/**
 * @module cdn — what the `<script>` build (dist/trine.iife.js) puts on `window.Trine`:
 * createTrine, injectCip30 and the Blockfrost provider. Not a subpath export; npm users
 * import the modules themselves.
 */
export { createBlockfrostChainProvider } from './blockfrost.ts';
export { injectCip30 } from './inject.ts';
export { createTrine } from './trine.ts';
