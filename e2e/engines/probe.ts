/**
 * @module engines/probe — what an engine offers the wallet inside its cross-site iframe,
 * measured in the iframe itself (not assumed from release notes): IntersectionObserver v2
 * (`isVisible`, the wallet's clickjacking check), the Storage Access API, whether
 * localStorage and IndexedDB work there, and the user agent. Printed by the runner and
 * collected for the report; a probe is information, not a pass/fail test.
 */
import type { Device } from './surface.ts';

export interface FrameFacts {
  userAgent: string;
  intersectionObserverV2: boolean;
  requestStorageAccess: boolean;
  hasStorageAccess: string;
  localStorage: string;
  indexedDB: string;
  cookieEnabled: boolean;
}

/** Runs in the wallet iframe; every check catches its own error and reports it as text. */
const PROBE = `(async () => {
  const facts = {
    userAgent: navigator.userAgent,
    intersectionObserverV2:
      typeof IntersectionObserverEntry !== 'undefined' &&
      'isVisible' in IntersectionObserverEntry.prototype,
    requestStorageAccess: typeof document.requestStorageAccess === 'function',
    hasStorageAccess: 'n/a',
    localStorage: '',
    indexedDB: '',
    cookieEnabled: navigator.cookieEnabled,
  };
  try {
    facts.hasStorageAccess = typeof document.hasStorageAccess === 'function'
      ? String(await document.hasStorageAccess()) : 'no API';
  } catch (e) { facts.hasStorageAccess = 'throws ' + e.name; }
  try {
    localStorage.setItem('trine-probe', '1');
    localStorage.removeItem('trine-probe');
    facts.localStorage = 'works';
  } catch (e) { facts.localStorage = 'throws ' + e.name; }
  facts.indexedDB = await new Promise((resolve) => {
    try {
      const r = indexedDB.open('trine-probe');
      r.onsuccess = () => { r.result.close(); indexedDB.deleteDatabase('trine-probe'); resolve('works'); };
      r.onerror = () => resolve('open fails: ' + (r.error && r.error.name));
    } catch (e) { resolve('throws ' + e.name); }
  });
  return facts;
})()`;

export const collected: Record<string, FrameFacts> = {};

export async function probeWalletFrame(d: Device, engine: string): Promise<FrameFacts> {
  const w = await d.wallet();
  const facts = await w.evaluate<FrameFacts>(PROBE);
  collected[engine] = facts;
  for (const [k, v] of Object.entries(facts)) console.log(`    ${engine} iframe: ${k} = ${v}`);
  return facts;
}
