/**
 * @module popup-opener — the frame's side of the wallet popup window (popup-link.ts),
 * shared by approvals (flows/approve.ts) and the manage screens that show or destroy
 * secrets (flows/manage.ts: export, delete). It builds the frame's screen, whose button
 * opens `approve.html#<nonce>` from the user's click (a fresh nonce per window), answers
 * the popup's `ready` with the request, passes its answers on, notices a blocked or
 * closed window, and tears everything down (listener, poll, window) in one place.
 */
import {
  envelope,
  newNonce,
  type PopupRequest,
  popupUrl,
  readToIframe,
  type ToIframe,
  type ToPopup,
} from './popup-link.ts';
import type { Child } from './ui/dom.ts';
import { Screen } from './ui/screen.ts';

export interface PopupLink {
  /** The frame's screen (progress and errors are shown there too). */
  readonly screen: Screen;
  /** Posts to the open popup only: its window, the wallet origin, this window's nonce. */
  post(m: ToPopup): void;
  /**
   * While true (the frame is working on an answer), a closed window is not reported and
   * the popup's `cancel` is not passed on: the work finishes and reports to the frame.
   */
  hold: boolean;
  /** Stops listening and polling and closes the popup. */
  stop(): void;
}

export interface PopupOptions {
  title: string;
  network: string;
  /** The frame's body: what is asked and why it happens in a separate window. */
  body: Child[];
  cancelLabel: string;
  request: PopupRequest;
  /** Shown in the frame while the popup is open: "Review and answer in the wallet window." */
  waitText: string;
  /** Shown in the frame when the window was closed before an answer. */
  closedText: string;
  /** Shown when the browser blocked the window. */
  blockedText: string;
  /** The frame's own cancel (its button, ×, Escape). */
  onFrameCancel(): void;
  /** The popup's answer (approve or cancel); not called while `hold`. */
  onAnswer(m: Exclude<ToIframe, { type: 'ready' }>, link: PopupLink): void;
  /** The window closed while not on `hold`; the default shows `closedText`. */
  onClosed?(link: PopupLink): boolean;
}

/** The frame screen that opens the wallet window, and the link to it. */
export function popupLink(o: PopupOptions): PopupLink {
  let popup: Window | null = null;
  let nonce = '';
  let poll: ReturnType<typeof setInterval> | undefined;
  const onMessage = (e: MessageEvent) => {
    if (!popup) return;
    const m = readToIframe(e, popup, nonce);
    if (!m) return;
    if (m.type === 'ready') {
      link.post({ type: 'request', request: o.request });
      link.screen.progress(o.waitText);
      return;
    }
    if (link.hold) return;
    o.onAnswer(m, link);
  };
  const screen = new Screen({
    title: o.title,
    network: o.network,
    stickyActions: true,
    body: o.body,
    submitLabel: 'Open the wallet window',
    cancelLabel: o.cancelLabel,
    initialFocus: 'heading',
    onCancel: () => o.onFrameCancel(),
    onSubmit: (scr) => {
      if (popup && !popup.closed) {
        popup.focus();
        return;
      }
      nonce = newNonce();
      // From the user's click (transient activation); a named target could be found
      // and navigated by the host, so none is given.
      popup = window.open(popupUrl(nonce), '_blank', 'popup,width=480,height=760');
      if (!popup) {
        scr.error(o.blockedText);
        return;
      }
      scr.progress('Opening the wallet window…');
      if (poll !== undefined) clearInterval(poll);
      poll = setInterval(() => {
        if (!popup?.closed || link.hold) return;
        clearInterval(poll);
        poll = undefined;
        popup = null;
        if (o.onClosed?.(link)) return;
        scr.busy(false);
        scr.error(o.closedText);
      }, 300);
    },
  });
  const link: PopupLink = {
    screen,
    hold: false,
    post: (m) => popup?.postMessage(envelope(nonce, m), location.origin),
    stop: () => {
      removeEventListener('message', onMessage);
      if (poll !== undefined) clearInterval(poll);
      poll = undefined;
      if (popup && !popup.closed) popup.close();
      popup = null;
    },
  };
  addEventListener('message', onMessage);
  return link;
}
