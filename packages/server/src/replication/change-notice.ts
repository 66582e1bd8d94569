/**
 * The one PostgreSQL notification channel Perch replicas listen on. Triggers on the tables that
 * hold verification state (migration `0003-change-notify`) send a notice on every change, so a
 * revocation, an origin change or a token-key rotation committed by any replica reaches every
 * other replica through PostgreSQL itself, not through a protocol of Perch's own.
 */
export const CHANGE_CHANNEL = 'perch_changes';

/** Tables whose rows are mirrored in each replica's memory. */
export const MIRRORED_TABLES = ['workspaces', 'origins', 'token_keys', 'revocations'] as const;
export type MirroredTable = (typeof MIRRORED_TABLES)[number];

export interface ChangeNotice {
  /** The schema the change happened in: one PostgreSQL server may host several Perch stores. */
  schema: string;
  table: MirroredTable;
  workspace: string | null;
}

/**
 * Parse a notification payload; anything malformed yields `undefined` and is treated by the
 * caller as "something changed, reload everything" (the safe side).
 *
 * @example
 * ```ts
 * parseChangeNotice('{"schema":"public","table":"revocations","workspace":"default"}');
 * // → { schema: 'public', table: 'revocations', workspace: 'default' }
 * ```
 */
export function parseChangeNotice(payload: string | undefined): ChangeNotice | undefined {
  if (!payload) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { schema, table, workspace } = value as Record<string, unknown>;
  if (typeof schema !== 'string' || typeof table !== 'string') return undefined;
  if (!(MIRRORED_TABLES as readonly string[]).includes(table)) return undefined;
  return { schema, table: table as MirroredTable, workspace: typeof workspace === 'string' ? workspace : null };
}
