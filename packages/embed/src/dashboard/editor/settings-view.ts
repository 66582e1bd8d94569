import { html, type TemplateResult } from 'lit';
import type { DashboardDefinition } from '@perch/protocol';
import { DATE_RANGE_PRESETS } from '../date-presets.js';
import type { Catalog, CatalogMember } from './editor-client.js';

export interface SettingsInput {
  draft: DashboardDefinition;
  catalog: Catalog;
  onChange: (draft: DashboardDefinition) => void;
}

/**
 * Members the dashboard's filters may use: those of the datasets its tiles query. A dashboard
 * filter applies to every tile, so a member of another dataset would filter nothing.
 */
function filterMembers(draft: DashboardDefinition, catalog: Catalog): { times: CatalogMember[]; dimensions: CatalogMember[] } {
  const used = new Set(draft.charts.map((c) => c.query.dataset));
  const seen = new Set<string>();
  const times: CatalogMember[] = [];
  const dimensions: CatalogMember[] = [];
  for (const dataset of catalog.datasets) {
    if (!used.has(dataset.name)) continue;
    for (const member of dataset.members) {
      if (member.kind !== 'dimension' || seen.has(member.name)) continue;
      seen.add(member.name);
      (member.type === 'time' ? times : dimensions).push(member);
    }
  }
  return { times, dimensions };
}

/** The dashboard's own settings: title, description, the date-range member and its default, the pickers. */
export function settingsView({ draft, catalog, onChange }: SettingsInput): TemplateResult {
  const { times, dimensions } = filterMembers(draft, catalog);
  const filters = draft.filters ?? { pickers: [] };
  const range = filters.dateRange;
  const rangeDefault = typeof range?.default === 'string' ? range.default : '';
  const setFilters = (next: Partial<NonNullable<DashboardDefinition['filters']>>) => onChange({ ...draft, filters: { ...filters, ...next } });
  return html`<section class="settings" part="settings" aria-labelledby="settings-heading">
    <h3 id="settings-heading" class="visually-hidden">Dashboard settings</h3>
    <div class="settings-row">
      <label class="field grow">Title
        <input name="dashboard-title" type="text" maxlength="200" required .value=${draft.title} @input=${(e: Event) => onChange({ ...draft, title: (e.target as HTMLInputElement).value })} />
      </label>
      <label class="field grow">Description
        <input name="dashboard-description" type="text" maxlength="2000" .value=${draft.description ?? ''} @input=${(e: Event) => {
          const { description: _old, ...rest } = draft;
          const text = (e.target as HTMLInputElement).value;
          onChange(text ? { ...rest, description: text } : rest);
        }} />
      </label>
    </div>
    <div class="settings-row">
      <label class="field">Date range filter
        <select name="date-range-member" ?disabled=${times.length === 0} @change=${(e: Event) => {
          const member = (e.target as HTMLSelectElement).value;
          const { dateRange: _old, ...rest } = filters;
          onChange({ ...draft, filters: member ? { ...rest, dateRange: { member, ...(rangeDefault ? { default: rangeDefault } : {}) } } : rest });
        }}>
          <option value="" ?selected=${!range}>None</option>
          ${times.map((m) => html`<option value=${m.name} ?selected=${range?.member === m.name}>${m.title}</option>`)}
        </select>
      </label>
      <label class="field">Opens on
        <select name="date-range-default" ?disabled=${!range} @change=${(e: Event) => {
          if (!range) return;
          const value = (e.target as HTMLSelectElement).value;
          setFilters({ dateRange: value ? { member: range.member, default: value } : { member: range.member } });
        }}>
          ${DATE_RANGE_PRESETS.map((p) => html`<option value=${p.value} ?selected=${p.value === rangeDefault}>${p.label}</option>`)}
        </select>
      </label>
      <div class="field pickers-field">Pickers
        <details class="pickers-edit" part="pickers-edit">
          <summary><span class="visually-hidden">Pickers: </span>${filters.pickers.length ? filters.pickers.map((p) => p.title ?? p.member).join(', ') : dimensions.length ? 'None' : 'Add a tile first'}</summary>
          <div class="picker-options" role="group" aria-label="Dimensions offered as pickers">
            ${dimensions.map(
              (m) => html`<label class="check"><input type="checkbox" name="picker" value=${m.name} .checked=${filters.pickers.some((p) => p.member === m.name)} @change=${(e: Event) => {
                const on = (e.target as HTMLInputElement).checked;
                const rest = filters.pickers.filter((p) => p.member !== m.name);
                setFilters({ pickers: on ? [...rest, { member: m.name, title: m.title }] : rest });
              }} />${m.title}</label>`,
            )}
          </div>
        </details>
      </div>
    </div>
  </section>`;
}
