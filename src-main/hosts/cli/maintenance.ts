import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { Timeframe } from '../../contract/schemas';
import { CatalogStore } from '../../db/catalog';
import { moveAll } from '../../lake/commit';
import { dirEntries, isDataFileName, listBarFiles, tempFilePid } from '../../lake/layout';

// `marketpipe prune` and `marketpipe doctor`: housekeeping over the metadata database and the lake's layout. Each
// prune is a plan (what would go) that `apply` carries out; nothing here runs unless asked.

export interface PrunePlan {
  what: 'bars' | 'jobs' | 'metrics' | 'queries';
  /** one line per item that would go (or went) */
  items: string[];
  apply(): number | Promise<number>;
}

/** 'YYYY-MM-DD' of an instant, UTC (cutoffs are days, not instants: a day either way does not matter here). */
const dateOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

interface BarPartition {
  dir: string;
  timeframe: string;
  provider: string;
  feed: string;
  symbol: string;
  year: number;
}

/** The year partitions of the lake, from the folder names (the lake's layout). */
function barPartitions(barsRoot: string): BarPartition[] {
  const byDir = new Map<string, BarPartition>();
  for (const file of listBarFiles(barsRoot)) {
    const dir = path.dirname(file);
    const parts = Object.fromEntries(path.relative(barsRoot, dir).split(path.sep).map((p) => p.split('=', 2) as [string, string]));
    const year = Number(parts.year);
    if (!parts.timeframe || !parts.provider || !parts.feed || !parts.symbol || !Number.isInteger(year)) continue;
    byDir.set(dir, { dir, timeframe: parts.timeframe, provider: parts.provider, feed: parts.feed, symbol: parts.symbol, year });
  }
  return [...byDir.values()];
}

/**
 * Bars: whole exchange-year partitions whose last day is before the cutoff, with their coverage rows (so a later
 * ingest fetches those sessions again). Taking them out of the live lake is a commit like any other: the catalog's rows
 * are ended in a snapshot and the files move to the retained area, so `query --as-of` an earlier job still reads them
 * until `lake vacuum` removes them (MP_RETAIN_DAYS after the prune).
 */
export function pruneBars(db: Database.Database, barsRoot: string, cutoffMs: number): PrunePlan {
  const cutoff = dateOf(cutoffMs);
  const old = barPartitions(barsRoot).filter((p) => `${p.year}-12-31` < cutoff);
  const dropCoverage = db.prepare(`DELETE FROM coverage WHERE symbol = ? AND timeframe = ? AND provider = ? AND feed = ? AND session_date BETWEEN ? AND ?`);
  return {
    what: 'bars',
    items: old.map((p) => path.relative(barsRoot, p.dir)),
    apply: async () => {
      const catalog = new CatalogStore(db, barsRoot);
      for (const p of old) {
        const key = { timeframe: p.timeframe, provider: p.provider, feed: p.feed, symbol: p.symbol, year: p.year } as const;
        const files = catalog.entries().filter((e) => e.key.timeframe === p.timeframe && e.key.provider === p.provider && e.key.feed === p.feed && e.key.symbol === p.symbol && e.key.year === p.year);
        // coverage and catalog in one transaction, then the moves: a crash after it leaves ended files in the tree,
        // which the next start's sweep moves (as after any commit); never coverage or catalog rows without files
        const { moves } = db.transaction(() => {
          dropCoverage.run(p.symbol, p.timeframe, p.provider, p.feed, `${p.year}-01-01`, `${p.year}-12-31`);
          return files.length > 0 ? catalog.commit({ key: { ...key, timeframe: key.timeframe as Timeframe }, added: null, removed: files.map((f) => f.file), jobId: null, kind: 'prune' }) : { moves: [] };
        })();
        await moveAll(moves);
        // what is left is not the catalog's (strays, an older build's uncatalogued files): it goes with the partition
        fs.rmSync(p.dir, { recursive: true, force: true });
      }
      return old.length;
    },
  };
}

/** Jobs that finished (succeeded, failed, cancelled) before the cutoff, with their tasks and timeline events. */
export function pruneJobs(db: Database.Database, cutoffMs: number): PrunePlan {
  const iso = new Date(cutoffMs).toISOString();
  const rows = db
    .prepare(`SELECT id, status, created_at FROM jobs WHERE status IN ('succeeded', 'failed', 'cancelled') AND coalesce(finished_at, created_at) < ? ORDER BY created_at`)
    .all(iso) as { id: string; status: string; created_at: string }[];
  return {
    what: 'jobs',
    items: rows.map((r) => `job ${r.id} ${r.status} ${r.created_at}`),
    apply: () =>
      db.transaction(() => {
        for (const r of rows) {
          db.prepare('DELETE FROM job_events WHERE job_id = ?').run(r.id);
          db.prepare('DELETE FROM job_tasks WHERE job_id = ?').run(r.id);
          db.prepare('DELETE FROM jobs WHERE id = ?').run(r.id);
        }
        return rows.length;
      })(),
  };
}

/** Metrics history samples recorded before the cutoff (the latest value of each series stays). */
export function pruneMetrics(db: Database.Database, cutoffMs: number): PrunePlan {
  const n = db.prepare('SELECT count(*) FROM metrics_samples WHERE ts < ?').pluck().get(cutoffMs) as number;
  return {
    what: 'metrics',
    items: n > 0 ? [`${n} metrics sample(s) recorded before ${new Date(cutoffMs).toISOString()}`] : [],
    apply: () => db.prepare('DELETE FROM metrics_samples WHERE ts < ?').run(cutoffMs).changes,
  };
}

/** Query history entries run before the cutoff (saved queries stay). */
export function pruneQueries(db: Database.Database, cutoffMs: number): PrunePlan {
  const iso = new Date(cutoffMs).toISOString();
  const n = db.prepare('SELECT count(*) FROM query_history WHERE ran_at < ?').pluck().get(iso) as number;
  return {
    what: 'queries',
    items: n > 0 ? [`${n} query history entr${n === 1 ? 'y' : 'ies'} run before ${iso}`] : [],
    apply: () => db.prepare('DELETE FROM query_history WHERE ran_at < ?').run(iso).changes,
  };
}

export interface Problem {
  problem: string;
  fix: string;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Stuck or interrupted jobs and lake problems, each with the command that fixes it. */
export function diagnose(db: Database.Database, barsRoot: string, pendingMigrations: number): Problem[] {
  const out: Problem[] = [];
  if (pendingMigrations > 0) out.push({ problem: `${pendingMigrations} database migration(s) pending`, fix: 'marketpipe migrate' });
  const jobs = db
    .prepare(
      `SELECT j.id, j.status, j.pid, j.error_code, (SELECT count(*) FROM job_tasks t WHERE t.job_id = j.id AND t.status = 'pending') AS pending
       FROM jobs j WHERE j.status IN ('queued', 'running', 'failed', 'cancelled') ORDER BY j.created_at`,
    )
    .all() as { id: string; status: string; pid: number | null; error_code: string | null; pending: number }[];
  for (const j of jobs) {
    if ((j.status === 'running' || j.status === 'queued') && j.pid !== null && !alive(j.pid)) {
      out.push({ problem: `job ${j.id} is ${j.status} but its process ${j.pid} is gone (${j.pending} unit(s) pending)`, fix: `marketpipe ingest --resume ${j.id}` });
    } else if (j.status !== 'running' && j.status !== 'queued' && j.pending > 0) {
      const why = j.error_code === 'E_INTERRUPTED' ? 'was interrupted' : j.status === 'cancelled' ? 'was cancelled' : `failed (${j.error_code ?? 'error'})`;
      out.push({ problem: `job ${j.id} ${why} with ${j.pending} unit(s) pending`, fix: `marketpipe ingest --resume ${j.id}` });
    }
  }
  // lake: temp files of dead writers, year folders without their data file, coverage without files
  const walk = (dir: string, depth: number): void => {
    const entries = dirEntries(dir);
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (depth < 5 && e.isDirectory()) walk(p, depth + 1);
      else if (depth === 5 && e.isFile() && e.name.endsWith('.tmp')) {
        const pid = tempFilePid(e.name);
        if (!(pid > 0 && alive(pid))) out.push({ problem: `temp file of an unfinished write: ${path.relative(barsRoot, p)}`, fix: `rm ${JSON.stringify(p)}` });
      }
    }
    if (depth === 5 && !entries.some((e) => isDataFileName(e.name)) && entries.every((e) => e.name.endsWith('.tmp'))) {
      out.push({ problem: `empty partition folder: ${path.relative(barsRoot, dir)}`, fix: `rm -r ${JSON.stringify(dir)}` });
    }
  };
  walk(barsRoot, 0);
  const held = new Set(barPartitions(barsRoot).map((p) => `${p.timeframe}/${p.provider}/${p.feed}/${p.symbol}/${p.year}`));
  const covered = db
    .prepare(`SELECT timeframe, provider, feed, symbol, substr(session_date, 1, 4) AS year, min(session_date) AS first, max(session_date) AS last FROM coverage GROUP BY 1, 2, 3, 4, 5`)
    .all() as { timeframe: string; provider: string; feed: string; symbol: string; year: string; first: string; last: string }[];
  for (const c of covered) {
    if (held.has(`${c.timeframe}/${c.provider}/${c.feed}/${c.symbol}/${Number(c.year)}`)) continue;
    out.push({
      problem: `coverage says ${c.symbol} ${c.provider}/${c.feed} ${c.timeframe} ${c.first}..${c.last} is in the lake, but its file is missing`,
      fix: `marketpipe ingest --provider ${c.provider} --feed ${c.feed} --timeframe ${c.timeframe} --symbols ${c.symbol} --start ${c.first} --end ${c.last} --force`,
    });
  }
  return out;
}
