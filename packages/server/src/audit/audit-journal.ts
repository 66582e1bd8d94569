import { closeSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where the embedded store journals audit rows that are durable but not yet in its tables.
 *
 * A journal is a series of files `journal-<n>.ndjson`, one chained audit row per line, written in
 * commit order. Rows leave it in bulk: once the store holds every row of a file that is no
 * longer written to, the file is deleted.
 */
export interface AuditJournal {
  /**
   * Append complete lines (each ending in `\n`) as one write; resolves once the operating
   * system holds them. Returns the id of the file they went to. On failure nothing of the
   * write stays behind.
   */
  append(text: string, rows: number): number;
  /** `rows` rows of file `id` are now in the store's tables. */
  ingested(id: number, rows: number): void;
  /** Close the current file; delete it when every row of it is in the store. */
  close(): void;
}

/** Rows per journal file before the next one starts (about 1 KB each). */
const ROWS_PER_FILE = 20_000;
const FILE_PATTERN = /^journal-(\d{1,15})\.ndjson$/;

interface JournalFile {
  id: number;
  fd: number | undefined;
  size: number;
  written: number;
  ingested: number;
}

/**
 * The journal of an embedded store on disk, in `directory` (created on the first write).
 *
 * Writes are synchronous: a commit's lines are a few kilobytes going to the page cache, and a
 * synchronous write costs less CPU than a trip through the thread pool. Like the embedded store
 * itself (PGlite runs with `fsync` off), the journal survives the Perch process being killed,
 * not the machine losing power; PostgreSQL is the store for that.
 */
export class FileAuditJournal implements AuditJournal {
  readonly #directory: string;
  readonly #files = new Map<number, JournalFile>();
  #current: JournalFile | undefined;
  #nextId: number;
  /** Set when a failed write could not be undone: the journal then refuses every write. */
  #broken: Error | undefined;

  constructor(directory: string) {
    this.#directory = directory;
    this.#nextId = Math.max(0, ...listJournalFiles(directory).map((f) => f.id)) + 1;
  }

  append(text: string, rows: number): number {
    if (this.#broken) throw this.#broken;
    let file = this.#current;
    if (file === undefined || file.written >= ROWS_PER_FILE) file = this.#startFile();
    const bytes = Buffer.from(text, 'utf8');
    try {
      let offset = 0;
      while (offset < bytes.length) offset += writeSync(file.fd!, bytes, offset, bytes.length - offset, file.size + offset);
    } catch (error) {
      // A half-written commit must not survive: its requests are answered 503, so a later
      // recovery must not find their events. Cut the file back to where this write began.
      try {
        ftruncateSync(file.fd!, file.size);
      } catch {
        this.#broken = new Error(`the audit journal ${this.#path(file.id)} could not be repaired after a failed write`);
      }
      throw error;
    }
    file.size += bytes.length;
    file.written += rows;
    return file.id;
  }

  ingested(id: number, rows: number): void {
    const file = this.#files.get(id);
    if (!file) return;
    file.ingested += rows;
    this.#deleteIfDone(file);
  }

  close(): void {
    const file = this.#current;
    this.#current = undefined;
    if (file) this.#seal(file);
  }

  #startFile(): JournalFile {
    if (this.#current) this.#seal(this.#current);
    mkdirSync(this.#directory, { recursive: true });
    const id = this.#nextId++;
    // 'wx': a file of that name can only be one this journal did not write, never reuse it.
    const file: JournalFile = { id, fd: openSync(this.#path(id), 'wx'), size: 0, written: 0, ingested: 0 };
    this.#files.set(id, file);
    this.#current = file;
    return file;
  }

  #seal(file: JournalFile): void {
    if (file.fd !== undefined) closeSync(file.fd);
    file.fd = undefined;
    this.#deleteIfDone(file);
  }

  #deleteIfDone(file: JournalFile): void {
    if (file.fd !== undefined || file.ingested < file.written) return;
    this.#files.delete(file.id);
    unlinkSync(this.#path(file.id));
  }

  #path(id: number): string {
    return join(this.#directory, `journal-${id}.ndjson`);
  }
}

/** The journal of an in-memory store: the rows already live only as long as the process. */
export class MemoryAuditJournal implements AuditJournal {
  append(): number {
    return 0;
  }
  ingested(): void {}
  close(): void {}
}

/** Journal files in `directory`, oldest first; none when the directory does not exist. */
export function listJournalFiles(directory: string): { id: number; path: string }[] {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .map((name) => ({ name, match: FILE_PATTERN.exec(name) }))
    .filter((f): f is { name: string; match: RegExpExecArray } => f.match !== null)
    .map((f) => ({ id: Number(f.match[1]), path: join(directory, f.name) }))
    .sort((a, b) => a.id - b.id);
}

/**
 * The complete lines of a journal file. A last line without its newline is a write the process
 * died in: its requests were never answered, so it is dropped. Any other unreadable line means
 * the file was damaged, and recovery must stop rather than guess.
 */
export function readJournalLines(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  lines.pop(); // '' after the last newline, or the torn tail of an interrupted write
  return lines;
}
