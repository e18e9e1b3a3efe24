/**
 * @module ui/tx-render — lays out a TxView (tx-view.ts): warnings as a list the screen
 * reader reaches first, then one definition list per section.
 */
import type { TxView } from '../tx-view.ts';
import { h } from './dom.ts';

export function renderTxView(view: TxView): HTMLElement {
  const out = h('div', { class: 'tx' });
  if (view.warnings.length > 0) {
    out.append(
      h(
        'div',
        { class: 'warnings', role: 'note', 'aria-label': 'Warnings' },
        h('ul', null, ...view.warnings.map((w) => h('li', null, w))),
      ),
    );
  }
  for (const s of view.sections) {
    const dl = h('dl', { class: 'kv' });
    for (const r of s.rows) {
      dl.append(
        h('dt', { class: r.attention ? 'attention' : null }, r.label),
        h(
          'dd',
          { class: r.attention ? 'attention' : null },
          r.value,
          r.note ? h('span', { class: 'note mono' }, r.note) : null,
        ),
      );
    }
    out.append(h('section', { class: 'tx-section' }, h('h2', null, s.title), dl));
  }
  return out;
}
