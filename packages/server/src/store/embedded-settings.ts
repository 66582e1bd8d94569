/**
 * Settings added to PGlite's own (which include `fsync` off). The embedded store survives the
 * Perch process being killed, not the machine losing power (docs/audit.md, "Durability"); these
 * two only ever protected against the latter, and cost the audit trail's ingestion CPU on every
 * event:
 * - `wal_init_zero=off`: a new 16 MB WAL segment is not first written full of zeros. Until the
 *   first checkpoint every segment is new: roughly one per 14,000 audit events (about 1.2 KB of
 *   WAL each).
 * - `full_page_writes=off`: the first change to a page after a checkpoint does not copy the
 *   whole page into the WAL. Those copies repair pages torn by a crash of the operating system
 *   mid-write; a killed process leaves no torn page (each page is one write that the kernel
 *   completes), and after an operating system crash a store without `fsync` is not
 *   recoverable anyway.
 */
export const EMBEDDED_SETTINGS = ['wal_init_zero=off', 'full_page_writes=off'] as const;
