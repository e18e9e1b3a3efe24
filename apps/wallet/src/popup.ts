/**
 * @module popup — boot of `approve.html`, the wallet's own top-level approval window
 * (popup-link.ts). It shows the screen the iframe sent (an approval, the recovery-phrase
 * export, or the wallet's deletion), with the same review gate as the frame
 * (visibility.ts; here "visible" means shown and focused, since a host page cannot
 * overlay another window), and returns approve (+ password, + the typed confirmation) or
 * cancel to its opener. For an export it then shows the words the iframe sent, and
 * removes them from its DOM when closed. It never signs, stores nothing and talks to
 * nobody but its opener.
 */
import {
  envelope,
  isNonce,
  type PopupKind,
  type PopupRequest,
  readToPopup,
  type ToIframe,
} from './popup-link.ts';
import { STORE_HASH } from './storage-link.ts';
import { bootStorageWindow } from './storage-window.ts';
import { h } from './ui/dom.ts';
import { checkbox, passwordField, textField } from './ui/fields.ts';
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
  let fields: { password?: HTMLInputElement; confirm?: HTMLInputElement } = {};
  let answered = false;
  let kind: PopupKind | undefined;
  /** The recovery phrase while shown (export): emptied and removed from the DOM on close. */
  let words: string[] | undefined;
  const wipeWords = () => {
    if (!words) return;
    words.fill('');
    words = undefined;
    view.clear();
  };
  addEventListener('message', (e) => {
    const m = readToPopup(e, opener, nonce);
    if (!m) return;
    if (m.type === 'request' && !screen) {
      const shown = show(view, m.request);
      screen = shown.screen;
      kind = m.request.kind;
      fields = shown.fields;
    } else if (m.type === 'progress') screen?.progress(m.text);
    else if (m.type === 'retry' && screen) {
      answered = false;
      screen.busy(false);
      const field = m.field ? fields[m.field] : undefined;
      screen.error(m.error, field);
      (field ?? fields.password)?.select();
    } else if (m.type === 'words' && screen && kind === 'export' && answered && !words) {
      // Only after this window's own request (export) and an answer sent from it.
      answered = false;
      screen = undefined;
      words = m.words;
      showWords(view, words);
    } else if (m.type === 'done') {
      answered = true;
      wipeWords();
      view.message('Done', h('p', null, 'You can close this window.'));
      setTimeout(() => window.close(), 300);
    }
  });
  addEventListener('pagehide', () => {
    wipeWords();
    if (!answered) post({ type: 'cancel' });
  });
  post({ type: 'ready' });

  /** The recovery phrase, top-level: no host page can draw over this window. */
  function showWords(v: View, list: readonly string[]): void {
    const close = () => {
      answered = true;
      wipeWords();
      // After the words, `cancel` tells the frame the user is finished.
      post({ type: 'cancel' });
      v.message('Closed', h('p', null, 'The words are gone from this window. It closes now.'));
      setTimeout(() => window.close(), 300);
    };
    v.show(
      new Screen({
        title: 'Your recovery phrase',
        body: [
          h('p', null, 'Write these words down in order. Close this window when you are done.'),
          h('ol', { class: 'words' }, ...list.map((w) => h('li', null, w))),
        ],
        submitLabel: 'I have written them down — close',
        cancelLabel: 'Close',
        initialFocus: 'heading',
        onCancel: close,
        onSubmit: close,
      }),
    );
  }

  function show(
    v: View,
    r: PopupRequest,
  ): { screen: Screen; fields: { password?: HTMLInputElement; confirm?: HTMLInputElement } } {
    const pw = passwordField('Password', 'current-password');
    const stay = checkbox('Stay unlocked for 5 minutes (on this page only)');
    const confirm = r.confirmWord ? textField(`Type ${r.confirmWord} to confirm`) : undefined;
    const text = KIND_TEXT[r.kind];
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
      fields: [
        ...(r.password ? [pw.wrap, ...(r.stay ? [stay.wrap] : [])] : []),
        ...(confirm ? [confirm.wrap] : []),
      ],
      submitLabel: r.approveLabel,
      cancelLabel: r.cancelLabel,
      danger: r.danger === true,
      onCancel: () => {
        answered = true;
        post({ type: 'cancel' });
        view.message(text.cancelled, h('p', null, text.nothing));
        setTimeout(() => window.close(), 300);
      },
      onSubmit: (scr) => {
        if (!gate.take()) {
          scr.error(text.again);
          return;
        }
        const problems: [{ problems(l: string[]): void; input: HTMLInputElement }, string[]][] = [];
        if (r.password) problems.push([pw, pw.input.value === '' ? ['Type your password.'] : []]);
        if (confirm && r.confirmWord) {
          const ok = confirm.input.value.trim() === r.confirmWord;
          problems.push([confirm, ok ? [] : [`Type ${r.confirmWord} in capitals.`]]);
        }
        let first: HTMLInputElement | undefined;
        for (const [f, list] of problems) {
          f.problems(list);
          if (list.length && !first) first = f.input;
        }
        if (first) {
          first.focus();
          return;
        }
        answered = true;
        scr.busy(true);
        scr.progress(text.working);
        post({
          type: 'approve',
          password: r.password ? pw.input.value : '',
          stay: r.stay && stay.input.checked,
          ...(confirm ? { confirm: confirm.input.value } : {}),
        });
        pw.input.value = '';
      },
    });
    s.allowSubmit(false);
    feedInput(gate);
    watchWindowVisibility((on) => gate.setVisible(on));
    return {
      screen: v.show(s),
      fields: { password: pw.input, ...(confirm ? { confirm: confirm.input } : {}) },
    };
  }
}

/** What the popup says per kind of request. */
const KIND_TEXT: Record<
  PopupKind,
  { cancelled: string; nothing: string; again: string; working: string }
> = {
  sign: {
    cancelled: 'Rejected',
    nothing: 'Nothing was signed. This window closes.',
    again: 'Press the button again to approve.',
    working: 'Signing in the wallet…',
  },
  export: {
    cancelled: 'Cancelled',
    nothing: 'Nothing was shown. This window closes.',
    again: 'Press the button again to continue.',
    working: 'Unlocking in the wallet…',
  },
  delete: {
    cancelled: 'Cancelled',
    nothing: 'Nothing was deleted. This window closes.',
    again: 'Press the button again to delete.',
    working: 'Deleting in the wallet…',
  },
};

boot();
