/**
 * The base SQL compiler, Kysely style: one visitor over plan nodes, with small overridable hooks
 * for what differs between dialects. Identifiers are always double-quoted with embedded quotes
 * doubled; values only ever leave through `param`, as `$n` placeholders.
 */
import type { Expr, Param, SelectNode, SourceNode } from '../nodes.js';
import type { DialectName, SqlParameter } from '../governed.js';

export interface CompiledSql {
  readonly sql: string;
  readonly parameters: readonly SqlParameter[];
}

export abstract class SqlCompiler {
  abstract readonly dialect: DialectName;
  private parameters: SqlParameter[] = [];

  /** Compile a SELECT into SQL text and its parameters. */
  compile(node: SelectNode): CompiledSql {
    this.parameters = [];
    const sql = this.select(node);
    const parameters = this.parameters;
    this.parameters = [];
    return Object.freeze({ sql, parameters: Object.freeze(parameters) });
  }

  // ---- hooks -------------------------------------------------------------------------------

  quoteIdentifier(name: string): string {
    return `"${name.replace(/"/g, '""')}"`;
  }

  placeholder(index: number): string {
    return `$${index}`;
  }

  /** An explicitly typed placeholder; timestamps are bound as `YYYY-MM-DD HH:MM:SS` UTC text. */
  typedPlaceholder(placeholder: string, cast: NonNullable<Param['cast']>): string {
    return cast === 'timestamp' ? `CAST(${placeholder} AS TIMESTAMP)` : placeholder;
  }

  /** Bucket a UTC `TIMESTAMP` by a calendar unit in a zone (`timezone` is a placeholder). */
  dateTrunc(unit: string, expr: string, timezone: string): string {
    return `date_trunc('${unit}', (${expr} AT TIME ZONE 'UTC') AT TIME ZONE ${timezone})`;
  }

  abstract castToDouble(expr: string): string;

  /** The bound time zone of a `dateTrunc`; a dialect may spell a zone differently (MySQL: `UTC` as `+00:00`). */
  protected timezoneParam(node: Param): Param {
    return node;
  }

  /** Case-insensitive `LIKE`; the engine escapes `%`, `_` and the escape character itself with a backslash. */
  ilike(expr: string, pattern: string): string {
    return `${expr} ILIKE ${pattern} ESCAPE '\\'`;
  }

  /** `AVG`; a dialect whose integer average is a rounded decimal casts its argument. */
  average(arg: string): string {
    return `AVG(${arg})`;
  }

  // ---- visitor -----------------------------------------------------------------------------

  protected select(node: SelectNode): string {
    const parts: string[] = [];
    const columns = node.projections.map((p) => `${this.expr(p.expr)} AS ${this.quoteIdentifier(p.alias)}`).join(', ');
    parts.push(`SELECT ${node.distinct ? 'DISTINCT ' : ''}${columns}`);
    parts.push(`FROM ${this.source(node.from)} AS ${this.quoteIdentifier(node.alias)}`);
    for (const join of node.joins) parts.push(`LEFT JOIN ${this.source(join.source)} AS ${this.quoteIdentifier(join.alias)} ON ${this.expr(join.on)}`);
    if (node.where && !(node.where.kind === 'constant' && node.where.value)) parts.push(`WHERE ${this.expr(node.where)}`);
    if (node.groupBy.length > 0) parts.push(`GROUP BY ${node.groupBy.join(', ')}`);
    if (node.having) parts.push(`HAVING ${this.expr(node.having)}`);
    if (node.orderBy.length > 0) parts.push(`ORDER BY ${node.orderBy.map((o) => `${this.quoteIdentifier(o.alias)} ${o.direction.toUpperCase()}`).join(', ')}`);
    if (node.limit !== undefined) parts.push(`LIMIT ${this.integer(node.limit)}`);
    if (node.offset !== undefined && node.offset > 0) parts.push(`OFFSET ${this.integer(node.offset)}`);
    return parts.join(' ');
  }

  protected source(source: SourceNode): string {
    if (source.kind === 'sql') return `(${source.sql})`;
    // A routed table: the tenant's schema is an identifier like any other, quoted, never spliced.
    if (source.schema !== undefined) return `${this.quoteIdentifier(source.schema)}.${this.quoteIdentifier(source.name)}`;
    return source.name.split('.').map((part) => this.quoteIdentifier(part)).join('.');
  }

  /** Limits and offsets are integers the planner produced; anything else is a bug, not SQL. */
  protected integer(value: number): string {
    if (!Number.isSafeInteger(value) || value < 0) throw new Error('limit/offset must be a non-negative safe integer');
    return String(value);
  }

  protected param(node: Param): string {
    this.parameters.push(node.value);
    const placeholder = this.placeholder(this.parameters.length);
    return node.cast ? this.typedPlaceholder(placeholder, node.cast) : placeholder;
  }

  protected expr(node: Expr): string {
    switch (node.kind) {
      case 'column':
        return `${this.quoteIdentifier(node.table)}.${this.quoteIdentifier(node.column)}`;
      case 'param':
        return this.param(node);
      case 'number':
        if (!Number.isFinite(node.value)) throw new Error('non-finite numeric literal');
        return String(node.value);
      case 'constant':
        return node.value ? 'TRUE' : 'FALSE';
      case 'compare':
        return `${this.expr(node.left)} ${node.op} ${this.expr(node.right)}`;
      case 'in':
        return `${this.expr(node.expr)} ${node.negated ? 'NOT IN' : 'IN'} (${node.values.map((v) => this.param(v)).join(', ')})`;
      case 'isNull':
        return `${this.expr(node.expr)} IS ${node.negated ? 'NOT ' : ''}NULL`;
      case 'ilike':
        return this.ilike(this.expr(node.expr), this.param(node.pattern));
      case 'and':
      case 'or':
        return node.items.map((item) => this.grouped(item)).join(node.kind === 'and' ? ' AND ' : ' OR ');
      case 'not':
        return `NOT ${this.grouped(node.expr)}`;
      case 'negate':
        return `-(${this.expr(node.expr)})`;
      case 'arithmetic':
        // Division casts to floating point (no integer division) and turns a zero divisor into NULL.
        if (node.op === '/') return `(${this.castToDouble(this.expr(node.left))} / NULLIF(${this.expr(node.right)}, 0))`;
        return `(${this.expr(node.left)} ${node.op} ${this.expr(node.right)})`;
      case 'aggregate': {
        const arg = node.arg === '*' ? '*' : this.expr(node.arg);
        switch (node.fn) {
          case 'count':
            return `COUNT(${arg})`;
          case 'countDistinct':
            return `COUNT(DISTINCT ${arg})`;
          case 'sum':
            return `SUM(${arg})`;
          case 'avg':
            return this.average(arg);
          case 'min':
            return `MIN(${arg})`;
          case 'max':
            return `MAX(${arg})`;
        }
        break;
      }
      case 'dateTrunc':
        return this.dateTrunc(node.unit, this.expr(node.expr), this.param(this.timezoneParam(node.timezone)));
    }
    throw new Error('unknown plan node');
  }

  /** Parenthesise nested boolean groups so precedence never depends on the reader. */
  protected grouped(node: Expr): string {
    const sql = this.expr(node);
    return node.kind === 'and' || node.kind === 'or' || node.kind === 'not' ? `(${sql})` : sql;
  }
}
