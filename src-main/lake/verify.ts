import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { pidAlive } from '../shared/process';
import { LAKE_SCHEMA, keyOfPath, type CatalogEntry, type LakeCatalog, type RetainedFile } from './catalog';
import { TMP_SUFFIX, dirEntries, sqlString, tempFilePid } from './layout';
import { fileStats, sha256File } from './publish';

// Checks of the lake against its catalog. quickCheck (presence and size: a stat per file) runs at every start and marks
// damaged files `bad`, so the views leave them out; verifyLake (`marketpipe lake verify`) also hashes and reads every
// file and lists every file of the tree the catalog does not know.

export type ProblemKind = 'missing' | 'size' | 'checksum' | 'unreadable' | 'schema' | 'rows' | 'foreign';

export interface LakeProblem {
  /** absolute path */
  file: string;
  kind: ProblemKind;
  detail: string;
  /** the catalog's entry, when the file is catalogued */
  entry?: CatalogEntry;
}

/** Presence and size of every live catalogued file; those that fail are marked bad. Returns what it marked. */
export function quickCheck(catalog: LakeCatalog): LakeProblem[] {
  const out: LakeProblem[] = [];
  for (const e of catalog.liveFiles()) {
    let problem: LakeProblem | undefined;
    try {
      const size = fs.statSync(e.file).size;
      if (size !== e.bytes) problem = { file: e.file, kind: 'size', detail: `${size} bytes, catalogued ${e.bytes}`, entry: e };
    } catch {
      problem = { file: e.file, kind: 'missing', detail: 'catalogued but not on disk', entry: e };
    }
    if (problem) {
      catalog.markBad(e.file, `${problem.kind}: ${problem.detail}`);
      out.push(problem);
    }
  }
  return out;
}

/** The columns and DuckDB types of a Parquet file, in order (throws when it cannot be read). */
export async function describeParquet(conn: DuckDBConnection, file: string): Promise<Array<[string, string]>> {
  const r = await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)}, hive_partitioning = false)`);
  return r.getRows().map((row) => [String(row[0]), String(row[1])]);
}

export function schemaProblem(cols: Array<[string, string]>): string | null {
  const want = LAKE_SCHEMA.map(([c, t]) => `${c} ${t}`).join(', ');
  const got = cols.map(([c, t]) => `${c} ${t}`).join(', ');
  return want === got ? null : `columns (${got}), expected (${want})`;
}

/** Reads every value of every column (a count alone could be answered from the footer). */
async function readAll(conn: DuckDBConnection, file: string): Promise<void> {
  const cols = LAKE_SCHEMA.map(([c]) => `count(${c})`).join(', ');
  await conn.runAndReadAll(`SELECT count(*), ${cols}, max(epoch_ms(ts)), sum(open + high + low + close + volume), max(length(session)) FROM read_parquet(${sqlString(file)}, hive_partitioning = false)`);
}

/** Every regular file under `root` except live writers' temp files (a dead writer's is debris: reported). */
function treeFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    const entries = dirEntries(dir);
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(TMP_SUFFIX)) {
        const pid = tempFilePid(e.name);
        if (!Number.isInteger(pid) || !pidAlive(pid)) out.push(p);
      } else out.push(p);
    }
  };
  walk(root);
  return out.sort();
}

/**
 * A damaged superseded file of the retained area. Only `query --as-of` reads these, and only for the snapshots that
 * held the file ([first, last]): the live lake is not affected.
 */
export interface RetainedProblem {
  /** absolute path in the retained area */
  file: string;
  kind: 'missing' | 'size' | 'checksum';
  detail: string;
  snapshots: { first: number; last: number };
}

export interface VerifyReport {
  /** live catalogued files checked */
  checked: number;
  rows: number;
  bytes: number;
  problems: LakeProblem[];
  /** the retained files (what older snapshots read): present, size, checksum */
  retained: { checked: number; bytes: number; problems: RetainedProblem[] };
}

/**
 * Checks every live catalogued file (present, size, checksum, readable, schema, rows), every file of the tree, and every
 * retained file (present, size, checksum: its content was read and checked when it was live).
 */
export async function verifyLake(barsRoot: string, catalog: LakeCatalog, opts: { quick?: boolean } = {}): Promise<VerifyReport> {
  const problems: LakeProblem[] = [];
  const entries = catalog.entries();
  const retained = catalog.retained();
  const retainedProblems: RetainedProblem[] = [];
  let rows = 0;
  let bytes = 0;
  const instance = opts.quick ? undefined : await DuckDBInstance.create(':memory:', { memory_limit: '512MB' });
  const conn = await instance?.connect();
  try {
    for (const e of entries) {
      rows += e.rows;
      bytes += e.bytes;
      const p = await checkEntry(conn, e);
      if (p) problems.push(p);
    }
    const known = new Set(entries.map((e) => path.resolve(e.file)));
    for (const f of treeFiles(barsRoot)) {
      if (known.has(path.resolve(f))) continue;
      const where = keyOfPath(barsRoot, f) ? 'a data file the catalog does not list' : 'not a catalogued lake file';
      problems.push({ file: f, kind: 'foreign', detail: where });
    }
    for (const r of retained) {
      const p = await checkRetained(r, opts.quick === true);
      if (p) retainedProblems.push(p);
    }
  } finally {
    conn?.closeSync();
    instance?.closeSync();
  }
  return { checked: entries.length, rows, bytes, problems, retained: { checked: retained.length, bytes: retained.reduce((n, r) => n + r.bytes, 0), problems: retainedProblems } };
}

async function checkRetained(r: RetainedFile, quick: boolean): Promise<RetainedProblem | null> {
  const snapshots = { first: r.beginSnapshot, last: r.endSnapshot - 1 };
  let size: number;
  try {
    size = fs.statSync(r.file).size;
  } catch {
    return { file: r.file, kind: 'missing', detail: 'retained for older snapshots but not on disk', snapshots };
  }
  if (size !== r.bytes) return { file: r.file, kind: 'size', detail: `${size} bytes, catalogued ${r.bytes}`, snapshots };
  if (quick) return null;
  const sha = await sha256File(r.file);
  if (sha !== r.sha256) return { file: r.file, kind: 'checksum', detail: `sha256 ${sha.slice(0, 12)}…, catalogued ${r.sha256.slice(0, 12)}…`, snapshots };
  return null;
}

async function checkEntry(conn: DuckDBConnection | undefined, e: CatalogEntry): Promise<LakeProblem | null> {
  let size: number;
  try {
    size = fs.statSync(e.file).size;
  } catch {
    return { file: e.file, kind: 'missing', detail: 'catalogued but not on disk', entry: e };
  }
  if (size !== e.bytes) return { file: e.file, kind: 'size', detail: `${size} bytes, catalogued ${e.bytes}`, entry: e };
  if (!conn) return null;
  const sha = await sha256File(e.file);
  if (sha !== e.sha256) return { file: e.file, kind: 'checksum', detail: `sha256 ${sha.slice(0, 12)}…, catalogued ${e.sha256.slice(0, 12)}…`, entry: e };
  try {
    const bad = schemaProblem(await describeParquet(conn, e.file));
    if (bad) return { file: e.file, kind: 'schema', detail: bad, entry: e };
    await readAll(conn, e.file);
    const stats = await fileStats(conn, e.file);
    if (stats.rows !== e.rows) return { file: e.file, kind: 'rows', detail: `${stats.rows} rows, catalogued ${e.rows}`, entry: e };
  } catch (err) {
    return { file: e.file, kind: 'unreadable', detail: oneLine(err), entry: e };
  }
  return null;
}

function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 300);
}
