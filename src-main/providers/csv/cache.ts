import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { CSV_SOURCE_MEMORY } from '../../lake/memory';
import { parseSource, type ParsedSource } from './parse';
import { sourceKey, type ResolvedSource } from './sources';

// Why a cache: prepare() must read every row to refuse a bad file before a job exists, and the ingest runner then calls
// fetchBars() once per (symbol, year). Parsing per call would read a 10-million-row file 1 + symbols x years times.
// So a parsed source lives in its own in-memory DuckDB (which spills to a temp folder past its memory limit) from
// prepare() through the job's fetches, keyed by the files' size and mtime and the --tz. It is closed when the job's
// fetch ends (the engine calls the provider's idle(): releaseFetchedSources), so an app that imported a big file does
// not keep its copy; a parse no fetch has used yet (prepare() ran, the job is about to fetch) is kept, and any idle one
// is closed after IDLE_MS. Only one idle source is kept: a new parse closes the idle ones first.

const IDLE_MS = 60_000;

interface Entry {
  key: string;
  ready: Promise<Opened>;
  refs: number;
  timer: NodeJS.Timeout | undefined;
  tempDir: string;
  /** its last lease was a fetch's (fetchBars, openUnit), not prepare()'s: the end of the job's fetch closes it */
  fetched: boolean;
}

interface Opened {
  instance: DuckDBInstance;
  parsed: ParsedSource;
  /** the connection the lake writer copies units through, opened on first use (see SourceLease.writeConnection) */
  writeConn?: Promise<DuckDBConnection>;
}

export interface SourceLease {
  parsed: ParsedSource;
  /** this lease parsed the files (false: it shares a parse that was cached or under way) */
  parsedNow: boolean;
  /** a new connection to the source's database (one per reader, so concurrent fetches do not share one) */
  connect(): Promise<DuckDBConnection>;
  /**
   * The one connection through which the lake writer reads this source's units (its writes are serialised, so they
   * never share it at once). One for all units: what the writer sets up on a connection (the session calendar) is
   * done once per source, not once per unit. Closed with the source; the caller must not close it.
   */
  writeConnection(): Promise<DuckDBConnection>;
  release(): void;
}

const entries = new Map<string, Entry>();
let exitHooked = false;
/** parses started in this process (logged with each prepare(), so a log shows when a file was read again) */
let parses = 0;

function removeTemp(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Closes an entry nobody is reading; one leased again meanwhile (refs > 0) stays open. */
async function closeIdle(e: Entry): Promise<void> {
  if (e.refs > 0) return;
  if (e.timer) clearTimeout(e.timer);
  entries.delete(e.key);
  let opened: Opened;
  try {
    opened = await e.ready;
  } catch {
    return; // a failed parse has closed its instance and removed its folder already
  }
  try {
    if (opened.writeConn) (await opened.writeConn).closeSync();
    // The tables are dropped first, on DuckDB's own threads: closing an instance that still holds them would free
    // them (up to CSV_SOURCE_MEMORY, the rest spilled) synchronously on this thread, the engine's event loop.
    const conn = await opened.instance.connect();
    try {
      for (const f of opened.parsed.files) await conn.run(`DROP TABLE IF EXISTS ${f.table}`);
    } finally {
      conn.closeSync();
    }
  } catch {
    // closing below frees whatever the drops left
  }
  opened.instance.closeSync();
  removeTemp(e.tempDir);
}

async function open(src: ResolvedSource, tz: string, tempDir: string, signal: AbortSignal): Promise<Opened> {
  parses++;
  // In memory with a limit of its own, past which it spills to its temp folder. A database file in that folder was
  // tried (stored compressed: a 10M-row import peaked at 522 MB instead of 838 MB) and dropped: the import took twice
  // the wall time and 25% more CPU (docs/benchmarks.md, csv import).
  const instance = await DuckDBInstance.create(':memory:', { memory_limit: CSV_SOURCE_MEMORY, temp_directory: tempDir });
  try {
    const conn = await instance.connect();
    try {
      return { instance, parsed: await parseSource(conn, src, tz, signal) };
    } finally {
      conn.closeSync();
    }
  } catch (e) {
    instance.closeSync();
    removeTemp(tempDir);
    throw e;
  }
}

/**
 * The parsed source (parsing it now if no current parse of these files is cached); release() when done. `use`: a
 * job's fetch (closed when the fetch ends, see releaseFetchedSources) or prepare() (kept for the fetch to come).
 */
export async function leaseSource(src: ResolvedSource, tz: string, signal: AbortSignal, use: 'prepare' | 'fetch'): Promise<SourceLease> {
  const key = sourceKey(src, tz);
  let e = entries.get(key);
  const parsedNow = !e;
  if (!e) {
    const idle = [...entries.values()].filter((x) => x.refs === 0);
    if (!exitHooked) {
      exitHooked = true;
      // DuckDB removes its spill files when closed; a process that exits with a source still open leaves them behind.
      process.once('exit', () => entries.forEach((x) => removeTemp(x.tempDir)));
    }
    const tempDir = path.join(os.tmpdir(), `marketpipe-csv-${process.pid}-${randomBytes(4).toString('hex')}`);
    // The entry is registered before anything is awaited, so a concurrent lease of the same files shares this parse.
    const ready = Promise.all(idle.map(closeIdle)).then(() => open(src, tz, tempDir, signal));
    const created: Entry = { key, ready, refs: 0, timer: undefined, tempDir, fetched: false };
    entries.set(key, created);
    // A failed parse is not cached: the next attempt (perhaps after the file was fixed) reads the files again.
    created.ready.catch(() => {
      if (entries.get(key) === created) entries.delete(key);
    });
    e = created;
  }
  const entry = e;
  entry.refs++;
  entry.fetched = use === 'fetch';
  if (entry.timer) {
    clearTimeout(entry.timer);
    entry.timer = undefined;
  }
  let opened: Opened;
  try {
    opened = await entry.ready;
  } catch (err) {
    entry.refs--;
    throw err;
  }
  let released = false;
  return {
    parsed: opened.parsed,
    parsedNow,
    connect: () => opened.instance.connect(),
    writeConnection: () => (opened.writeConn ??= opened.instance.connect()),
    release() {
      if (released) return;
      released = true;
      entry.refs--;
      if (entry.refs === 0 && entries.get(entry.key) === entry) {
        entry.timer = setTimeout(() => void closeIdle(entry), IDLE_MS);
        // an idle cache must not keep a CLI process alive
        entry.timer.unref();
      }
    },
  };
}

/** Closes every cached source nobody is reading (tests; hosts shutting down). */
export async function closeIdleSources(): Promise<void> {
  await Promise.all([...entries.values()].map(closeIdle));
}

/**
 * Closes the cached sources a job's fetch used, now that no fetch reads them (the engine calls it, through the
 * provider's idle(), when the last running fetch ends): their DuckDB, its memory and its spill folder. The next job
 * of the same files parses them again. A parse only prepare() has used is kept for the fetch about to start.
 */
export async function releaseFetchedSources(): Promise<void> {
  await Promise.all([...entries.values()].filter((e) => e.fetched).map(closeIdle));
}

/** How many parsed sources are open (tests). */
export function openSourceCount(): number {
  return entries.size;
}

/** Parses started by this process (logged by prepare(); tests). */
export function sourceParses(): number {
  return parses;
}
