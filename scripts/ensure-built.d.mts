/** Types of scripts/ensure-built.mjs (used by the e2e global setup). */
export declare const APPS: Record<
  'wallet' | 'demo',
  { workspace: string; dist: string; sources: string[] }
>;
export declare function isStale(name: 'wallet' | 'demo'): boolean;
export declare function ensureBuilt(
  names?: Array<'wallet' | 'demo'>,
  options?: { force?: boolean; log?: (line: string) => void },
): void;
