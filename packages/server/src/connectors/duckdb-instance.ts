import { DuckDBInstance } from '@duckdb/node-api';

export interface HardenedDuckDBOptions {
  readOnly?: boolean;
  threads?: number;
}

/**
 * Opens a DuckDB instance that cannot reach outside its own database file.
 *
 * The settings are passed when the instance is created, so no connection ever exists without
 * them: `enable_external_access=false` blocks file and network functions (`read_csv`,
 * `read_text`, `glob`, `COPY … TO`, `ATTACH`, `INSTALL`/`LOAD` — cf. CVE-2024-9264), extension
 * auto-install/auto-load is off, and `lock_configuration=true` makes every later `SET` fail, so
 * SQL cannot switch any of this back on. A warehouse opened for serving uses
 * `access_mode=READ_ONLY`, so queries cannot change it either.
 *
 * @example
 * const instance = await openHardenedDuckDB('demo.duckdb', { readOnly: true });
 */
export async function openHardenedDuckDB(path: string, options: HardenedDuckDBOptions = {}): Promise<DuckDBInstance> {
  const settings: Record<string, string> = {
    enable_external_access: 'false',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    allow_community_extensions: 'false',
    allow_unsigned_extensions: 'false',
    lock_configuration: 'true',
  };
  if (options.readOnly) settings.access_mode = 'READ_ONLY';
  if (options.threads !== undefined) settings.threads = String(options.threads);
  return DuckDBInstance.create(path, settings);
}
