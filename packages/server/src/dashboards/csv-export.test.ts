import { describe, expect, it } from 'vitest';
import type { QueryResult } from '@perch/protocol';
import { csvStream, exportFileName } from './csv-export.js';

async function text(result: QueryResult): Promise<string> {
  let out = '';
  for await (const chunk of csvStream(result)) out += String(chunk);
  return out;
}

const meta = { rowCount: 0, durationMs: 0, cacheHit: false, requestId: 'r' };

describe('csvStream', () => {
  it('writes a header and RFC 4180 records, neutralising formula cells but not negative numbers', async () => {
    const result: QueryResult = {
      columns: [{ name: 'name', type: 'string', kind: 'dimension' }, { name: 'value', type: 'number', kind: 'measure' }],
      rows: [
        { name: '=1+1', value: -5 },
        { name: '+SUM(A1)', value: 1.5 },
        { name: '-2', value: 0 },
        { name: '@cmd', value: null },
        { name: 'a "quoted", text\nline', value: 3 },
      ],
      meta,
    };
    expect(await text(result)).toBe(
      'name,value\r\n' + "'=1+1,-5\r\n" + "'+SUM(A1),1.5\r\n" + "'-2,0\r\n" + "'@cmd,\r\n" + '"a ""quoted"", text\nline",3\r\n',
    );
  });

  it('streams large results in several chunks', async () => {
    const rows = Array.from({ length: 1_200 }, (_, i) => ({ n: i }));
    const chunks: string[] = [];
    for await (const chunk of csvStream({ columns: [{ name: 'n', type: 'number', kind: 'measure' }], rows, meta })) chunks.push(String(chunk));
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.join('').split('\r\n')).toHaveLength(1_202);
  });
});

describe('exportFileName', () => {
  it('derives a safe name from the resource', () => {
    expect(exportFileName('dashboard:sales/revenue_kpi')).toBe('sales-revenue_kpi.csv');
    expect(exportFileName('dataset:orders')).toBe('orders.csv');
    expect(exportFileName('dashboard:"/..')).toBe('export.csv');
  });
});
