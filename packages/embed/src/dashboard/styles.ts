import { css } from 'lit';
import { themeTokens } from '../theme.js';

const layout = css`
  :host {
    display: block;
    container-type: inline-size;
    font-family: var(--_font);
    color: var(--_fg);
    background: var(--_bg);
  }
  header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 8px; margin-bottom: var(--_gap); }
  h2 { font-size: 1.25rem; margin: 0; }
  .description { color: var(--_muted); margin: 0; }
  header button.edit { margin-left: auto; align-self: center; }
  .blank { color: var(--_muted); margin: 0; padding: 24px 0; }
  .filters { display: flex; flex-wrap: wrap; gap: 12px; margin-bottom: var(--_gap); }
  .filters label { display: flex; flex-direction: column; gap: 4px; font-size: 0.8rem; color: var(--_muted); }
  .picker { position: relative; display: flex; flex-direction: column; gap: 4px; font-size: 0.8rem; color: var(--_muted); }
  .picker summary {
    list-style: none; cursor: pointer; color: var(--_fg); background: var(--_tile-bg); font-size: 0.9rem;
    border: 1px solid var(--_border); border-radius: calc(var(--_radius) / 2); padding: 4px 28px 4px 8px; min-width: 8rem;
    white-space: nowrap; overflow: hidden; text-overflow: ellipsis; position: relative;
  }
  .picker summary::-webkit-details-marker { display: none; }
  .picker summary::after { content: '▾'; position: absolute; right: 8px; color: var(--_muted); }
  .picker summary:focus-visible { outline: 2px solid var(--_accent); outline-offset: 2px; }
  .picker-panel {
    position: absolute; z-index: 10; top: 100%; left: 0; margin-top: 4px; min-width: 14rem; max-width: min(22rem, 90vw);
    background: var(--_tile-bg); color: var(--_fg); border: 1px solid var(--_border); border-radius: var(--_radius);
    padding: 8px; box-shadow: 0 6px 24px rgb(0 0 0 / 0.18); font-size: 0.9rem;
  }
  .picker-panel input[type='search'] {
    width: 100%; box-sizing: border-box; font: inherit; color: var(--_fg); background: var(--_bg);
    border: 1px solid var(--_border); border-radius: calc(var(--_radius) / 2); padding: 4px 6px;
  }
  .picker-panel ul { list-style: none; margin: 6px 0; padding: 0; max-height: 14rem; overflow: auto; }
  .picker-panel li label { display: flex; gap: 6px; align-items: center; padding: 3px 2px; color: var(--_fg); overflow-wrap: anywhere; }
  .picker-note { margin: 4px 0; color: var(--_muted); }
  input[type='date'] {
    font: inherit; color: var(--_fg); background: var(--_tile-bg); color-scheme: inherit;
    border: 1px solid var(--_border); border-radius: calc(var(--_radius) / 2); padding: 3px 6px;
  }
  input[aria-invalid='true'] { border-color: var(--_danger); }
  input:focus-visible { outline: 2px solid var(--_accent); outline-offset: 2px; }
  select, button {
    font: inherit; color: var(--_fg); background: var(--_tile-bg);
    border: 1px solid var(--_border); border-radius: calc(var(--_radius) / 2); padding: 4px 8px;
  }
  select:focus-visible, button:focus-visible, .tile:focus-visible { outline: 2px solid var(--_accent); outline-offset: 2px; }
  .grid {
    display: grid; grid-template-columns: repeat(var(--_columns, 12), minmax(0, 1fr));
    grid-auto-rows: var(--_row-height); gap: var(--_gap);
  }
  /* position: relative keeps every absolutely placed child (the skeleton) inside its own tile. */
  .tile {
    grid-column: var(--_x) / span var(--_w); grid-row: var(--_y) / span var(--_h);
    position: relative; display: flex; flex-direction: column; min-width: 0; min-height: 0;
    background: var(--_tile-bg); border: 1px solid var(--_border); border-radius: var(--_radius); padding: 12px;
  }
  /* The element's own width decides, not the viewport's: a dashboard in a narrow column of a wide
     page is a single column too. */
  @container (max-width: 600px) {
    .tile { grid-column: 1 / -1; grid-row: auto / span var(--_h); }
    /* Stacked KPIs take one row that grows with their content, not the desktop height. */
    .grid { grid-auto-rows: minmax(var(--_row-height), auto); }
    .tile[data-type='kpi'] { grid-row: auto / span 1; }
    .filters label, .filters select, .picker, .picker summary { width: 100%; box-sizing: border-box; }
    .filters label, .picker { flex: 1 1 100%; }
    .filters label.date { flex: 1 1 40%; width: auto; }
    .picker-panel { right: 0; max-width: none; }
  }
  .tile-head { display: flex; align-items: center; justify-content: space-between; gap: 8px; }
  .tile-title { font-size: 0.95rem; font-weight: 600; margin: 0 0 8px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .tile-body { flex: 1; min-height: 0; position: relative; overflow: auto; }
  .tile-actions { display: flex; gap: 4px; flex-shrink: 0; margin-bottom: 8px; }
  .tile-actions button { font-size: 0.75rem; padding: 2px 6px; line-height: 1.2; }
  /* Full screen inside the element: a fixed layer over the page, so it also works in an iframe
     without allowfullscreen; Escape closes it. */
  .tile[data-expanded] { position: fixed; inset: 0; z-index: 2147483000; border-radius: 0; padding: 16px; }
  @media print {
    :host { background: #fff; color: #000; }
    .filters input, .filters select { border: none; appearance: none; }
    .tile-actions, .skeleton, .error-actions button { display: none !important; }
    .grid { grid-auto-rows: minmax(var(--_row-height), auto); }
    .tile { break-inside: avoid; page-break-inside: avoid; }
    .tile[data-expanded] { position: static; }
    .tile-body { overflow: visible; }
  }
  /*
   * The shimmer moves a pre-painted gradient with transform, which the compositor animates
   * without repainting. Animating background-position instead repaints every skeleton on every
   * frame; without GPU rasterization that raster work took more CPU than the tile queries
   * themselves and slowed the very load the skeleton stands for.
   */
  .skeleton {
    position: absolute; inset: 0; border-radius: calc(var(--_radius) / 2);
    background: var(--_skeleton); overflow: hidden; contain: strict;
  }
  .skeleton::after {
    content: ''; position: absolute; top: 0; bottom: 0; left: 0; width: 200%;
    background: linear-gradient(90deg, transparent 25%, var(--_tile-bg) 50%, transparent 75%);
    /* The shimmer starts only if loading takes a while: a fast load then costs no animation
       frames (which a busy or GPU-less machine pays for while it is drawing the tiles). */
    opacity: 0; animation: shimmer 1.2s linear 0.4s infinite;
  }
  @keyframes shimmer { from { transform: translateX(-50%); opacity: 0.6; } to { transform: translateX(0); opacity: 0.6; } }
  @media (prefers-reduced-motion: reduce) { .skeleton::after { animation: none; display: none; } }
  .error { color: var(--_fg); font-size: 0.85rem; display: flex; flex-direction: column; gap: 6px; }
  .error .sentence { margin: 0; color: var(--_danger); font-weight: 600; }
  .error.compact { flex-direction: row; flex-wrap: wrap; align-items: center; margin-bottom: 6px; }
  .error-actions { display: flex; flex-wrap: wrap; align-items: flex-start; gap: 8px; }
  .error details { color: var(--_muted); }
  .error summary { cursor: pointer; padding: 4px 0; }
  .error dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 8px; margin: 4px 0 0; }
  .error dd { margin: 0; overflow-wrap: anywhere; }
  .error code { font-family: ui-monospace, monospace; }
  .empty { height: 100%; display: flex; flex-direction: column; align-items: center; justify-content: center; gap: 6px; text-align: center; color: var(--_muted); font-size: 0.9rem; }
  .empty p { margin: 0; }
  button.link { border-color: transparent; background: transparent; color: var(--_accent); text-decoration: underline; }
  .updating { height: 100%; opacity: 0.55; transition: opacity 0.2s; }
  /* Data kept under an error notice stays at full contrast: the notice says it is not current. */
  .stale { opacity: 1; }
  .not-permitted { color: var(--_muted); font-size: 0.85rem; }
  .kpi { font-size: clamp(1.4rem, 4cqi, 2rem); font-weight: 600; color: var(--_accent); overflow-wrap: anywhere; }
  .kpi-change { margin: 4px 0 0; font-size: 0.85rem; color: var(--_muted); display: flex; gap: 4px; align-items: baseline; flex-wrap: wrap; }
  .kpi-change.up > span:first-child { color: var(--_up); }
  .kpi-change.down > span:first-child { color: var(--_danger); }
  .kpi-vs { color: var(--_muted); }
  .kpi-period { margin: 2px 0 0; font-size: 0.8rem; color: var(--_muted); }
  .sparkline { display: block; width: 100%; height: 28px; margin-top: 8px; color: var(--_accent); }
  table { border-collapse: collapse; width: 100%; font-size: 0.85rem; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--_border); white-space: nowrap; }
  /* Headers may wrap ("Units sold"), so a narrow tile keeps every column in view. */
  th { white-space: normal; vertical-align: bottom; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  th button.sort { all: unset; cursor: pointer; font-weight: 600; display: inline-flex; gap: 4px; align-items: center; }
  th button.sort:focus-visible { outline: 2px solid var(--_accent); outline-offset: 2px; }
  .sort-mark { font-size: 0.7em; color: var(--_accent); min-width: 0.8em; }
  /* Cross-filters: chips above the grid; the row value is a button that reads as the cell text. */
  .cross-filters { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin-bottom: var(--_gap); font-size: 0.85rem; }
  .cross-label { color: var(--_muted); }
  .cross-filters ul { display: contents; list-style: none; }
  .chip {
    display: inline-flex; align-items: center; gap: 4px; max-width: 100%; padding: 2px 2px 2px 10px;
    border: 1px solid var(--_accent); border-radius: 999px; color: var(--_fg); background: var(--_tile-bg);
  }
  .chip-text { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .chip-remove { border: none; border-radius: 999px; padding: 2px 7px; line-height: 1; background: transparent; cursor: pointer; }
  .cross-note { margin: 0 0 6px; font-size: 0.75rem; color: var(--_muted); }
  tr.filterable { cursor: pointer; }
  tr.filterable:hover td { background: color-mix(in srgb, var(--_accent) 8%, transparent); }
  tr[data-active] td { background: color-mix(in srgb, var(--_accent) 16%, transparent); }
  button.row-filter { all: unset; cursor: pointer; text-decoration: underline dotted; text-underline-offset: 3px; }
  button.row-filter:focus-visible { outline: 2px solid var(--_accent); outline-offset: 2px; }
  button.row-filter[aria-pressed='true'] { font-weight: 600; }
  /* Drill-down: the breadcrumb under the tile title, and the menu a click on a value opens. */
  .tile-heading { display: flex; flex-direction: column; gap: 2px; min-width: 0; }
  .breadcrumb ol { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px; margin: 0; padding: 0; list-style: none; font-size: 0.8rem; color: var(--_muted); }
  .breadcrumb li + li::before { content: '›'; margin-right: 4px; color: var(--_muted); }
  .breadcrumb button.crumb { padding: 0; font-size: inherit; }
  .crumb-current { color: var(--_fg); font-weight: 600; }
  .value-menu-backdrop { position: fixed; inset: 0; z-index: 40; }
  .value-menu {
    position: fixed; z-index: 41; display: flex; flex-direction: column; gap: 4px; min-width: 12rem; max-width: min(20rem, 90vw);
    transform: translateY(4px);
    background: var(--_tile-bg); color: var(--_fg); border: 1px solid var(--_border); border-radius: var(--_radius);
    padding: 8px; box-shadow: 0 6px 24px rgb(0 0 0 / 0.18); font-size: 0.85rem;
  }
  .value-menu-title { margin: 0 0 2px; color: var(--_muted); overflow-wrap: anywhere; }
  .value-menu button { text-align: left; }
  /* "View rows": a panel over the dashboard (inside the element, so it works in any host page). */
  .rows-backdrop { position: fixed; inset: 0; z-index: 50; background: rgb(0 0 0 / 0.35); }
  .rows-panel {
    position: fixed; z-index: 51; inset: 5vh 5vw; display: flex; flex-direction: column; gap: 8px;
    background: var(--_tile-bg); color: var(--_fg); border: 1px solid var(--_border); border-radius: var(--_radius); padding: 16px;
    box-shadow: 0 12px 40px rgb(0 0 0 / 0.3);
  }
  .rows-head { display: flex; justify-content: space-between; align-items: center; gap: 8px; }
  .rows-head h3 { margin: 0; font-size: 1rem; overflow-wrap: anywhere; }
  .rows-actions { display: flex; gap: 6px; }
  .rows-scroll { flex: 1; overflow: auto; min-height: 0; }
  .rows-pager { display: flex; align-items: center; justify-content: flex-end; gap: 8px; font-size: 0.85rem; }
  .rows-range { margin-right: auto; color: var(--_muted); }
  .rows-error { color: var(--_danger); margin: 0; }
  .rows-empty, .rows-loading { color: var(--_muted); }
  button:disabled { opacity: 0.5; cursor: default; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  .truncated { color: var(--_muted); font-size: 0.75rem; }
`;

export const dashboardStyles = [themeTokens, layout];

