import { html, nothing, type TemplateResult } from 'lit';
import type { DashboardChartDefinition, DashboardChartType, Filter, FilterOperator, FilterValue, Granularity, MemberFilter, SemanticQueryInput } from '@perch/protocol';
import type { ChartPalette } from '../../charts/chart-options.js';
import type { Catalog, CatalogDataset, CatalogMember } from './editor-client.js';
import type { PreviewState } from './preview-controller.js';
import { previewStateView } from './result-view.js';

/* Kept here rather than imported from @perch/protocol at run time, which would pull zod into the page. */
const CHART_TYPES: ReadonlyArray<{ value: DashboardChartType; label: string }> = [
  { value: 'kpi', label: 'KPI' },
  { value: 'bar', label: 'Bar' },
  { value: 'line', label: 'Line' },
  { value: 'area', label: 'Area' },
  { value: 'pie', label: 'Pie' },
  { value: 'table', label: 'Table' },
];
const GRAINS: readonly Granularity[] = ['day', 'week', 'month', 'quarter', 'year'];
const OPERATORS: ReadonlyArray<{ value: FilterOperator; label: string; takesValue: boolean }> = [
  { value: 'equals', label: 'is', takesValue: true },
  { value: 'notEquals', label: 'is not', takesValue: true },
  { value: 'contains', label: 'contains', takesValue: true },
  { value: 'gt', label: 'greater than', takesValue: true },
  { value: 'gte', label: 'at least', takesValue: true },
  { value: 'lt', label: 'less than', takesValue: true },
  { value: 'lte', label: 'at most', takesValue: true },
  { value: 'set', label: 'has a value', takesValue: false },
  { value: 'notSet', label: 'is empty', takesValue: false },
];

export interface TileBuilderInput {
  chart: DashboardChartDefinition;
  /** True when the chart is already on the dashboard ("Update tile" rather than "Add tile"). */
  existing: boolean;
  catalog: Catalog;
  preview: PreviewState;
  palette: ChartPalette;
  locale: string | undefined;
  onChange: (chart: DashboardChartDefinition) => void;
  onApply: () => void;
  onClose: () => void;
}

/** Whether a draft chart can run: a dataset and at least one measure or dimension. */
export function runnableQuery(chart: DashboardChartDefinition): SemanticQueryInput | undefined {
  const q = chart.query;
  const members = (q.measures?.length ?? 0) + (q.dimensions?.length ?? 0) + (q.timeDimension ? 1 : 0);
  if (!q.dataset || members === 0) return undefined;
  // A filter whose value is still being typed is left out of the preview rather than refused.
  const filters = ((q.filters ?? []) as Filter[]).filter((f) => !('member' in f) || !operatorTakesValue(f.operator) || (f.values?.length ?? 0) > 0);
  return { ...q, filters };
}

function operatorTakesValue(operator: string): boolean {
  return OPERATORS.find((o) => o.value === operator)?.takesValue ?? true;
}

function toggled(list: readonly string[] | undefined, name: string, on: boolean): string[] {
  const rest = (list ?? []).filter((n) => n !== name);
  return on ? [...rest, name] : rest;
}

/** A typed value for the member: numbers for number members, text otherwise. */
function valueFor(member: CatalogMember | undefined, text: string): FilterValue[] {
  if (text.trim() === '') return [];
  if (member?.type === 'number' && Number.isFinite(Number(text))) return [Number(text)];
  return [text];
}

/**
 * The tile builder: dataset, then measures, dimensions or a time dimension with its grain, then
 * filters, the chart type and the title, with a live preview of the result. Only the catalog's
 * members are offered, so a member hidden from this maker by a member rule is never listed.
 */
export function tileBuilderView(input: TileBuilderInput): TemplateResult {
  const { chart, catalog, onChange } = input;
  const query = chart.query;
  const dataset = catalog.datasets.find((d) => d.name === query.dataset);
  const measures = dataset?.members.filter((m) => m.kind === 'measure') ?? [];
  const dimensions = dataset?.members.filter((m) => m.kind === 'dimension' && m.type !== 'time') ?? [];
  const times = dataset?.members.filter((m) => m.kind === 'dimension' && m.type === 'time') ?? [];
  const setQuery = (next: Partial<SemanticQueryInput>) => onChange({ ...chart, query: { ...query, ...next } });
  // The builder writes member filters only; an and/or group from a model chart is kept as it is.
  const all = (query.filters ?? []) as Filter[];
  const filters = all.filter((f): f is MemberFilter => 'member' in f);
  const groups = all.filter((f) => !('member' in f));
  const setFilter = (index: number, next: MemberFilter | undefined) => {
    const list = [...filters];
    if (next) list[index] = next;
    else list.splice(index, 1);
    setQuery({ filters: [...list, ...groups] });
  };
  const heading = input.existing ? 'Edit tile' : 'Add a tile';
  return html`<div class="sheet-backdrop" @click=${input.onClose}></div>
    <aside class="builder" part="builder" role="dialog" aria-modal="true" aria-labelledby="builder-heading"
      @keydown=${(e: KeyboardEvent) => {
        if (e.key !== 'Escape') return;
        e.stopPropagation();
        input.onClose();
      }}>
      <div class="builder-head">
        <h3 id="builder-heading">${heading}</h3>
        <button type="button" class="icon" aria-label="Close the tile builder" @click=${input.onClose}><span aria-hidden="true">✕</span></button>
      </div>
      <div class="builder-body">
        <div class="builder-form">
        <label class="field">Dataset
          <select name="dataset" @change=${(e: Event) => onChange({ ...chart, query: { dataset: (e.target as HTMLSelectElement).value, measures: [], dimensions: [], filters: [] } })}>
            <option value="" ?selected=${!dataset}>Choose a dataset</option>
            ${catalog.datasets.map((d) => html`<option value=${d.name} ?selected=${d.name === query.dataset}>${d.title}</option>`)}
          </select>
        </label>
        ${dataset ? memberFields(dataset, measures, dimensions, times, query, setQuery) : nothing}
        ${dataset ? filterFields(dataset, filters, setFilter, () => setQuery({ filters: [...filters, { member: dimensions[0]?.name ?? '', operator: 'equals', values: [] }, ...groups] })) : nothing}
        <fieldset class="types">
          <legend>Chart type</legend>
          ${CHART_TYPES.map(
            (t) => html`<label class="type"><input type="radio" name="chart-type" value=${t.value} .checked=${chart.type === t.value} @change=${() => onChange({ ...chart, type: t.value })} />${t.label}</label>`,
          )}
        </fieldset>
        <label class="field">Title
          <input name="tile-title" type="text" maxlength="200" .value=${chart.title ?? ''} @input=${(e: Event) => onChange({ ...chart, title: (e.target as HTMLInputElement).value })} />
        </label>
        </div>
        <section class="preview" part="preview" aria-label="Preview" aria-live="polite">
          <h4>Preview</h4>
          ${previewStateView(input.preview, chart, dataset, input.palette, input.locale, 'The preview appears once the tile has a dataset and a measure or dimension.')}
        </section>
      </div>
      <div class="builder-actions">
        <button type="button" class="primary" name="apply-tile" ?disabled=${!runnableQuery(chart) || !(chart.title ?? '').trim()} @click=${input.onApply}>${input.existing ? 'Update tile' : 'Add tile'}</button>
        <button type="button" @click=${input.onClose}>Cancel</button>
        ${!runnableQuery(chart) ? html`<p class="hint">Choose a dataset and at least one measure or dimension.</p>` : !(chart.title ?? '').trim() ? html`<p class="hint">Give the tile a title.</p>` : nothing}
      </div>
    </aside>`;
}

function memberFields(
  dataset: CatalogDataset,
  measures: CatalogMember[],
  dimensions: CatalogMember[],
  times: CatalogMember[],
  query: SemanticQueryInput,
  setQuery: (next: Partial<SemanticQueryInput>) => void,
): TemplateResult {
  const check = (kind: 'measures' | 'dimensions', m: CatalogMember) =>
    html`<label class="check"><input type="checkbox" name=${kind} value=${m.name} .checked=${(query[kind] ?? []).includes(m.name)} @change=${(e: Event) => setQuery({ [kind]: toggled(query[kind], m.name, (e.target as HTMLInputElement).checked) })} />${m.title}</label>`;
  const time = query.timeDimension;
  return html`<fieldset class="members">
      <legend>Measures</legend>
      ${measures.length ? measures.map((m) => check('measures', m)) : html`<p class="hint">${dataset.title} has no measures you can use.</p>`}
    </fieldset>
    <fieldset class="members">
      <legend>Dimensions</legend>
      ${dimensions.map((m) => check('dimensions', m))}
    </fieldset>
    ${times.length
      ? html`<div class="row">
          <label class="field">Time dimension
            <select name="time-dimension" @change=${(e: Event) => {
              const member = (e.target as HTMLSelectElement).value;
              setQuery({ timeDimension: member ? { member, granularity: time?.granularity ?? 'month' } : undefined });
            }}>
              <option value="" ?selected=${!time}>None</option>
              ${times.map((m) => html`<option value=${m.name} ?selected=${time?.member === m.name}>${m.title}</option>`)}
            </select>
          </label>
          <label class="field">Grain
            <select name="granularity" ?disabled=${!time} @change=${(e: Event) => time && setQuery({ timeDimension: { ...time, granularity: (e.target as HTMLSelectElement).value } })}>
              ${GRAINS.map((g) => html`<option value=${g} ?selected=${(time?.granularity ?? 'month') === g}>${g[0]!.toUpperCase() + g.slice(1)}</option>`)}
            </select>
          </label>
        </div>`
      : nothing}`;
}

function filterFields(dataset: CatalogDataset, filters: MemberFilter[], setFilter: (index: number, next: MemberFilter | undefined) => void, onAdd: () => void): TemplateResult {
  const members = dataset.members.filter((m) => m.kind === 'dimension' && m.type !== 'time');
  return html`<fieldset class="filters-edit">
    <legend>Filters</legend>
    ${filters.map((filter, index) => {
      const member = members.find((m) => m.name === filter.member);
      const takesValue = operatorTakesValue(filter.operator);
      return html`<div class="filter-row" data-index=${index}>
        <select aria-label=${`Filter ${index + 1} member`} @change=${(e: Event) => setFilter(index, { ...filter, member: (e.target as HTMLSelectElement).value })}>
          ${members.map((m) => html`<option value=${m.name} ?selected=${m.name === filter.member}>${m.title}</option>`)}
        </select>
        <select aria-label=${`Filter ${index + 1} operator`} @change=${(e: Event) => {
          const operator = (e.target as HTMLSelectElement).value as FilterOperator;
          setFilter(index, { member: filter.member, operator, ...(operatorTakesValue(operator) ? { values: filter.values ?? [] } : {}) });
        }}>
          ${OPERATORS.map((o) => html`<option value=${o.value} ?selected=${o.value === filter.operator}>${o.label}</option>`)}
        </select>
        ${takesValue
          ? html`<input type="text" aria-label=${`Filter ${index + 1} value`} .value=${String(filter.values?.[0] ?? '')} @input=${(e: Event) => setFilter(index, { ...filter, values: valueFor(member, (e.target as HTMLInputElement).value) })} />`
          : nothing}
        <button type="button" class="icon" aria-label=${`Remove filter ${index + 1}`} @click=${() => setFilter(index, undefined)}><span aria-hidden="true">✕</span></button>
      </div>`;
    })}
    <button type="button" name="add-filter" ?disabled=${members.length === 0} @click=${onAdd}>Add filter</button>
  </fieldset>`;
}

