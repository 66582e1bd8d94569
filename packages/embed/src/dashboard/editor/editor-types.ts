import type { ErrorCode } from '@perch/protocol/errors';

/* Types shared by the editor's modules (kept apart so that no two modules import each other). */

/** One member of `GET /v1/catalog`: members hidden from this token by member rules are never listed. */
export interface CatalogMember {
  name: string;
  kind: 'dimension' | 'measure';
  type: 'string' | 'number' | 'boolean' | 'time';
  title: string;
  description?: string;
  format?: string;
}

/** One dataset of `GET /v1/catalog`. */
export interface CatalogDataset {
  name: string;
  title: string;
  description?: string;
  members: CatalogMember[];
}

/** The body of `GET /v1/catalog`. */
export interface Catalog {
  datasets: CatalogDataset[];
}

/** A failure the editor shows in words, keeping the code and request id for support. */
export interface EditorFailure {
  code: ErrorCode;
  requestId?: string | undefined;
}
