import { html, nothing, type TemplateResult } from 'lit';
import type { DashboardDefinition, DashboardFilters } from '../types.js';
import { dateRangeOptions } from './date-presets.js';

export interface FiltersViewInput {
  definition: DashboardDefinition;
  filters: DashboardFilters;
  pickerOptions: ReadonlyMap<string, ReadonlyArray<string | number>>;
  onChange: (filters: DashboardFilters) => void;
}

/** The filter bar: the date range presets and one picker per model-declared member. */
export function filtersView({ definition, filters, pickerOptions, onChange }: FiltersViewInput): TemplateResult | typeof nothing {
  const { dateRange, pickers } = definition.filters;
  if (!dateRange && pickers.length === 0) return nothing;
  const presetDefault = typeof dateRange?.default === 'string' ? dateRange.default : undefined;
  const current = typeof filters.dateRange === 'string' ? filters.dateRange : '';
  const onDateRange = (event: Event) => {
    const value = (event.target as HTMLSelectElement).value;
    onChange({ ...filters, dateRange: value === '' ? null : value });
  };
  const onPicker = (member: string, event: Event) => {
    const raw = (event.target as HTMLSelectElement).value;
    // Send the option's original type back (numbers stay numbers).
    const picked = (pickerOptions.get(member) ?? []).find((o) => String(o) === raw);
    const values = { ...(filters.values ?? {}) };
    if (raw === '' || picked === undefined) delete values[member];
    else values[member] = [picked];
    onChange({ ...filters, values });
  };
  return html`<form class="filters" part="filters" aria-label="Dashboard filters" @submit=${(e: Event) => e.preventDefault()}>
    ${dateRange
      ? html`<label part="filter"
          >Date range
          <select name="dateRange" @change=${onDateRange}>
            ${dateRangeOptions(presetDefault).map((o) => html`<option value=${o.value} ?selected=${current === o.value}>${o.label}</option>`)}
          </select></label
        >`
      : nothing}
    ${pickers.map((picker) => {
      const selected = filters.values?.[picker.member]?.[0];
      return html`<label part="filter"
        >${picker.title}
        <select name=${picker.member} @change=${(e: Event) => onPicker(picker.member, e)}>
          <option value="" ?selected=${selected === undefined}>All</option>
          ${(pickerOptions.get(picker.member) ?? []).map(
            (v) => html`<option value=${String(v)} ?selected=${selected !== undefined && String(selected) === String(v)}>${String(v)}</option>`,
          )}
        </select></label
      >`;
    })}
  </form>`;
}
