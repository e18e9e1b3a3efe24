/**
 * @module ui/fields — labelled, described form fields (every input has a <label>, its
 * rule or hint is linked with aria-describedby, its problems are announced).
 */
import { SUGGESTED_QUESTIONS } from '../questions.ts';
import { h, uid } from './dom.ts';

export interface Field<T extends HTMLElement = HTMLInputElement> {
  wrap: HTMLElement;
  input: T;
  /** Shows problems under the field (empty list clears them) and marks it invalid. */
  problems(list: string[]): void;
}

function described<T extends HTMLElement>(input: T, labelText: string, hint?: string): Field<T> {
  const id = uid('f');
  input.id = id;
  const hintId = `${id}-hint`;
  const errId = `${id}-err`;
  const err = h('ul', { id: errId, class: 'field-problems', hidden: true });
  const ids = [hint ? hintId : '', errId].filter(Boolean).join(' ');
  input.setAttribute('aria-describedby', ids);
  const wrap = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, labelText),
    input,
    hint ? h('p', { id: hintId, class: 'hint' }, hint) : null,
    err,
  );
  return {
    wrap,
    input,
    problems(list) {
      err.replaceChildren(...list.map((p) => h('li', null, p)));
      err.hidden = list.length === 0;
      if (list.length) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    },
  };
}

/** A password input (`autocomplete` current-password or new-password). */
export function passwordField(
  label: string,
  autocomplete: 'current-password' | 'new-password',
  hint?: string,
): Field {
  const input = h('input', {
    type: 'password',
    autocomplete,
    required: true,
    spellcheck: 'false',
    maxlength: 1024,
  });
  return described(input, label, hint);
}

/** A one-line text input. Answers use autocomplete=off and no spellcheck/capitalisation. */
export function textField(label: string, hint?: string, secret = false): Field {
  const input = h('input', {
    type: 'text',
    autocomplete: 'off',
    autocapitalize: secret ? 'off' : undefined,
    spellcheck: secret ? 'false' : undefined,
    required: true,
    maxlength: 256,
  });
  return described(input, label, hint);
}

/** A checkbox with its label after it. */
export function checkbox(label: string): { wrap: HTMLElement; input: HTMLInputElement } {
  const id = uid('c');
  const input = h('input', { type: 'checkbox', id });
  return { wrap: h('div', { class: 'check' }, input, h('label', { for: id }, label)), input };
}

export const CUSTOM_QUESTION = '__custom__';

/**
 * The recovery question picker: a list of suggestions plus "Write my own question",
 * which reveals a text field. `value()` returns the chosen question text.
 */
export function questionPicker(): {
  wrap: HTMLElement;
  select: HTMLSelectElement;
  custom: Field;
  value(): string;
  problems(list: string[]): void;
} {
  const select = h(
    'select',
    { required: true },
    ...SUGGESTED_QUESTIONS.map((q) => h('option', { value: q }, q)),
    h('option', { value: CUSTOM_QUESTION }, 'Write my own question…'),
  );
  const field = described(select, 'Security question');
  const custom = textField('Your question');
  custom.wrap.hidden = true;
  custom.input.required = false;
  select.addEventListener('change', () => {
    const own = select.value === CUSTOM_QUESTION;
    custom.wrap.hidden = !own;
    custom.input.required = own;
    if (own) custom.input.focus();
  });
  return {
    wrap: h('div', null, field.wrap, custom.wrap),
    select,
    custom,
    value: () => (select.value === CUSTOM_QUESTION ? custom.input.value.trim() : select.value),
    problems(list) {
      if (select.value === CUSTOM_QUESTION) custom.problems(list);
      else field.problems(list);
    },
  };
}
