/**
 * @module bench/kdf-browser-entry — bundled by kdf-measure.ts with esbuild and run in
 * headless Chromium; exposes the shared cases on `globalThis`.
 */
import { runKdfCases } from './kdf-cases.ts';

(globalThis as unknown as { runKdfCases: typeof runKdfCases }).runKdfCases = runKdfCases;
