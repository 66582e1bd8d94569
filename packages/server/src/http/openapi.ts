import { z } from 'zod';

/**
 * The JSON Schema of a zod schema, for the OpenAPI document. Requests are validated by the zod
 * schema itself (Fastify's validator is disabled), so the document and the validation can
 * never drift apart.
 */
export function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const generated = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete generated.$schema;
  return generated;
}
