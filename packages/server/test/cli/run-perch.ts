import { buildProgram } from '../../src/cli/program.js';

/** What one `perch …` invocation printed, and the exit code it set. */
export interface PerchRun {
  out: string;
  err: string;
  exitCode: number | string | undefined;
}

/**
 * Runs the real CLI program in process, capturing what it prints; the exit code is restored
 * afterwards so a refused command does not fail the test run itself.
 *
 * @example
 * const { out, exitCode } = await perch(['check', 'model']);
 */
export async function perch(args: string[]): Promise<PerchRun> {
  const out: string[] = [];
  const err: string[] = [];
  const original = { log: console.log, error: console.error, exitCode: process.exitCode };
  console.log = (...parts: unknown[]) => void out.push(parts.join(' '));
  console.error = (...parts: unknown[]) => void err.push(parts.join(' '));
  process.exitCode = undefined;
  try {
    await buildProgram().parseAsync(['node', 'perch', ...args]);
    return { out: out.join('\n'), err: err.join('\n'), exitCode: process.exitCode };
  } finally {
    console.log = original.log;
    console.error = original.error;
    process.exitCode = original.exitCode;
  }
}
