import { html, nothing, type TemplateResult } from 'lit';
import type { ChartDefinition, CrossFilter, DrillStep } from '../types.js';
import { crossFilterLabel } from './cross-filter-view.js';

type DrillLevel = NonNullable<ChartDefinition['drill']>[number];

/** The next level a tile drills to from where it is, if any. */
export function nextDrillLevel(chart: ChartDefinition, steps: readonly DrillStep[] | undefined): DrillLevel | undefined {
  return chart.drill?.[steps?.length ?? 0];
}

/**
 * The chart as it is drawn at its drill level: grouped by the level's dimension, or bucketed at
 * the level's granularity, so labels, formats and clicks follow the drilled result.
 */
export function drilledChart(chart: ChartDefinition, steps: readonly DrillStep[] | undefined): ChartDefinition {
  const depth = steps?.length ?? 0;
  const level = depth > 0 ? chart.drill?.[depth - 1] : undefined;
  if (!level) return chart;
  const query = { ...chart.query };
  if (level.granularity && query.timeDimension) query.timeDimension = { ...query.timeDimension, granularity: level.granularity };
  else {
    const own = chart.query.dimensions?.[0];
    const from = depth > 1 ? chart.drill?.[depth - 2]?.member : own;
    query.dimensions = (chart.query.dimensions ?? []).map((d) => (d === own || d === from ? level.member : d));
  }
  return { ...chart, query };
}

/** The title of a tile's own level (its first crumb): its time member's or its first dimension's. */
function ownLevelTitle(chart: ChartDefinition): string {
  const member = chart.query.timeDimension?.member ?? chart.query.dimensions?.[0] ?? '';
  return chart.members?.[member]?.title ?? member;
}

/** A step as the crumb shows it: the clicked value, a time bucket in its granularity's words. */
function stepLabel(step: DrillStep, locale: string | undefined): string {
  return crossFilterLabel({ member: step.member, value: step.value, ...(step.granularity ? { granularity: step.granularity } : {}) }, locale);
}

/**
 * The breadcrumb of a drilled tile: "Region › EMEA › …", each earlier crumb a button back to that
 * level, the last one the level shown (`aria-current`). Nothing when the tile is not drilled.
 */
export function breadcrumbView(chart: ChartDefinition, steps: readonly DrillStep[] | undefined, locale: string | undefined, onBack: (depth: number) => void): TemplateResult | typeof nothing {
  if (!steps || steps.length === 0) return nothing;
  const level = chart.drill?.[steps.length - 1];
  return html`<nav class="breadcrumb" part="breadcrumb" aria-label=${`${chart.title}: drill-down path`}>
    <ol>
      <li><button type="button" class="link crumb" aria-label=${`Back to every ${ownLevelTitle(chart)}`} @click=${() => onBack(0)}>${ownLevelTitle(chart)}</button></li>
      ${steps.map((step, index) =>
        index === steps.length - 1
          ? html`<li aria-current="location"><span class="crumb-current">${stepLabel(step, locale)}</span>${level ? html` <span class="crumb-level">by ${level.title}</span>` : nothing}</li>`
          : html`<li><button type="button" class="link crumb" @click=${() => onBack(index + 1)}>${stepLabel(step, locale)}</button></li>`,
      )}
    </ol>
  </nav>`;
}

/** What a click on a value in a drillable tile can do. */
export interface ValueMenu {
  chart: string;
  filter: CrossFilter;
  /** The level a drill would go to; undefined when the tile is at its last level. */
  level: DrillLevel | undefined;
  /** Whether "View rows" is offered (explorers and above). */
  rows: boolean;
  /** Viewport coordinates of the click. */
  x: number;
  y: number;
}

/**
 * The small menu a click on a value opens where there is more than one thing to do: filter the
 * other tiles by the value, drill into it, or (explorers and above) view the rows behind it. Buttons, so Tab, Enter and Escape work; the first takes focus.
 */
export function valueMenuView(menu: ValueMenu, label: string, on: { filter: () => void; drill: () => void; rows: () => void; close: () => void }): TemplateResult {
  const onKeydown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      on.close();
    }
  };
  // Kept inside the window: a click near the right edge (or on a phone) opens it leftwards.
  const left = Math.max(8, Math.min(menu.x, window.innerWidth - 16 * 14));
  const top = Math.max(8, Math.min(menu.y, window.innerHeight - 120));
  return html`<div class="value-menu" part="value-menu" role="menu" aria-label=${label} style=${`left:${Math.round(left)}px;top:${Math.round(top)}px`} @keydown=${onKeydown}>
    <p class="value-menu-title">${label}</p>
    <button type="button" role="menuitem" class="menu-filter" @click=${on.filter}>Filter dashboard</button>
    ${menu.level ? html`<button type="button" role="menuitem" class="menu-drill" @click=${on.drill}>Drill down to ${menu.level.title}</button>` : nothing}
    ${menu.rows ? html`<button type="button" role="menuitem" class="menu-rows" @click=${on.rows}>View rows</button>` : nothing}
  </div>`;
}
