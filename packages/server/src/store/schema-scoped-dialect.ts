import { PostgresDialect, sql, type DatabaseIntrospector, type DatabaseMetadata, type Kysely, type SchemaMetadata, type TableMetadata } from 'kysely';
import type pg from 'pg';

/**
 * Kysely's PostgreSQL dialect, with an introspector that looks only at one schema.
 *
 * Why: the migrator asks the introspector whether its own tables exist, and the stock one reads
 * every table of the database. When another schema on the same server is being dropped at that
 * moment (other Perch stores, other applications), that catalog scan can fail with "schema … does
 * not exist", and a perfectly healthy store would refuse to start. Looking only at the store's
 * own schema avoids touching anyone else's objects.
 */
export class SchemaScopedPostgresDialect extends PostgresDialect {
  constructor(
    pool: pg.Pool,
    private readonly schema: string,
  ) {
    super({ pool });
  }

  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SchemaScopedIntrospector(db, this.schema);
  }
}

class SchemaScopedIntrospector implements DatabaseIntrospector {
  constructor(
    private readonly db: Kysely<unknown>,
    private readonly schema: string,
  ) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace where nspname = ${this.schema}`.execute(this.db);
    return rows.map((row) => ({ name: row.name }));
  }

  /** The schema's tables and views, without columns (the migrator needs only their names). */
  async getTables(): Promise<TableMetadata[]> {
    const { rows } = await sql<{ name: string; is_view: boolean }>`
      select c.relname as name, c.relkind = 'v' as is_view
      from pg_catalog.pg_class c join pg_catalog.pg_namespace ns on ns.oid = c.relnamespace
      where ns.nspname = ${this.schema} and c.relkind in ('r', 'v', 'p')`.execute(this.db);
    return rows.map((row) => ({ name: row.name, isView: row.is_view, schema: this.schema, columns: [] }));
  }

  async getMetadata(): Promise<DatabaseMetadata> {
    return { tables: await this.getTables() };
  }
}
