import { compileColumnProbe, policyColumns, withColumnTypes, type Dataset, type DimensionType, type Model, type SourceColumnTypes } from '@perch/engine';
import { PerchError } from '@perch/protocol';
import type { Connector } from '../connectors/index.js';

/** Errors that say the warehouse could not answer, as opposed to "no such column". */
const UNAVAILABLE = new Set(['datasource_unavailable', 'query_timeout', 'query_cancelled']);

/**
 * The model with every policy column typed from the warehouse's catalog, read at startup.
 *
 * Row-level security compares in the column's type (DESIGN.md section 3), so the type of each
 * column a policy names must be known before the first query, and the warehouse is the authority:
 * a dimension's declared type that disagrees with it, or a policy column that does not exist,
 * refuses the model with file and path rather than serving with a policy that cannot bind.
 *
 * @example
 * ```ts
 * const model = await withWarehouseColumnTypes(await loadModel('model'), connector);
 * ```
 * @throws ModelValidationError for a missing or mistyped policy column; the connector's
 *   `datasource_unavailable` when the warehouse cannot be reached.
 */
export async function withWarehouseColumnTypes(model: Model, connector: Connector): Promise<Model> {
  const catalog = new Map<string, SourceColumnTypes>();
  for (const dataset of model.datasets.values()) {
    const columns = policyColumns(dataset);
    if (columns.length === 0) continue;
    catalog.set(dataset.name, await probeColumns(connector, dataset, columns));
  }
  return withColumnTypes(model, catalog);
}

/**
 * The warehouse types of `columns` of a dataset's source; a column absent from the answer does
 * not exist there.
 * @throws the connector's `datasource_unavailable` (or timeout) when the warehouse cannot answer.
 */
export async function probeColumns(connector: Connector, dataset: Dataset, columns: readonly string[]): Promise<SourceColumnTypes> {
  const types = new Map<string, DimensionType>();
  try {
    const { columns: found } = await connector.execute(compileColumnProbe(dataset, columns, connector.dialect));
    found.forEach((column) => types.set(column.name, column.type));
    return types;
  } catch (error) {
    if (!(error instanceof PerchError) || UNAVAILABLE.has(error.code)) throw error;
  }
  // One column (or the source itself) is missing: probe each column alone to name which.
  for (const column of columns) {
    try {
      const { columns: found } = await connector.execute(compileColumnProbe(dataset, [column], connector.dialect));
      found.forEach((c) => types.set(c.name, c.type));
    } catch (error) {
      if (!(error instanceof PerchError) || UNAVAILABLE.has(error.code)) throw error;
    }
  }
  return types;
}
