import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replaceSection, ResultsFileError, writeSection } from './results-file.js';

const DOCUMENT = [
  '# Results',
  '',
  '<!-- bench:tokens -->',
  'old tokens',
  '<!-- /bench:tokens -->',
  '',
  '<!-- bench:query -->',
  'query figures, written by someone else',
  '<!-- /bench:query -->',
  '',
].join('\n');

describe('replaceSection', () => {
  it('replaces only the named section and keeps every other byte', () => {
    const updated = replaceSection(DOCUMENT, 'tokens', 'new tokens\n| a |');
    expect(updated).toContain('<!-- bench:tokens -->\nnew tokens\n| a |\n<!-- /bench:tokens -->');
    expect(updated).not.toContain('old tokens');
    const after = (text: string) => text.slice(text.indexOf('<!-- /bench:tokens -->'));
    expect(after(updated)).toBe(after(DOCUMENT));
    expect(updated.startsWith('# Results\n\n<!-- bench:tokens -->')).toBe(true);
  });

  it('is idempotent for the same body', () => {
    const once = replaceSection(DOCUMENT, 'query', 'x');
    expect(replaceSection(once, 'query', 'x')).toBe(once);
  });

  it('appends a section that does not exist yet', () => {
    const updated = replaceSection(DOCUMENT, 'scale', 'scale figures');
    expect(updated.startsWith(DOCUMENT.trimEnd())).toBe(true);
    expect(updated.endsWith('<!-- bench:scale -->\nscale figures\n<!-- /bench:scale -->\n')).toBe(true);
  });

  it('refuses incomplete, reversed or duplicated markers instead of guessing', () => {
    expect(() => replaceSection('<!-- bench:tokens -->\nx', 'tokens', 'y')).toThrow(ResultsFileError);
    expect(() => replaceSection('<!-- /bench:tokens -->\n<!-- bench:tokens -->', 'tokens', 'y')).toThrow(ResultsFileError);
    expect(() => replaceSection(`${DOCUMENT}${DOCUMENT}`, 'tokens', 'y')).toThrow(/more than once/);
  });

  it('refuses a name that could not be a benchmark file', () => {
    expect(() => replaceSection(DOCUMENT, '../etc', 'y')).toThrow(ResultsFileError);
    expect(() => replaceSection(DOCUMENT, 'Tokens', 'y')).toThrow(ResultsFileError);
  });

  it('writeSection rewrites the file on disk', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'perch-bench-results-'));
    try {
      const path = join(directory, 'RESULTS.md');
      await writeFile(path, DOCUMENT);
      await writeSection(path, 'query', 'fresh');
      const written = await readFile(path, 'utf8');
      expect(written).toContain('<!-- bench:query -->\nfresh\n<!-- /bench:query -->');
      expect(written).toContain('old tokens');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
