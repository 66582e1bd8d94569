import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseModel } from './parse.js';
import { ModelValidationError } from './model-error.js';
import type { Model } from './types.js';

/**
 * Read every `*.yaml` / `*.yml` file of a directory (not recursive, sorted by name) and parse
 * them as one model. This is the engine's only I/O.
 *
 * @example
 * ```ts
 * const model = await loadModel('model');
 * ```
 * @throws ModelValidationError when a file is invalid or the directory holds no model file.
 */
export async function loadModel(dir: string): Promise<Model> {
  const names = (await readdir(dir)).filter((name) => /\.ya?ml$/.test(name)).sort();
  if (names.length === 0) throw new ModelValidationError([{ file: dir, path: '', message: 'no *.yaml or *.yml model files found' }]);
  const files = await Promise.all(names.map(async (name) => ({ file: name, text: await readFile(join(dir, name), 'utf8') })));
  return parseModel(files);
}
