import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadModel, policyAttributes, type DimensionType, type Model } from '@perch/engine';
import pino from 'pino';
import { PerchError } from '@perch/protocol';
import { loadConfig } from '../config.js';
import { openWarehouse } from '../query/open-warehouse.js';
import { withWarehouseColumnTypes } from '../query/policy-column-types.js';

const JSON_TYPES: Record<DimensionType, string> = { string: 'string', number: 'number', boolean: 'boolean', time: 'string (ISO 8601 date-time)' };

/** Per dataset, the attributes its policy reads, as the host must send them. */
export function describeAttributes(model: Model): Array<{ dataset: string; rowLevelSecurity: 'none' | 'policy'; attributes: Array<{ name: string; json: string; compares: string[] }>; joins: string[] }> {
  return [...model.datasets.values()].map((dataset) => ({
    dataset: dataset.name,
    rowLevelSecurity: dataset.rowLevelSecurity === 'none' ? 'none' : 'policy',
    attributes: policyAttributes(dataset).map((read) => {
      const types = [...new Set(read.columns.map((c) => c.type))];
      const literalTypes = [...new Set(read.literals.map((l) => typeof l))];
      const scalar = types.length === 1 && types[0] !== undefined ? JSON_TYPES[types[0]] : types.length === 0 && literalTypes.length === 1 ? literalTypes[0]! : 'typed from the warehouse at startup';
      return {
        name: read.attribute,
        json: read.list ? `array of ${scalar}` : scalar,
        compares: [...read.columns.map((c) => `column ${c.column}`), ...(read.literals.length > 0 ? [`one of ${read.literals.map((l) => JSON.stringify(l)).join(', ')}`] : [])],
      };
    }),
    joins: [...dataset.joins.values()].map((join) => join.dataset),
  }));
}

/**
 * `perch model attributes [--json]`: the token attributes that the model's row-level security
 * needs, per dataset, with the JSON type each must have. Column types come from the warehouse when
 * it can be reached (as at startup), otherwise from the dimensions declared over the columns.
 */
export function registerModelCommand(program: Command): void {
  const model = program.command('model').description('inspect the semantic model');
  model
    .command('attributes')
    .description('per dataset, the token attributes (and JSON types) its row-level security needs')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const config = loadConfig();
      let typed = await loadModel(resolve(config.cwd, config.modelDir));
      let note: string | undefined;
      try {
        const { connector } = await openWarehouse(config, { logger: pino({ level: 'silent' }) }, typed);
        try {
          typed = await withWarehouseColumnTypes(typed, connector);
        } finally {
          await connector.close();
        }
      } catch (error) {
        if (!(error instanceof PerchError)) throw error;
        note = `The warehouse could not be reached (${error.code}); types come from the model's dimensions.`;
      }
      const described = describeAttributes(typed);
      if (opts.json) {
        console.log(JSON.stringify(described, null, 2));
        return;
      }
      for (const dataset of described) {
        console.log(`${dataset.dataset}${dataset.rowLevelSecurity === 'none' ? ' (rowLevelSecurity: none, public)' : ''}`);
        for (const attribute of dataset.attributes) console.log(`  ${attribute.name}: ${attribute.json}  (compared with ${attribute.compares.join('; ')})`);
        if (dataset.joins.length > 0) console.log(`  joins: ${dataset.joins.join(', ')} (a query through a join also needs that dataset's attributes)`);
      }
      if (note) console.log(`\n${note}`);
    });
}
