/**
 * The first screen (issue 13, item 3): nothing reachable from the wallet's entry by
 * static imports holds key, share, realm, word-list, CBOR or password-estimator code;
 * those load by import() when a flow needs them. Plus the constant repeated to keep
 * realm-crypto off the first screen.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MAX_REALMS as CORE_MAX_REALMS } from '@trine/core/realm-crypto';
import { describe, expect, it } from 'vitest';
import { MAX_REALMS } from '../src/vault-client.ts';

const SRC = new URL('../src/', import.meta.url).pathname;

/** Modules reachable from `entry` through static imports (import() is not followed). */
function staticGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)) {
      const spec = m[1]!;
      if (/^(?:import|export)\s+type\s/.test(m[0].trim())) continue;
      if (spec.startsWith('.')) visit(join(dirname(file), spec));
      else seen.add(spec);
    }
  };
  visit(entry);
  return seen;
}

describe('first screen', () => {
  const graph = staticGraph(join(SRC, 'main.ts'));

  it('statically loads only the boot: config, handshake, store, screens', () => {
    expect(graph.has(join(SRC, 'boot-handlers.ts'))).toBe(true);
    expect(graph.has(join(SRC, 'vault-client.ts'))).toBe(true);
    for (const lazy of [
      'wallet.ts',
      'context.ts',
      'errors.ts',
      'realm-client.ts',
      'realms.ts',
      'reconstruct.ts',
      'key-id.ts',
      'tx-view.ts',
      'validators.ts',
      'password-strength.ts',
      'flows/approve.ts',
      'flows/create.ts',
      'flows/recover.ts',
    ]) {
      expect(graph.has(join(SRC, lazy)), lazy).toBe(false);
    }
  });

  it('reaches no key, share, realm, word-list, CBOR or estimator package', () => {
    const heavy = [...graph].filter((m) =>
      /@trine\/cardano|@noble\/curves|@scure\/bip39|shamir|zxcvbn|hash-wasm|@trine\/core\/(shamir|mnemonic|realm-crypto|management-key|seal|seal-v2|kdf|entropy)$/.test(
        m,
      ),
    );
    expect(heavy).toEqual([]);
  });

  it('the flows reach them (the walker sees through the lazy boundary when asked)', () => {
    const flows = staticGraph(join(SRC, 'wallet.ts'));
    expect(flows.has(join(SRC, 'validators.ts'))).toBe(true);
    expect(flows.has('@trine/core/shamir')).toBe(true);
  });

  it('MAX_REALMS is realm-crypto’s', () => {
    expect(MAX_REALMS).toBe(CORE_MAX_REALMS);
  });
});
