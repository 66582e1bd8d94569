import { html, nothing, type TemplateResult } from 'lit';

export interface PickerViewInput {
  member: string;
  title: string;
  /** The values Perch's RLS-filtered values route returned for this member. */
  options: ReadonlyArray<string | number>;
  selected: ReadonlyArray<string | number>;
  /** The text typed in the picker's search box. */
  search: string;
  onSearch: (text: string) => void;
  onChange: (values: Array<string | number>) => void;
}

/** At most this many values are listed at once; the search box narrows longer lists. */
const SHOWN = 200;

/**
 * A multi-select picker: a disclosure button naming the selection, a search box, and one
 * checkbox per value. Values are the ones the values route returned (already under RLS), sent
 * back with their original type; every value is rendered as text.
 */
export function pickerView({ member, title, options, selected, search, onSearch, onChange }: PickerViewInput): TemplateResult {
  const chosen = new Set(selected.map(String));
  const needle = search.trim().toLocaleLowerCase();
  const matching = needle === '' ? options : options.filter((v) => String(v).toLocaleLowerCase().includes(needle));
  const summary = selected.length === 0 ? 'All' : selected.length === 1 ? String(selected[0]) : `${selected.length} selected`;
  const toggle = (value: string | number, on: boolean) => {
    const next = options.filter((v) => (String(v) === String(value) ? on : chosen.has(String(v))));
    onChange(next);
  };
  return html`<div class="picker" part="filter" data-member=${member}>
    <span class="picker-label" id=${`picker-${member}`}>${title}</span>
    <details>
      <summary aria-labelledby=${`picker-${member} picker-${member}-value`}><span id=${`picker-${member}-value`}>${summary}</span></summary>
      <div class="picker-panel" role="group" aria-label=${title}>
        <input type="search" name=${`search-${member}`} placeholder="Search" aria-label=${`Search ${title}`} .value=${search} @input=${(e: Event) => onSearch((e.target as HTMLInputElement).value)} />
        <ul>
          ${matching.slice(0, SHOWN).map(
            (value) => html`<li>
              <label><input type="checkbox" name=${member} .value=${String(value)} .checked=${chosen.has(String(value))} @change=${(e: Event) => toggle(value, (e.target as HTMLInputElement).checked)} />${String(value)}</label>
            </li>`,
          )}
        </ul>
        ${matching.length === 0 ? html`<p class="picker-note">No value matches.</p>` : nothing}
        ${matching.length > SHOWN ? html`<p class="picker-note">Showing ${SHOWN} of ${matching.length}; type to narrow.</p>` : nothing}
        ${selected.length > 0 ? html`<button type="button" class="link" @click=${() => onChange([])}>Clear</button>` : nothing}
      </div>
    </details>
  </div>`;
}
