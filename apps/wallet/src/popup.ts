/**
 * @module popup — boot of `approve.html`, the wallet's own top-level approval window
 * (popup-link.ts). It shows the approval screen the iframe sent, with the same review
 * gate as the frame (visibility.ts; here "visible" means shown and focused, since a
 * host page cannot overlay another window), and returns approve (+ password) or cancel
 * to its opener. It never signs, stores nothing and talks to nobody but its opener.
 */
import { envelope, isNonce, type PopupRequest, readToPopup, type ToIframe } from './popup-link.ts';
import { STORE_HASH } from './storage-link.ts';
import { bootStorageWindow } from './storage-window.ts';
import { h } from './ui/dom.ts';
import { checkbox, passwordField } from './ui/fields.ts';
import { Screen, View } from './ui/screen.ts';
import { rebuild } from './ui/snapshot.ts';
import { feedInput, ReviewGate, watchWindowVisibility } from './visibility.ts';
import './style.css';

function boot(): void {
  const root = document.getElementById('app');
  if (!root) return;
  const view = new View(root);
  const opener = window.opener as Window | null;
  // `#store-<nonce>`: the storage window for an iframe whose storage is blocked.
  const storeMode = location.hash.startsWith(`#${STORE_HASH}`);
  const nonce = location.hash.slice(storeMode ? STORE_HASH.length + 1 : 1);
  if (!isNonce(nonce) || !opener || window.top !== window) {
    view.message(
      'Trine wallet',
      h('p', null, 'This window opens from the wallet inside an app. Close it and start again.'),
    );
    return;
  }
  // Drop the nonce from the address bar (it stays in memory).
  history.replaceState(null, '', location.pathname);
  if (storeMode) {
    bootStorageWindow(view, nonce, opener);
    return;
  }
  const post = (m: ToIframe) => opener.postMessage(envelope(nonce, m), location.origin);
  let screen: Screen | undefined;
  let pwInput: HTMLInputElement | undefined;
  let answered = false;
  addEventListener('message', (e) => {
    const m = readToPopup(e, opener, nonce);
    if (!m) return;
    if (m.type === 'request' && !screen) screen = show(view, m.request);
    else if (m.type === 'progress') screen?.progress(m.text);
    else if (m.type === 'retry' && screen) {
      answered = false;
      screen.busy(false);
      screen.error(m.error);
      pwInput?.select();
    } else if (m.type === 'done') {
      answered = true;
      view.message('Done', h('p', null, 'You can close this window.'));
      setTimeout(() => window.close(), 300);
    }
  });
  addEventListener('pagehide', () => {
    if (!answered) post({ type: 'cancel' });
  });
  post({ type: 'ready' });

  function show(v: View, r: PopupRequest): Screen {
    const pw = passwordField('Password', 'current-password');
    pwInput = pw.input;
    const stay = checkbox('Stay unlocked for 5 minutes (on this page only)');
    const gate = new ReviewGate({ onChange: (on) => s.allowSubmit(on) });
    const s: Screen = new Screen({
      title: r.title,
      network: r.network,
      stickyActions: true,
      initialFocus: 'heading',
      body: [
        h(
          'p',
          { class: 'origin' },
          'Requested by ',
          h('strong', null, r.hostOrigin),
          ` for your ${r.network} wallet.`,
        ),
        ...rebuild(r.body),
      ],
      fields: r.password ? [pw.wrap, ...(r.stay ? [stay.wrap] : [])] : [],
      submitLabel: r.approveLabel,
      cancelLabel: r.cancelLabel,
      onCancel: () => {
        answered = true;
        post({ type: 'cancel' });
        view.message('Rejected', h('p', null, 'Nothing was signed. This window closes.'));
        setTimeout(() => window.close(), 300);
      },
      onSubmit: (scr) => {
        if (!gate.take()) {
          scr.error('Press the button again to approve.');
          return;
        }
        if (r.password && pw.input.value === '') {
          pw.problems(['Type your password.']);
          pw.input.focus();
          return;
        }
        pw.problems([]);
        answered = true;
        scr.busy(true);
        scr.progress('Signing in the wallet…');
        post({ type: 'approve', password: pw.input.value, stay: r.stay && stay.input.checked });
        pw.input.value = '';
      },
    });
    s.allowSubmit(false);
    feedInput(gate);
    watchWindowVisibility((on) => gate.setVisible(on));
    return v.show(s);
  }
}

boot();
