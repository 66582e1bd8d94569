/**
 * `perch check` on the demo model laid out for the 24-column grid the docs once described: it must
 * fail with the file and the path of each tile that leaves the 12-column grid or overlaps another.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';

const MODEL_DIR = new URL('../../../../model/', import.meta.url).pathname;

async function runCheck(dir: string): Promise<{ out: string[]; err: string[]; exitCode: number | string | undefined }> {
  const out: string[] = [];
  const err: string[] = [];
  const original = { log: console.log, error: console.error, exitCode: process.exitCode };
  console.log = (...args: unknown[]) => void out.push(args.join(' '));
  console.error = (...args: unknown[]) => void err.push(args.join(' '));
  process.exitCode = undefined;
  try {
    await buildProgram().parseAsync(['node', 'perch', 'check', dir]);
    return { out, err, exitCode: process.exitCode };
  } finally {
    console.log = original.log;
    console.error = original.error;
    process.exitCode = original.exitCode;
  }
}

let copy: string;
beforeAll(async () => {
  copy = await mkdtemp(join(tmpdir(), 'perch-check-'));
  for (const name of await readdir(MODEL_DIR)) {
    if (name.endsWith('.yaml')) await writeFile(join(copy, name), await readFile(join(MODEL_DIR, name)));
  }
});
afterAll(() => rm(copy, { recursive: true, force: true }));

describe('perch check and the dashboard grid', () => {
  it('accepts the demo model as shipped', async () => {
    const result = await runCheck(MODEL_DIR);
    expect(result.exitCode).toBeUndefined();
    expect(result.out.join('\n')).toMatch(/^Model OK/);
  });

  it('refuses a layout drawn for 24 columns, naming file and path', async () => {
    const demo = await readFile(join(copy, 'demo.yaml'), 'utf8');
    // The second KPI moved to the right half of a 24-column grid; the monthly chart widened to 24.
    const wide = demo
      .replace('- { chart: orders_kpi, x: 6, y: 0, w: 6, h: 2 }', '- { chart: orders_kpi, x: 12, y: 0, w: 12, h: 2 }')
      .replace('- { chart: revenue_by_month, x: 0, y: 2, w: 12, h: 4 }', '- { chart: revenue_by_month, x: 0, y: 2, w: 24, h: 4 }')
      .replace('- { chart: orders_by_channel, x: 6, y: 6, w: 6, h: 4 }', '- { chart: orders_by_channel, x: 3, y: 6, w: 6, h: 4 }');
    expect(wide).not.toBe(demo);
    await writeFile(join(copy, 'demo.yaml'), wide);
    const result = await runCheck(copy);
    expect(result.exitCode).toBe(1);
    const errors = result.err.join('\n');
    expect(errors).toContain('demo.yaml: dashboards[0].layout[1].x: x is 12, but the dashboard grid has 12 columns');
    expect(errors).toContain('demo.yaml: dashboards[0].layout[2].w: x + w is 24, past the 12-column dashboard grid');
    expect(errors).toContain('demo.yaml: dashboards[0].layout[4].x: overlaps layout[3] (chart "revenue_by_region")');
    expect(errors).toMatch(/3 problem\(s\)/);
    expect(result.out).toEqual([]);
  });
});
