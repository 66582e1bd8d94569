/**
 * An independent, hand-written SQL for the generated queries of the differential test: the
 * tenant predicate is written out literally, the way a careful analyst would, and shares no code
 * with the engine. Valid in DuckDB and PostgreSQL; `dialect: 'mysql'` writes the two things MySQL
 * spells differently (backticked aliases, month/year buckets with DATE_FORMAT).
 */
export interface GeneratedFilter {
  member: string;
  operator: 'equals' | 'notEquals' | 'in' | 'notIn' | 'gt' | 'lte';
  values: Array<string | number>;
}
export type GeneratedCondition = GeneratedFilter | { or: GeneratedFilter[] };

export interface GeneratedQuery {
  dataset: 'orders';
  measures: string[];
  dimensions: string[];
  timeDimension?: { member: 'ordered_at'; granularity?: 'month' | 'year'; dateRange?: [string, string] };
  filters: GeneratedCondition[];
  order: Array<{ member: string; direction: 'asc' | 'desc' }>;
  limit: number;
}

export const DIMENSION_SQL: Record<string, string> = {
  region: 'o.region',
  department: 'o.department',
  channel: 'o.channel',
  status: 'o.status',
  order_id: 'o.order_id',
  'customer.segment': 'c.segment',
  'customer.name': 'c.name',
  'product.category': 'p.category',
};

export const MEASURE_SQL: Record<string, string> = {
  revenue: 'SUM(o.amount)',
  orders: 'COUNT(*)',
  units: 'SUM(o.quantity)',
  customers: 'COUNT(DISTINCT o.customer_id)',
  largest_order: 'MAX(o.amount)',
  average_order_value: 'SUM(o.amount) / NULLIF(COUNT(*), 0)',
  margin: '(SUM(o.amount) - SUM(o.amount) * 0.62)',
};

function literal(value: string | number): string {
  return typeof value === 'number' ? String(value) : `'${value.replace(/'/g, "''")}'`;
}

function condition(filter: GeneratedCondition): string {
  if ('or' in filter) return `(${filter.or.map(condition).join(' OR ')})`;
  const column = DIMENSION_SQL[filter.member]!;
  const values = filter.values.map(literal);
  switch (filter.operator) {
    case 'equals':
      return `${column} = ${values[0]}`;
    case 'notEquals':
      return `${column} <> ${values[0]}`;
    case 'in':
      return `${column} IN (${values.join(', ')})`;
    case 'notIn':
      return `${column} NOT IN (${values.join(', ')})`;
    case 'gt':
      return `${column} > ${values[0]}`;
    case 'lte':
      return `${column} <= ${values[0]}`;
  }
}

/** The day after a `YYYY-MM-DD` date, as text (the end of an inclusive date range). */
function nextDay(date: string): string {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

/** Every group of the query for one tenant (no ORDER BY or LIMIT: the test compares sets). */
export function referenceSql(query: GeneratedQuery, tenant: { customerId: string; department: string }, dialect: 'standard' | 'mysql' = 'standard'): string {
  const alias = (name: string): string => (dialect === 'mysql' ? `\`${name}\`` : `"${name}"`);
  const bucket = (granularity: 'month' | 'year'): string =>
    dialect === 'mysql' ? `CAST(DATE_FORMAT(o.ordered_at, '${granularity === 'month' ? '%Y-%m-01' : '%Y-01-01'} 00:00:00') AS DATETIME)` : `date_trunc('${granularity}', o.ordered_at)`;
  const select: string[] = [];
  const groups: string[] = [];
  for (const dimension of query.dimensions) {
    select.push(`${DIMENSION_SQL[dimension]} AS ${alias(dimension)}`);
    groups.push(DIMENSION_SQL[dimension]!);
  }
  const td = query.timeDimension;
  if (td?.granularity) {
    select.push(`${bucket(td.granularity)} AS ${alias(`ordered_at.${td.granularity}`)}`);
    groups.push(bucket(td.granularity));
  }
  for (const measure of query.measures) select.push(`${MEASURE_SQL[measure]} AS ${alias(measure)}`);
  const where = [`o.customer_id = ${literal(tenant.customerId)}`];
  if (!['finance', 'operations'].includes(tenant.department)) where.push(`o.department = ${literal(tenant.department)}`);
  if (td?.dateRange) where.push(`o.ordered_at >= TIMESTAMP '${td.dateRange[0]} 00:00:00'`, `o.ordered_at < TIMESTAMP '${nextDay(td.dateRange[1])} 00:00:00'`);
  for (const filter of query.filters) where.push(condition(filter));
  return [
    `SELECT ${select.join(', ')}`,
    'FROM orders o',
    `LEFT JOIN customers c ON c.customer_id = o.customer_id`,
    'LEFT JOIN products p ON p.product_id = o.product_id',
    `WHERE ${where.join(' AND ')}`,
    groups.length > 0 ? `GROUP BY ${groups.join(', ')}` : '',
  ].join('\n');
}
