/**
 * @module ui/dom — a tiny typed element builder. Text is always set as text (never
 * innerHTML), so nothing the host or the vault sends can become markup.
 */
export type Child = Node | string | null | undefined | false;

export type Props = {
  [attr: string]: string | number | boolean | null | undefined | EventListener;
};

/**
 * Creates an element. `on*` props are event listeners; booleans toggle attributes;
 * everything else is set with setAttribute.
 *
 * @example
 * h('button', { type: 'submit', class: 'primary' }, 'Approve')
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) {
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith('on') && typeof value === 'function') {
        el.addEventListener(key.slice(2).toLowerCase(), value as EventListener);
      } else if (value === true) {
        el.setAttribute(key, '');
      } else {
        el.setAttribute(key, String(value));
      }
    }
  }
  append(el, ...children);
  return el;
}

/** Appends children (strings become text nodes; falsy ones are skipped). */
export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

let seq = 0;
/** A document-unique id for label/aria wiring. */
export function uid(prefix: string): string {
  seq += 1;
  return `${prefix}-${seq}`;
}

/** Removes every child (and so every text node) of `el`. */
export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}
