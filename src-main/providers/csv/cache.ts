import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { parseSource, type ParsedSource } from './parse';
import { sourceKey, type ResolvedSource } from './sources';

// Why a cache: prepare() must read every row to refuse a bad file before a job exists, and the ingest runner then calls
// fetchBars() once per (symbol, year). Parsing per call would read a 10-million-row file 1 + symbols x years times.
// So a parsed source lives in its own in-memory DuckDB (which spills to a temp folder past its memory limit) from
// prepare() through the job's fetches, keyed by the files' size and mtime and the --tz, and is closed once no fetch
// has used it for IDLE_MS. Only one idle source is kept: a new parse closes the idle ones first.

const IDLE_MS = 60_000;
const MEMORY_LIMIT = '1GB';

interface Entry {
  key: string;
  ready: Promise<Opened>;
  refs: number;
  timer: NodeJS.Timeout | undefined;
  tempDir: string;
}

interface Opened {
  instance: DuckDBInstance;
  parsed: ParsedSource;
  /** the connection the lake writer copies units through, opened on first use (see SourceLease.writeConnection) */
  writeConn?: Promise<DuckDBConnection>;
}

export interface SourceLease {
  parsed: ParsedSource;
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

function removeTemp(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Closes an entry nobody is reading; one leased again meanwhile (refs > 0) stays open. */
async function closeIdle(e: Entry): Promise<void> {
  if (e.refs > 0) return;
  if (e.timer) clearTimeout(e.timer);
  entries.delete(e.key);
  try {
    const opened = await e.ready;
    if (opened.writeConn) (await opened.writeConn).closeSync();
    opened.instance.closeSync();
  } catch {
    // a failed parse has closed its instance already
  }
  removeTemp(e.tempDir);
}

async function open(src: ResolvedSource, tz: string, tempDir: string, signal: AbortSignal): Promise<Opened> {
  const instance = await DuckDBInstance.create(':memory:', { memory_limit: MEMORY_LIMIT, temp_directory: tempDir });
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

/** The parsed source (parsing it now if no current parse of these files is cached); release() when done. */
export async function leaseSource(src: ResolvedSource, tz: string, signal: AbortSignal): Promise<SourceLease> {
  const key = sourceKey(src, tz);
  let e = entries.get(key);
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
    const created: Entry = { key, ready, refs: 0, timer: undefined, tempDir };
    entries.set(key, created);
    // A failed parse is not cached: the next attempt (perhaps after the file was fixed) reads the files again.
    created.ready.catch(() => {
      if (entries.get(key) === created) entries.delete(key);
    });
    e = created;
  }
  const entry = e;
  entry.refs++;
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

/** How many parsed sources are open (tests). */
export function openSourceCount(): number {
  return entries.size;
}
