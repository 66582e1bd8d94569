import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadModel, ModelValidationError } from '@perch/engine';
import { loadConfig } from '../config.js';

/** `perch check [dir]`: validate a semantic model and print every issue with file and path. */
export function registerCheckCommand(program: Command): void {
  program
    .command('check [dir]')
    .description('validate the semantic model (default: the configured model directory)')
    .action(async (dir: string | undefined) => {
      const config = loadConfig();
      const modelDir = resolve(config.cwd, dir ?? config.modelDir);
      try {
        const model = await loadModel(modelDir);
        console.log(`Model OK: ${model.datasets.size} datasets, ${model.dashboards.size} dashboards (${modelDir})`);
      } catch (error) {
        if (!(error instanceof ModelValidationError)) throw error;
        for (const issue of error.issues) console.error(`${issue.file}: ${issue.path}: ${issue.message}`);
        console.error(`\n${error.issues.length} problem(s) in ${modelDir}`);
        process.exitCode = 1;
      }
    });
}
