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

  it('heads the columns with the model\'s titles and writes raw numbers without float noise', async () => {
    const result: QueryResult = {
      columns: [{ name: 'product.name', type: 'string', kind: 'dimension' }, { name: 'revenue', type: 'number', kind: 'measure' }, { name: 'units', type: 'number', kind: 'measure' }],
      rows: [
        { 'product.name': 'Pro Switch', revenue: 58610.26999999999, units: 12 },
        { 'product.name': 'Eco Case', revenue: 0.1 + 0.2, units: 3 },
        { 'product.name': 'Nano', revenue: 1234.5, units: 1e21 },
      ],
      meta,
    };
    let out = '';
    for await (const chunk of csvStream(result, { 'product.name': 'Product', revenue: 'Revenue' })) out += String(chunk);
    expect(out).toBe('Product,Revenue,units\r\n' + 'Pro Switch,58610.27,12\r\n' + 'Eco Case,0.3,3\r\n' + 'Nano,1234.5,1e+21\r\n');
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
