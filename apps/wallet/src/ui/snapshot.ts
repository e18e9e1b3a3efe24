/**
 * @module ui/snapshot — copies what an approval screen shows (the decoded transaction or
 * the signData payload, as rendered in the iframe) into the wallet's popup window as plain
 * data: element names from an allow-list, a few presentational attributes, and text.
 * No markup is ever parsed, so text stays text; an element outside the list becomes a
 * `div` with its children kept, so nothing shown in the frame is dropped in the popup.
 */
import { h } from './dom.ts';

/** A text node, or an element: tag, attributes, children. */
export type Snap = string | { t: string; a: Record<string, string>; c: Snap[] };

const TAGS = new Set([
  'div',
  'p',
  'span',
  'strong',
  'em',
  'b',
  'i',
  'small',
  'ul',
  'ol',
  'li',
  'dl',
  'dt',
  'dd',
  'section',
  'h2',
  'h3',
  'pre',
  'code',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'br',
  'mark',
]);
const ATTRS = new Set(['class', 'role', 'aria-label', 'title']);
const MAX_DEPTH = 40;
const MAX_NODES = 20_000;

/** The snapshot of `nodes` (elements and text; comments and others are skipped). */
export function snapshot(nodes: readonly Node[]): Snap[] {
  let count = 0;
  const walk = (n: Node, depth: number): Snap | undefined => {
    if (++count > MAX_NODES || depth > MAX_DEPTH) throw new RangeError('content too large');
    if (n.nodeType === 3) return n.textContent ?? '';
    if (n.nodeType !== 1) return undefined;
    const el = n as Element;
    const a: Record<string, string> = {};
    for (const name of ATTRS) {
      const v = el.getAttribute(name);
      if (v !== null) a[name] = v;
    }
    const c: Snap[] = [];
    for (const child of Array.from(el.childNodes)) {
      const s = walk(child, depth + 1);
      if (s !== undefined) c.push(s);
    }
    return { t: el.tagName.toLowerCase(), a, c };
  };
  const out: Snap[] = [];
  for (const n of nodes) {
    const s = walk(n, 0);
    if (s !== undefined) out.push(s);
  }
  return out;
}

/** Rebuilds a snapshot received from the iframe; throws TypeError on a malformed one. */
export function rebuild(snaps: unknown): Node[] {
  let count = 0;
  const build = (s: unknown, depth: number): Node => {
    if (++count > MAX_NODES || depth > MAX_DEPTH) throw new RangeError('content too large');
    if (typeof s === 'string') return document.createTextNode(s);
    if (typeof s !== 'object' || s === null) throw new TypeError('bad snapshot node');
    const { t, a, c } = s as { t?: unknown; a?: unknown; c?: unknown };
    if (typeof t !== 'string' || typeof a !== 'object' || a === null || !Array.isArray(c)) {
      throw new TypeError('bad snapshot node');
    }
    const props: Record<string, string> = {};
    for (const [k, v] of Object.entries(a)) {
      if (ATTRS.has(k) && typeof v === 'string') props[k] = v;
    }
    const tag = (TAGS.has(t) ? t : 'div') as 'div';
    return h(tag, props, ...c.map((x) => build(x, depth + 1)));
  };
  if (!Array.isArray(snaps)) throw new TypeError('bad snapshot');
  return snaps.map((s) => build(s, 0));
}
