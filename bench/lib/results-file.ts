import { readFile, writeFile } from 'node:fs/promises';

const NAME = /^[a-z][a-z0-9-]{0,63}$/;

export class ResultsFileError extends Error {
  override readonly name = 'ResultsFileError';
}

/** The marker pair around one benchmark's section: `<!-- bench:tokens -->` … `<!-- /bench:tokens -->`. */
export function sectionMarkers(name: string): { open: string; close: string } {
  if (!NAME.test(name)) throw new ResultsFileError(`invalid benchmark name: ${name}`);
  return { open: `<!-- bench:${name} -->`, close: `<!-- /bench:${name} -->` };
}

/**
 * Replace the body between one benchmark's markers and leave every other byte alone, so
 * benchmarks run at different times by different people never overwrite each other's figures.
 * A missing section is appended at the end; a section whose markers are duplicated or out of
 * order is an error rather than a guess.
 *
 * @example
 * ```ts
 * replaceSection('# Results\n<!-- bench:tokens -->\nold\n<!-- /bench:tokens -->\n', 'tokens', 'new');
 * // '# Results\n<!-- bench:tokens -->\nnew\n<!-- /bench:tokens -->\n'
 * ```
 */
export function replaceSection(document: string, name: string, body: string): string {
  const { open, close } = sectionMarkers(name);
  const start = document.indexOf(open);
  const end = document.indexOf(close);
  const block = `${open}\n${body.trim()}\n${close}`;
  if (start === -1 && end === -1) return `${document.trimEnd()}\n\n${block}\n`;
  if (start === -1 || end === -1 || end < start) throw new ResultsFileError(`RESULTS.md: the markers of section ${name} are incomplete or out of order`);
  if (document.indexOf(open, start + open.length) !== -1 || document.indexOf(close, end + close.length) !== -1) {
    throw new ResultsFileError(`RESULTS.md: section ${name} appears more than once`);
  }
  return document.slice(0, start) + block + document.slice(end + close.length);
}

/** Read RESULTS.md, replace one section and write it back. */
export async function writeSection(path: string, name: string, body: string): Promise<void> {
  const document = await readFile(path, 'utf8');
  await writeFile(path, replaceSection(document, name, body));
}
