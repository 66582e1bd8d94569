import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openStoreDatabase } from './database.js';
import { BINARY_PARAMETER_CHARS, largeParameterSerializers } from './large-parameters.js';

// Characters of every UTF-8 length, a quote, a backslash and a JSON escape: what must survive intact.
const SAMPLE = 'aé€😀"\\\n';

function longText(minimum: number): string {
  return SAMPLE.repeat(Math.ceil(minimum / SAMPLE.length) + 1);
}

describe('largeParameterSerializers', () => {
  it('turns only long strings into UTF-8 bytes, jsonb behind its version byte', () => {
    const defaults = { 25: (v: unknown) => `text:${String(v)}`, 114: (v: unknown) => `json:${String(v)}`, 3802: (v: unknown) => `jsonb:${String(v)}` };
    const serializers = largeParameterSerializers(defaults);
    expect(serializers[25]!('short')).toBe('text:short');
    expect(serializers[3802]!(42)).toBe('jsonb:42');
    const long = longText(BINARY_PARAMETER_CHARS);
    const text = serializers[25]!(long) as unknown as Uint8Array;
    expect(Buffer.from(text).toString('utf8')).toBe(long);
    const jsonb = serializers[3802]!(JSON.stringify(long)) as unknown as Uint8Array;
    expect(jsonb[0]).toBe(1);
    expect(Buffer.from(jsonb.subarray(1)).toString('utf8')).toBe(JSON.stringify(long));
  });

  it('through the embedded store, long text, json and jsonb parameters arrive exactly as sent', async () => {
    const store = await openStoreDatabase({ dataDir: 'memory://' });
    try {
      const long = longText(BINARY_PARAMETER_CHARS * 4);
      const document = JSON.stringify(Array.from({ length: 50 }, (_, i) => ({ i, long })));
      const { rows } = await sql<{ text: string; json_last: number; jsonb_text: string; jsonb_count: number }>`
        select ${long}::text as text, (${document}::json -> 49 ->> 'i')::int as json_last,
          ${document}::jsonb -> 0 ->> 'long' as jsonb_text, jsonb_array_length(${document}::jsonb) as jsonb_count`.execute(store.db);
      expect(rows[0]).toEqual({ text: long, json_last: 49, jsonb_text: long, jsonb_count: 50 });
    } finally {
      await store.close();
    }
  });

  it('a long string that is not valid JSON is refused by the store, as in text format', async () => {
    const store = await openStoreDatabase({ dataDir: 'memory://' });
    try {
      const broken = `{"a": "${'x'.repeat(BINARY_PARAMETER_CHARS)}"`;
      await expect(sql`select ${broken}::jsonb`.execute(store.db)).rejects.toThrow(/invalid input syntax for type json/);
    } finally {
      await store.close();
    }
  });
});
