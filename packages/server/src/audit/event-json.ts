import { canonicalJson, type JsonValue } from './canonical-json.js';
import type { HashedAuditFields } from './hashed-fields.js';

/**
 * An event serialised once: the canonical JSON its chain hash covers, and the JSON of its stored
 * row, both assembled from the same pieces (each string and each JSON object written once).
 */
export interface SerializedEvent {
  /** `canonicalJson(fields)`, exactly. */
  readonly canonical: string;
  /** The JSON of each stored column but the hashes, in `STORED_COLUMNS` order (see `storedRowJson`). */
  readonly columns: readonly string[];
}

/**
 * Serialise an event's hashed fields for its chain hash and for its stored row at once.
 * `attributesJson`, when given, is `canonicalJson(f.attributes)` already written (see
 * `attributes-json.ts`); it must be exactly that.
 *
 * Why not `canonicalJson(fields)` and then `JSON.stringify(row)`: every audited request pays for
 * both on the event loop, and the generic canonicaliser copies the whole event into a
 * key-sorted object first. The top-level members of an event are fixed, so their order is
 * written out here once; only `details` and `attributes`, whose keys vary, go through the
 * generic canonicaliser. The result is byte-for-byte `canonicalJson(fields)` (a property test
 * holds it to that), so stored chains and the documented hash do not change.
 *
 * @example
 * ```ts
 * const event = serializeEvent(fields);
 * const hash = chainHashOf(prevHash, event.canonical);
 * const row = storedRowJson(event, prevHash, hash);
 * ```
 */
export function serializeEvent(f: HashedAuditFields, attributesJson?: string): SerializedEvent {
  const action = text(f.action);
  const apiKeyId = text(f.apiKeyId);
  const attributes = f.attributes === null ? 'null' : (attributesJson ?? object(f.attributes));
  const code = text(f.code);
  const details = object(f.details);
  const distinctId = text(f.distinctId);
  const env = text(f.env);
  const ip = text(f.ip);
  const origin = text(f.origin);
  const outcome = text(f.outcome);
  const requestId = text(f.requestId);
  const resource = text(f.resource);
  const role = text(f.role);
  const segment = integer(f.segment);
  const seq = integer(f.seq);
  const time = text(f.time);
  const userAgent = text(f.userAgent);
  const workspace = text(f.workspace);
  // Members in UTF-16 code-unit order of their names, as canonical JSON requires.
  const canonical =
    `{"action":${action},"apiKeyId":${apiKeyId},"attributes":${attributes},"code":${code},"details":${details},` +
    `"distinctId":${distinctId},"env":${env},"ip":${ip},"origin":${origin},"outcome":${outcome},"requestId":${requestId},` +
    `"resource":${resource},"role":${role},"segment":${segment},"seq":${seq},"time":${time},"userAgent":${userAgent},"workspace":${workspace}}`;
  return { canonical, columns: [workspace, seq, segment, time, action, outcome, resource, code, distinctId, role, env, apiKeyId, origin, ip, userAgent, requestId, details, attributes] };
}

const STORED_COLUMNS = ['workspace_id', 'seq', 'segment', 'time', 'action', 'outcome', 'resource', 'code', 'distinct_id', 'role', 'env', 'api_key_id', 'origin', 'ip', 'user_agent', 'request_id', 'details', 'attributes'];
const STORED_PREFIXES = STORED_COLUMNS.map((column, i) => `${i === 0 ? '{' : ','}"${column}":`);

/**
 * The stored row as JSON: the `audit_events` columns, in the shape
 * `jsonb_populate_recordset(null::audit_events, …)` reads, with its two hashes.
 *
 * Joined into one flat string rather than concatenated: a stored row waits in memory until it
 * moves into the tables, and a concatenated one would keep every piece alive with it.
 */
export function storedRowJson(event: SerializedEvent, prevHash: string, hash: string): string {
  const parts: string[] = [];
  for (let i = 0; i < event.columns.length; i += 1) parts.push(STORED_PREFIXES[i]!, event.columns[i]!);
  parts.push(',"prev_hash":', JSON.stringify(prevHash), ',"hash":', JSON.stringify(hash), '}');
  return parts.join('');
}

function text(value: string | null): string {
  if (value === null) return 'null';
  // A member the event type does not allow to be missing: refuse rather than hash a chain whose
  // canonical form would differ from the documented one.
  if (typeof value !== 'string') throw new TypeError(`audit event member is not a string: ${typeof value}`);
  return JSON.stringify(value);
}

function integer(value: number): string {
  if (!Number.isSafeInteger(value)) throw new TypeError('audit event seq and segment must be safe integers');
  return String(value);
}

function object(value: { [key: string]: JsonValue }): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TypeError('audit event details and attributes must be JSON objects');
  return canonicalJson(value);
}
