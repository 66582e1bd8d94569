import { html, nothing, type TemplateResult } from 'lit';

export interface DialogAction {
  label: string;
  /** The action a press on Enter would take, styled as primary. */
  primary?: boolean;
  danger?: boolean;
  onPress: () => void;
}

export interface DialogInput {
  id: string;
  title: string;
  body?: TemplateResult | string;
  /** An optional text field (the title asked by "Save as new"). */
  field?: { label: string; value: string; onInput: (value: string) => void };
  actions: DialogAction[];
  onDismiss: () => void;
}

/**
 * A small modal question inside the element (not `window.confirm`, which a host page in an iframe
 * may block and which cannot be styled): a title, a sentence, optional text field, and buttons.
 */
export function dialogView(input: DialogInput): TemplateResult {
  return html`<div class="dialog-backdrop" @click=${input.onDismiss}></div>
    <div class="dialog" part="dialog" role="alertdialog" aria-modal="true" aria-labelledby=${`${input.id}-title`} data-dialog=${input.id}
      @keydown=${(e: KeyboardEvent) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          input.onDismiss();
        }
      }}>
      <h3 id=${`${input.id}-title`}>${input.title}</h3>
      ${input.body ? html`<p>${input.body}</p>` : nothing}
      ${input.field
        ? html`<label class="field">${input.field.label}
            <input type="text" name="dialog-field" maxlength="200" .value=${input.field.value} @input=${(e: Event) => input.field?.onInput((e.target as HTMLInputElement).value)} />
          </label>`
        : nothing}
      <div class="dialog-actions">
        ${input.actions.map(
          (a) => html`<button type="button" class=${a.primary ? (a.danger ? 'primary danger' : 'primary') : ''} @click=${a.onPress}>${a.label}</button>`,
        )}
      </div>
    </div>`;
}
