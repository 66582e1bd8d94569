import cliProgress from 'cli-progress';

export interface DemoProgress {
  phase: 'generate' | 'load';
  done: number;
  total: number;
}

export type ProgressListener = (progress: DemoProgress) => void;

/**
 * Reports progress to the caller's listener and, on an interactive terminal, as a bar on
 * stderr (stdout stays clean for scripts). Silent when `quiet` or when stderr is not a TTY.
 * `target` names the database a load goes into (default PostgreSQL).
 *
 * @example
 * const progress = createProgressReporter('load', orders, { target: 'MySQL/MariaDB' });
 */
export function createProgressReporter(phase: DemoProgress['phase'], total: number, options: { quiet?: boolean; onProgress?: ProgressListener; target?: string }): {
  update(done: number): void;
  stop(): void;
} {
  const showBar = !options.quiet && process.stderr.isTTY === true;
  const bar = showBar
    ? new cliProgress.SingleBar(
        { stream: process.stderr, format: `${phase === 'generate' ? 'Generating demo warehouse' : `Loading demo into ${options.target ?? 'PostgreSQL'}`} [{bar}] {percentage}% | {value}/{total} orders`, hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(total, 0);
  return {
    update(done) {
      bar?.update(done);
      options.onProgress?.({ phase, done, total });
    },
    stop() {
      bar?.stop();
    },
  };
}
