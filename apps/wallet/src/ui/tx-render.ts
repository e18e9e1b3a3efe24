/**
 * @module ui/tx-render — lays out a TxView (tx-view.ts): warnings as a list the screen
 * reader reaches first, then one definition list per section (the headline first, the
 * host's claim last and marked as such); and a signData PayloadView (payload-view.ts).
 * Everything is set as text (ui/dom.ts), never as markup.
 */
import type { PayloadView } from '../payload-view.ts';
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
    const cls = s.kind ? `tx-section tx-${s.kind}` : 'tx-section';
    out.append(
      h(
        'section',
        { class: cls, 'data-kind': s.kind ?? null },
        h('h2', null, s.title),
        s.note ? h('p', { class: 'note' }, s.note) : null,
        dl,
      ),
    );
  }
  return out;
}

/**
 * The signData payload as a definition list: the text, or the hex with a warning and the
 * text with its hidden characters written out.
 */
export function renderPayloadView(payload: PayloadView): HTMLElement {
  if (payload.kind === 'text') {
    return h(
      'dl',
      { class: 'kv payload-view' },
      h('dt', null, 'Message'),
      h('dd', null, h('pre', { class: 'payload' }, payload.text)),
    );
  }
  return h(
    'div',
    { class: 'payload-view' },
    h('p', { class: 'notice', role: 'note' }, payload.warning),
    h(
      'dl',
      { class: 'kv' },
      h('dt', null, 'Message (shown as hex)'),
      h('dd', null, h('pre', { class: 'payload mono' }, payload.hex)),
      h('dt', null, 'As text, hidden characters written out'),
      h('dd', null, h('pre', { class: 'payload' }, payload.visible || '(empty)')),
    ),
  );
}
