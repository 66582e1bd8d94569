import { PerchError } from '@perch/protocol';

export interface ModelIssue {
  file: string;
  /** Path inside the file, e.g. `datasets.orders.measures.revenue.sum`. */
  path: string;
  message: string;
}

/**
 * Thrown when model files do not validate. It carries every issue found, each with its file and
 * path, so an operator can fix them all in one pass.
 *
 * @example
 * ```ts
 * try { await loadModel('model') } catch (e) {
 *   if (e instanceof ModelValidationError) for (const i of e.issues) console.error(`${i.file}: ${i.path}: ${i.message}`)
 * }
 * ```
 */
export class ModelValidationError extends PerchError {
  readonly issues: ModelIssue[];

  constructor(issues: ModelIssue[]) {
    const first = issues[0];
    super('model_invalid', {
      message: 'The semantic model is invalid.',
      detail: issues.map((i) => `${i.file}: ${i.path || '(root)'}: ${i.message}`).join('\n'),
      path: first?.path,
    });
    this.issues = issues;
  }
}
