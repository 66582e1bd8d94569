import { html, nothing, type TemplateResult } from 'lit';
import type { DashboardDefinition, DashboardFilters } from '../types.js';
import { dateRangeOptions } from './date-presets.js';
import { pickerView } from './picker-view.js';

export interface FiltersViewInput {
  definition: DashboardDefinition;
  filters: DashboardFilters;
  pickerOptions: ReadonlyMap<string, ReadonlyArray<string | number>>;
  /** The search text of each picker. */
  pickerSearch: ReadonlyMap<string, string>;
  onPickerSearch: (member: string, text: string) => void;
  onChange: (filters: DashboardFilters) => void;
}

/** The select's value while a custom range (two dates) is active; never sent to Perch. */
const CUSTOM = '__custom';

/** The filter bar: the date range presets, a custom from/to range, and one picker per model-declared member. */
export function filtersView({ definition, filters, pickerOptions, pickerSearch, onPickerSearch, onChange }: FiltersViewInput): TemplateResult | typeof nothing {
  const { dateRange, pickers } = definition.filters;
  if (!dateRange && pickers.length === 0) return nothing;
  const presetDefault = typeof dateRange?.default === 'string' ? dateRange.default : undefined;
  const custom = Array.isArray(filters.dateRange) ? filters.dateRange : undefined;
  const current = typeof filters.dateRange === 'string' ? filters.dateRange : custom ? CUSTOM : '';
  const onDateRange = (event: Event) => {
    const value = (event.target as HTMLSelectElement).value;
    if (value === CUSTOM) return;
    onChange({ ...filters, dateRange: value === '' ? null : value });
  };
  // A custom range applies once both dates are set and in order; the dates are inclusive (Perch
  // reads a date-only end as the whole of that day).
  const onCustomDate = (event: Event) => {
    const form = (event.target as HTMLInputElement).form;
    const from = form?.querySelector<HTMLInputElement>('input[name="dateFrom"]');
    const to = form?.querySelector<HTMLInputElement>('input[name="dateTo"]');
    if (!from || !to) return;
    const ordered = from.value === '' || to.value === '' || from.value <= to.value;
    to.setAttribute('aria-invalid', ordered ? 'false' : 'true');
    to.setCustomValidity(ordered ? '' : 'The end date must not be before the start date.');
    if (from.value !== '' && to.value !== '' && ordered) onChange({ ...filters, dateRange: [from.value, to.value] });
  };
  return html`<form class="filters" part="filters" aria-label="Dashboard filters" @submit=${(e: Event) => e.preventDefault()}>
    ${dateRange
      ? html`<label part="filter"
          >Date range
          <select name="dateRange" @change=${onDateRange}>
            ${dateRangeOptions(presetDefault).map((o) => html`<option value=${o.value} ?selected=${current === o.value}>${o.label}</option>`)}
            ${custom ? html`<option value=${CUSTOM} selected disabled>Custom range</option>` : nothing}
          </select></label
        >
        <label part="filter" class="date"
          >From <input type="date" name="dateFrom" .value=${custom?.[0]?.slice(0, 10) ?? ''} max=${custom?.[1]?.slice(0, 10) ?? nothing} @change=${onCustomDate}
        /></label>
        <label part="filter" class="date"
          >To <input type="date" name="dateTo" .value=${custom?.[1]?.slice(0, 10) ?? ''} min=${custom?.[0]?.slice(0, 10) ?? nothing} @change=${onCustomDate}
        /></label>`
      : nothing}
    ${pickers.map((picker) =>
      pickerView({
        member: picker.member,
        title: picker.title,
        options: pickerOptions.get(picker.member) ?? [],
        selected: filters.values?.[picker.member] ?? [],
        search: pickerSearch.get(picker.member) ?? '',
        onSearch: (text) => onPickerSearch(picker.member, text),
        onChange: (chosen) => {
          const values = { ...(filters.values ?? {}) };
          if (chosen.length === 0) delete values[picker.member];
          else values[picker.member] = chosen;
          onChange({ ...filters, values });
        },
      }),
    )}
  </form>`;
}
