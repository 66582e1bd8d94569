import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PerchError } from '@perch/protocol';

/**
 * The PostgreSQL major version the embedded store's engine (PGlite) runs. A data directory keeps
 * the on-disk format of the major that created it, and PostgreSQL cannot open another major's
 * directory. `embedded-version.test.ts` fails when a PGlite upgrade changes the major, so this
 * constant (and the upgrade note in docs/deploy.md) moves with it.
 */
export const EMBEDDED_POSTGRES_MAJOR = '18';

/**
 * Refuse, with an explanation, an embedded data directory made by another PostgreSQL major.
 * Without this check the engine fails with a bare "failed to initialize".
 *
 * @example
 * ```ts
 * assertEmbeddedDirectoryVersion('.perch/metadata'); // throws for a directory made by PostgreSQL 17
 * ```
 */
export function assertEmbeddedDirectoryVersion(location: string): void {
  const versionFile = join(location, 'PG_VERSION');
  if (!existsSync(versionFile)) return; // a new directory
  const found = readFileSync(versionFile, 'utf8').trim();
  if (found === EMBEDDED_POSTGRES_MAJOR) return;
  throw new EmbeddedStoreVersionError(location, found);
}

/**
 * The embedded store's directory was made by another PostgreSQL major: a PerchError of code
 * `store_version_unsupported`, raised when the store opens, before Perch serves anything. The
 * message tells the operator how to move the data across.
 */
export class EmbeddedStoreVersionError extends PerchError {
  constructor(
    readonly location: string,
    readonly foundMajor: string,
  ) {
    super('store_version_unsupported', {
      message:
        `The embedded metadata store at ${location} was created by PostgreSQL ${foundMajor}; this Perch embeds PostgreSQL ${EMBEDDED_POSTGRES_MAJOR} and cannot open it. ` +
        'With the Perch version that created it, run `perch store export > dump.ndjson`; then move the directory away and, with this version, run `perch store import < dump.ndjson`. ' +
        'See docs/deploy.md, "Upgrading the embedded store\'s engine".',
    });
  }
}

/**
 * Refuse a data directory whose `audit-journal/` still holds files. Earlier builds answered
 * requests once their audit events were in that journal and moved them into the tables later;
 * this build appends straight to the tables and never reads the journal. Opening such a
 * directory would leave answered events out of the trail without any break in the chain to show
 * it, so the store refuses and says how to move them in.
 *
 * @example
 * ```ts
 * assertNoAuditJournal('.perch'); // throws while .perch/audit-journal holds a file
 * ```
 */
export function assertNoAuditJournal(dataDir: string): void {
  const journal = join(dataDir, 'audit-journal');
  if (!existsSync(journal) || readdirSync(journal).length === 0) return;
  throw new PerchError('store_version_unsupported', {
    message:
      `The embedded metadata store at ${dataDir} holds audit events in ${journal} that an earlier Perch build recorded and never moved into the store; this Perch does not read that journal. ` +
      'Start the earlier build once on this directory and stop it cleanly (it moves the events into the store and deletes the journal), then start this one. Do not delete the journal: its events belong to answered requests.',
  });
}
