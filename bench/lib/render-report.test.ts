import { describe, expect, it } from 'vitest';
import { renderReport } from './render-report.js';

describe('renderReport', () => {
  const run = { date: '2026-01-02T03:04:05.000Z', machine: '2 cores, Test CPU, Node v20.0.0, linux', command: 'npm run bench -- demo --duration=3' };

  it('states provenance, tables, PASS/FAIL per target and notes', () => {
    const text = renderReport(
      {
        title: 'demo: a report',
        tables: [{ caption: 'HTTP', headers: ['scenario', 'req/s'], rows: [['floor', '100']] }],
        targets: [
          { name: 'fast enough', measured: '60%', pass: true },
          { name: 'small enough', measured: '9 µs', pass: false },
        ],
        notes: ['ratios, not absolutes'],
      },
      run,
    );
    expect(text.startsWith('### demo: a report\n')).toBe(true);
    expect(text).toContain(`- Date: ${run.date}`);
    expect(text).toContain(`- Machine: ${run.machine}`);
    expect(text).toContain('- Command: `npm run bench -- demo --duration=3`');
    expect(text).toContain('| floor    |   100 |');
    expect(text).toMatch(/\| fast enough\s+\|\s+60% \| PASS\s+\|/);
    expect(text).toMatch(/\| small enough\s+\|\s+9 µs \| FAIL\s+\|/);
    expect(text.endsWith('- ratios, not absolutes')).toBe(true);
  });

  it('leaves out the targets table when there are none', () => {
    const text = renderReport({ title: 't', tables: [], targets: [] }, run);
    expect(text).not.toContain('Targets');
  });
});
