import type { DashboardLayoutCell } from '@perch/protocol';

/** Columns of the dashboard grid (the engine's `DASHBOARD_GRID_COLUMNS`). */
export const GRID_COLUMNS = 12;
/** The tallest tile the model accepts is 100 rows; the editor keeps to a sensible 12. */
export const MAX_TILE_ROWS = 12;

/*
 * Layout edits keep the engine's rule (`packages/engine/src/model/layout-grid.ts`): every tile
 * inside the 12 columns, no two tiles on one cell. A move or resize never refuses: the tile the
 * maker is moving keeps its new place and the tiles it now covers are pushed down, so every
 * arrow key press has a visible effect and the result always saves.
 */

function overlaps(a: DashboardLayoutCell, b: DashboardLayoutCell): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

function clampCell(cell: DashboardLayoutCell): DashboardLayoutCell {
  const w = Math.min(GRID_COLUMNS, Math.max(1, Math.round(cell.w)));
  const h = Math.min(MAX_TILE_ROWS, Math.max(1, Math.round(cell.h)));
  const x = Math.min(GRID_COLUMNS - w, Math.max(0, Math.round(cell.x)));
  const y = Math.max(0, Math.round(cell.y));
  return { chart: cell.chart, x, y, w, h };
}

/**
 * Put `moved` (clamped to the grid) in place of its chart's cell and push every tile it then
 * overlaps down below it, repeating until nothing overlaps.
 *
 * @example
 * placeCell([{ chart: 'a', x: 0, y: 0, w: 6, h: 2 }, { chart: 'b', x: 6, y: 0, w: 6, h: 2 }], { chart: 'a', x: 4, y: 0, w: 6, h: 2 });
 * // a at x 4; b pushed to y 2
 */
export function placeCell(layout: readonly DashboardLayoutCell[], moved: DashboardLayoutCell): DashboardLayoutCell[] {
  const fixed = clampCell(moved);
  const cells = layout.map((c) => (c.chart === fixed.chart ? fixed : { ...c }));
  if (!cells.some((c) => c.chart === fixed.chart)) cells.push(fixed);
  // Settle tiles top to bottom; the moved tile first, so it is never the one pushed away.
  const order = [fixed, ...cells.filter((c) => c.chart !== fixed.chart).sort((a, b) => a.y - b.y || a.x - b.x)];
  const settled: DashboardLayoutCell[] = [];
  for (const cell of order) {
    const next = { ...cell };
    for (let blocker = settled.find((s) => overlaps(s, next)); blocker; blocker = settled.find((s) => overlaps(s, next))) next.y = blocker.y + blocker.h;
    settled.push(next);
  }
  // Keep the maker's tile order (it is the reading order of the stored layout).
  return cells.map((c) => settled.find((s) => s.chart === c.chart)!);
}

/** Move a tile by whole cells (the arrow keys). */
export function moveBy(layout: readonly DashboardLayoutCell[], chart: string, dx: number, dy: number): DashboardLayoutCell[] {
  const cell = layout.find((c) => c.chart === chart);
  return cell ? placeCell(layout, { ...cell, x: cell.x + dx, y: cell.y + dy }) : [...layout];
}

/** Resize a tile by whole cells (Shift + arrow keys); its top-left corner stays. */
export function resizeBy(layout: readonly DashboardLayoutCell[], chart: string, dw: number, dh: number): DashboardLayoutCell[] {
  const cell = layout.find((c) => c.chart === chart);
  if (!cell) return [...layout];
  const w = Math.min(GRID_COLUMNS - cell.x, Math.max(1, cell.w + dw));
  return placeCell(layout, { ...cell, w, h: cell.h + dh });
}

/** Where a new tile goes: the first row below every tile, full width for tables, else half. */
export function cellForNewTile(layout: readonly DashboardLayoutCell[], chart: string, type: string): DashboardLayoutCell {
  const bottom = layout.reduce((max, c) => Math.max(max, c.y + c.h), 0);
  const w = type === 'kpi' ? 3 : type === 'table' ? 12 : 6;
  const h = type === 'kpi' ? 2 : 4;
  // Beside the last row's tiles when there is room, so three KPIs sit in one row.
  const lastRow = layout.filter((c) => c.y + c.h === bottom);
  const right = lastRow.reduce((max, c) => Math.max(max, c.x + c.w), 0);
  const top = lastRow.reduce((min, c) => Math.min(min, c.y), bottom);
  if (lastRow.length > 0 && right + w <= GRID_COLUMNS && lastRow.every((c) => c.h === h)) return { chart, x: right, y: top, w, h };
  return { chart, x: 0, y: bottom, w, h };
}

/** Drop a tile and close no gaps (the maker decides where the others go). */
export function removeCell(layout: readonly DashboardLayoutCell[], chart: string): DashboardLayoutCell[] {
  return layout.filter((c) => c.chart !== chart);
}
