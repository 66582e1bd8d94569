import type { DashboardDefinition, DashboardDefinitionResponse, DashboardListResponse, DashboardSaved, DashboardView, SemanticQueryInput } from '@perch/protocol';
import type { EmbedClient } from '../../client/embed-client.js';
import { EmbedRequestError } from '../../client/embed-error.js';
import type { QueryResponse } from '../../types.js';
import { definitionFromView } from './draft.js';
import type { Catalog } from './editor-types.js';

export type { Catalog, CatalogDataset, CatalogMember } from './editor-types.js';

/** A definition opened for editing, with the version a save must name in `If-Match`. */
export type OpenedDefinition = DashboardDefinitionResponse;

const path = (id: string) => `/v1/dashboards/${encodeURIComponent(id)}`;
/** A strong ETag of a dashboard version, as `If-Match` names it. */
const etag = (version: number) => `"${version}"`;

/**
 * Every HTTP call of the dashboard editor, in one place: reading a definition and the catalog,
 * the live preview, and the writes with their `If-Match` versions. The versions come from the
 * JSON bodies (which carry the same number as the `ETag` header), so no response header has to be
 * exposed to the page for the editor to work.
 *
 * @example
 * ```ts
 * const api = new EditorClient(client);
 * const opened = await api.definition('sales', signal);
 * const saved = await api.save(opened.definition, opened.version!);
 * ```
 */
export class EditorClient {
  readonly #client: EmbedClient;

  constructor(client: EmbedClient) {
    this.#client = client;
  }

  /** The datasets and members this token may use (member rules applied by Perch). */
  catalog(signal?: AbortSignal): Promise<Catalog> {
    return this.#client.json<Catalog>('/v1/catalog', { signal });
  }

  /** The dashboards this token may open, and whether it may create new ones. */
  list(signal?: AbortSignal): Promise<DashboardListResponse> {
    return this.#client.json<DashboardListResponse>('/v1/dashboards', { signal });
  }

  /**
   * `GET /v1/dashboards/{id}/definition`. A Perch that predates that route answers 404 (or, from
   * another origin, refuses the preflight, which the browser reports as a network failure); the
   * definition is then rebuilt from the dashboard's view and the list's version, which is the
   * same stored form for every chart this token may run. A real network failure fails the
   * fallback's requests too, and that error is the one reported.
   */
  async definition(id: string, signal?: AbortSignal): Promise<OpenedDefinition> {
    try {
      return await this.#client.json<OpenedDefinition>(`${path(id)}/definition`, { signal });
    } catch (error) {
      if (!(error instanceof EmbedRequestError) || (error.httpStatus !== 404 && error.code !== 'network_error')) throw error;
    }
    const [view, list] = await Promise.all([this.#client.json<DashboardView>(path(id), { signal }), this.list(signal)]);
    const entry = list.dashboards.find((d) => d.id === id);
    const omitted = view.charts.filter((c) => !c.permitted).map((c) => c.id);
    const source = entry?.source ?? 'model';
    return {
      definition: definitionFromView(view),
      source,
      ...(entry?.version !== undefined ? { version: entry.version } : {}),
      editable: source === 'saved' && omitted.length === 0,
      omittedCharts: omitted,
    };
  }

  /** `POST /v1/dashboards`: a new dashboard of this tenant. */
  create(definition: DashboardDefinition, signal?: AbortSignal): Promise<DashboardSaved> {
    return this.#client.json<DashboardSaved>('/v1/dashboards', { method: 'POST', body: definition, signal });
  }

  /** `PUT /v1/dashboards/{id}` with `If-Match`: a stale version is 409 `edit_conflict`. */
  save(definition: DashboardDefinition, version: number, signal?: AbortSignal): Promise<DashboardSaved> {
    return this.#client.json<DashboardSaved>(path(definition.id), { method: 'PUT', body: definition, headers: { 'if-match': etag(version) }, signal });
  }

  /** `DELETE /v1/dashboards/{id}`, naming the version the maker saw. */
  async remove(id: string, version: number | undefined, signal?: AbortSignal): Promise<void> {
    await this.#client.request(path(id), { method: 'DELETE', ...(version !== undefined ? { headers: { 'if-match': etag(version) } } : {}), signal });
  }

  /** The live preview: an ad-hoc governed query (`POST /v1/query`), under this token's RLS. */
  preview(query: SemanticQueryInput, signal?: AbortSignal): Promise<QueryResponse> {
    return this.#client.json<QueryResponse>('/v1/query', { method: 'POST', body: query, signal });
  }
}
