import type { BenchReport } from './types.js';
import { figureColumns, markdownTable } from './markdown-table.js';
import { passFail } from './format.js';

export interface RunContext {
  /** ISO timestamp of the run. */
  date: string;
  /** From `machineLine`. */
  machine: string;
  /** The exact command that produced the figures, so anyone can rerun it. */
  command: string;
}

/**
 * Render a report as the markdown body of its RESULTS.md section (also what the terminal shows):
 * the run's provenance first, then each table, the targets with PASS/FAIL, and the notes.
 */
export function renderReport(report: BenchReport, run: RunContext): string {
  const parts: string[] = [`### ${report.title}`, '', `- Date: ${run.date}`, `- Machine: ${run.machine}`, `- Command: \`${run.command}\``];
  for (const table of report.tables) {
    parts.push('', `**${table.caption}**`, '', markdownTable(table.headers, table.rows, figureColumns(table.headers.length)));
  }
  if (report.targets.length > 0) {
    const rows = report.targets.map((t) => [t.name, t.measured, passFail(t.pass)]);
    parts.push('', '**Targets**', '', markdownTable(['target', 'measured', 'result'], rows, ['left', 'right', 'left']));
  }
  if (report.notes && report.notes.length > 0) parts.push('', ...report.notes.map((note) => `- ${note}`));
  return parts.join('\n');
}
