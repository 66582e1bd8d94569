/**
 * Dashboard layouts are placed on a 12-column grid: the web components render exactly 12 columns
 * (`GET /v1/dashboards/{id}` sends `layout.columns: 12`). A tile past the right edge or two tiles on
 * one cell used to load fine and render on top of each other, so the model check refuses both.
 */

/** Columns of the dashboard grid, as the web components render it. */
export const DASHBOARD_GRID_COLUMNS = 12;

/** One placed tile, in grid cells (`x`, `y` from 0; `w`, `h` at least 1). */
export interface LayoutCell {
  readonly chart: string;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** A problem with one layout item: its index and what is wrong. */
export interface LayoutProblem {
  readonly index: number;
  readonly field: 'x' | 'w' | 'chart';
  readonly message: string;
}

/**
 * Every tile that does not fit the 12-column grid or overlaps an earlier tile, and every chart
 * placed twice. Reported against the later item, so the message names the one to move.
 *
 * @example
 * layoutProblems([{ chart: 'a', x: 0, y: 0, w: 8, h: 2 }, { chart: 'b', x: 6, y: 1, w: 6, h: 2 }]);
 * // [{ index: 1, field: 'x', message: 'overlaps layout[0] (chart "a") ...' }]
 */
export function layoutProblems(layout: ReadonlyArray<LayoutCell>): LayoutProblem[] {
  const problems: LayoutProblem[] = [];
  const placed = new Map<string, number>();
  layout.forEach((item, index) => {
    if (item.x >= DASHBOARD_GRID_COLUMNS) {
      problems.push({ index, field: 'x', message: `x is ${item.x}, but the dashboard grid has ${DASHBOARD_GRID_COLUMNS} columns (x is 0–${DASHBOARD_GRID_COLUMNS - 1})` });
    } else if (item.x + item.w > DASHBOARD_GRID_COLUMNS) {
      problems.push({ index, field: 'w', message: `x + w is ${item.x + item.w}, past the ${DASHBOARD_GRID_COLUMNS}-column dashboard grid (make w at most ${DASHBOARD_GRID_COLUMNS - item.x})` });
    }
    const first = placed.get(item.chart);
    if (first !== undefined) problems.push({ index, field: 'chart', message: `chart "${item.chart}" is already placed by layout[${first}]` });
    else placed.set(item.chart, index);
    for (let earlier = 0; earlier < index; earlier++) {
      const other = layout[earlier]!;
      if (overlaps(item, other)) {
        problems.push({ index, field: 'x', message: `overlaps layout[${earlier}] (chart "${other.chart}"): both cover column ${Math.max(item.x, other.x)}, row ${Math.max(item.y, other.y)}` });
        break;
      }
    }
  });
  return problems;
}

function overlaps(a: LayoutCell, b: LayoutCell): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}
