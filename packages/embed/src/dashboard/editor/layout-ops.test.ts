import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { DashboardLayoutCell } from '@perch/protocol';
import { cellForNewTile, GRID_COLUMNS, moveBy, placeCell, resizeBy } from './layout-ops.js';

function overlapping(layout: readonly DashboardLayoutCell[]): boolean {
  return layout.some((a, i) => layout.some((b, j) => j > i && a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h));
}

const START: DashboardLayoutCell[] = [
  { chart: 'a', x: 0, y: 0, w: 6, h: 2 },
  { chart: 'b', x: 6, y: 0, w: 6, h: 2 },
  { chart: 'c', x: 0, y: 2, w: 12, h: 4 },
];

describe('layout edits on the 12-column grid', () => {
  it('moves a tile and pushes the tile it lands on below it', () => {
    const moved = moveBy(START, 'a', 3, 0);
    expect(moved.find((c) => c.chart === 'a')).toEqual({ chart: 'a', x: 3, y: 0, w: 6, h: 2 });
    expect(moved.find((c) => c.chart === 'b')!.y).toBe(2);
    expect(moved.find((c) => c.chart === 'c')!.y).toBe(4);
    expect(overlapping(moved)).toBe(false);
  });

  it('keeps a tile inside the grid: no move past the right edge, no width past column 12', () => {
    expect(moveBy(START, 'b', 1, 0).find((c) => c.chart === 'b')!.x).toBe(6);
    expect(resizeBy(START, 'b', 3, 0).find((c) => c.chart === 'b')!.w).toBe(6);
    expect(moveBy(START, 'a', -1, -1).find((c) => c.chart === 'a')).toMatchObject({ x: 0, y: 0 });
    expect(resizeBy(START, 'a', -10, -10).find((c) => c.chart === 'a')).toMatchObject({ w: 1, h: 1 });
  });

  it('resizes from the top-left corner and pushes covered tiles down', () => {
    const resized = resizeBy(START, 'a', 2, 1);
    expect(resized.find((c) => c.chart === 'a')).toEqual({ chart: 'a', x: 0, y: 0, w: 8, h: 3 });
    expect(overlapping(resized)).toBe(false);
  });

  it('places new KPIs side by side and wide tiles below', () => {
    const first = cellForNewTile([], 'k1', 'kpi');
    const second = cellForNewTile([first], 'k2', 'kpi');
    expect(second).toMatchObject({ x: 3, y: 0 });
    expect(cellForNewTile([first, second], 't', 'table')).toMatchObject({ x: 0, y: 2, w: 12 });
  });

  it('never leaves an overlap or a tile past the grid, whatever the moves (property)', () => {
    const step = fc.record({ chart: fc.constantFrom('a', 'b', 'c'), resize: fc.boolean(), dx: fc.integer({ min: -13, max: 13 }), dy: fc.integer({ min: -5, max: 5 }) });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        let layout: DashboardLayoutCell[] = START;
        for (const s of steps) layout = s.resize ? resizeBy(layout, s.chart, s.dx, s.dy) : moveBy(layout, s.chart, s.dx, s.dy);
        expect(overlapping(layout)).toBe(false);
        for (const cell of layout) {
          expect(cell.x + cell.w).toBeLessThanOrEqual(GRID_COLUMNS);
          expect(cell.x).toBeGreaterThanOrEqual(0);
          expect(cell.y).toBeGreaterThanOrEqual(0);
        }
        expect(layout.map((c) => c.chart)).toEqual(['a', 'b', 'c']);
      }),
    );
  });

  it('accepts a cell for a chart not yet placed', () => {
    expect(placeCell(START, { chart: 'd', x: 0, y: 0, w: 12, h: 1 }).find((c) => c.chart === 'a')!.y).toBe(1);
  });
});
