import { createHash } from 'node:crypto';
import { z } from 'zod';

/** Where shared (recursive) schemas live in the OpenAPI document. */
const COMPONENTS = '#/components/schemas/';

/**
 * The JSON Schema of a zod schema, for the OpenAPI document. Requests are validated by the zod
 * schema itself (Fastify's validator is disabled), so the document and the validation can
 * never drift apart.
 *
 * A recursive schema (a filter tree) comes out of zod with local `$defs`, which an OpenAPI
 * document cannot resolve where Fastify places the schema. Each definition is renamed to a
 * name unique to its content and referenced from `components.schemas`; `hoistSchemaDefinitions`
 * moves it there when the document is built.
 */
export function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const generated = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete generated.$schema;
  const defs = generated.$defs as Record<string, unknown> | undefined;
  if (!defs) return generated;
  delete generated.$defs;
  const prefix = `Perch${createHash('sha256').update(JSON.stringify(defs)).digest('hex').slice(0, 12)}`;
  const rename = (key: string) => `${prefix}_${key.replace(/[^A-Za-z0-9_]/g, '')}`;
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value === null || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] = key === '$ref' && typeof inner === 'string' && inner.startsWith('#/$defs/') ? COMPONENTS + rename(inner.slice('#/$defs/'.length)) : rewrite(inner);
    }
    return out;
  };
  const result = rewrite(generated) as Record<string, unknown>;
  result['x-perch-definitions'] = Object.fromEntries(Object.entries(defs).map(([key, def]) => [rename(key), rewrite(def)]));
  return result;
}

/**
 * `@fastify/swagger`'s `transformObject`: move every `x-perch-definitions` left by `jsonSchema`
 * into `components.schemas`, where their `$ref`s point.
 */
export function hoistSchemaDefinitions<T extends { components?: { schemas?: Record<string, unknown> } }>(document: T): T {
  const schemas: Record<string, unknown> = { ...(document.components?.schemas ?? {}) };
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (value === null || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'x-perch-definitions' && inner !== null && typeof inner === 'object') {
        for (const [name, def] of Object.entries(inner)) schemas[name] = strip(def);
      } else {
        out[key] = strip(inner);
      }
    }
    return out;
  };
  const stripped = strip(document) as T;
  return { ...stripped, components: { ...(stripped.components ?? {}), schemas } };
}
