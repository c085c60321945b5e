import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { Timeframe } from '../contract/schemas';
import type { CatalogCommit, CatalogEntry, CatalogStatus, CommitResult, DamagedFile, LakeCatalog, PublishedFile, RetainedFile, Snapshot } from '../lake/catalog';
import { retainedRoot, type PartitionKey } from '../lake/layout';
import { MpError } from '../shared/errors';

interface Row {
  path: string;
  timeframe: string;
  provider: string;
  feed: string;
  symbol: string;
  year: number;
  rows: number;
  min_ts: number | null;
  max_ts: number | null;
  bytes: number;
  sha256: string;
  schema_version: number;
  job_id: string | null;
  status: CatalogStatus;
  problem: string | null;
}

interface SnapshotRow {
  id: number;
  at: string;
  at_ms: number;
  job_id: string | null;
  kind: string;
}

const LIVE = 'end_snapshot IS NULL';

/**
 * The lake catalog over SQLite (migrations 0010, 0012): paths are stored relative to the lake's bars root, retained
 * paths relative to the retained area. Every commit is a snapshot (lake_snapshots); a file row is live from its
 * begin_snapshot until its end_snapshot.
 */
export class CatalogStore implements LakeCatalog {
  private readonly stmts;
  private readonly retainedRoot: string;
  constructor(
    private readonly db: Database.Database,
    private readonly barsRoot: string,
  ) {
    this.retainedRoot = retainedRoot(barsRoot);
    this.stmts = {
      put: db.prepare(`INSERT OR REPLACE INTO lake_files (path, timeframe, provider, feed, symbol, year, rows, min_ts, max_ts, bytes, sha256,
          schema_version, job_id, published_at, status, problem, begin_snapshot, end_snapshot, retained_path) VALUES (@path, @timeframe, @provider,
          @feed, @symbol, @year, @rows, @min_ts, @max_ts, @bytes, @sha256, @schema_version, @job_id, @published_at, 'ok', NULL, @snapshot, NULL, NULL)`),
      end: db.prepare(`UPDATE lake_files SET end_snapshot = ?, retained_path = ? WHERE path = ? AND ${LIVE}`),
      snapshot: db.prepare(`INSERT INTO lake_snapshots (at, at_ms, job_id, kind, detail) VALUES (?, ?, ?, ?, ?)`),
      all: db.prepare(`SELECT * FROM lake_files WHERE ${LIVE} ORDER BY path`),
      live: db.prepare(`SELECT * FROM lake_files WHERE ${LIVE} AND status = 'ok' ORDER BY path`),
      partition: db.prepare(`SELECT * FROM lake_files WHERE ${LIVE} AND status = 'ok' AND timeframe = ? AND provider = ? AND feed = ? AND symbol = ? AND year = ? ORDER BY min_ts, path`),
      bad: db.prepare(`UPDATE lake_files SET status = 'bad', problem = ? WHERE path = ? AND ${LIVE}`),
      // a quarantined file's row is ended, not deleted: the snapshots before the repair held it (see damagedAt)
      quarantine: db.prepare(`UPDATE lake_files SET end_snapshot = ?, retained_path = NULL, status = 'bad', problem = ? WHERE path = ? AND ${LIVE}`),
      retainedBad: db.prepare(`UPDATE lake_files SET status = 'bad', problem = ? WHERE retained_path = ? AND end_snapshot IS NOT NULL`),
      damagedAt: db.prepare(`SELECT path, retained_path, end_snapshot, problem FROM lake_files WHERE begin_snapshot <= @id AND (end_snapshot IS NULL OR end_snapshot > @id) AND status = 'bad' ORDER BY path`),
      knows: db.prepare(`SELECT 1 FROM lake_files WHERE path = ?`),
      retainedTaken: db.prepare(`SELECT 1 FROM lake_files WHERE retained_path = ?`),
      ended: db.prepare(`SELECT path, retained_path FROM lake_files WHERE end_snapshot IS NOT NULL AND retained_path IS NOT NULL`),
      retained: db.prepare(`SELECT f.path, f.retained_path, f.bytes, f.sha256, f.begin_snapshot, f.end_snapshot, s.at_ms FROM lake_files f JOIN lake_snapshots s ON s.id = f.end_snapshot
          WHERE f.end_snapshot IS NOT NULL AND f.retained_path IS NOT NULL AND f.status = 'ok' ORDER BY f.end_snapshot, f.path`),
      forget: db.prepare(`DELETE FROM lake_files WHERE path = ? AND end_snapshot IS NOT NULL`),
      at: db.prepare(`SELECT path, retained_path, end_snapshot FROM lake_files WHERE begin_snapshot <= @id AND (end_snapshot IS NULL OR end_snapshot > @id) AND status = 'ok' ORDER BY path`),
      ofJob: db.prepare(`SELECT id, at, at_ms, job_id, kind FROM lake_snapshots WHERE job_id = ? ORDER BY id DESC LIMIT 1`),
      atTime: db.prepare(`SELECT id, at, at_ms, job_id, kind FROM lake_snapshots WHERE at_ms <= ? ORDER BY id DESC LIMIT 1`),
      firstSnapshot: db.prepare(`SELECT id, at, at_ms, job_id, kind FROM lake_snapshots WHERE id >= ? ORDER BY id LIMIT 1`),
      // a job commits once per partition: it is listed once, by its last commit (what `--as-of JOB_ID` reads)
      listSnapshots: db.prepare(`SELECT id, at, at_ms, job_id, kind FROM lake_snapshots s WHERE id >= @from
          AND (job_id IS NULL OR id = (SELECT max(id) FROM lake_snapshots t WHERE t.job_id = s.job_id)) ORDER BY id DESC LIMIT @limit`),
      pending: db.prepare(`INSERT OR REPLACE INTO lake_pending (path, pid, started_at) VALUES (?, ?, ?)`),
      clearPending: db.prepare(`DELETE FROM lake_pending WHERE path = ?`),
      allPending: db.prepare(`SELECT path, pid FROM lake_pending`),
      getState: db.prepare(`SELECT value FROM lake_catalog_state WHERE key = ?`),
      setState: db.prepare(`INSERT OR REPLACE INTO lake_catalog_state (key, value) VALUES (?, ?)`),
    };
  }

  private rel(file: string): string {
    return path.relative(this.barsRoot, path.resolve(file)).split(path.sep).join('/');
  }

  private abs(rel: string, root = this.barsRoot): string {
    return path.join(root, ...rel.split('/'));
  }

  /** A free name in the retained area (names are unique, but a legacy data.parquet may recur in a partition). */
  private retainedTarget(rel: string): string {
    let target = rel;
    for (let i = 1; fs.existsSync(this.abs(target, this.retainedRoot)) || this.stmts.retainedTaken.get(target) !== undefined; i++) {
      target = `${rel.replace(/\.parquet$/, '')}.r${i}.parquet`;
    }
    return target;
  }

  record(f: PublishedFile): void {
    this.commit({ key: f.key, added: f, removed: [], jobId: f.jobId, kind: 'adopt' });
  }

  commit(c: CatalogCommit): CommitResult {
    return this.commitMany([c]);
  }

  commitMany(cs: CatalogCommit[]): CommitResult {
    if (cs.length === 0) throw new MpError('E_INTERNAL', 'a catalog commit needs at least one change');
    return this.db.transaction((): CommitResult => {
      const now = Date.now();
      const k = cs[0]!.key;
      // one snapshot for the whole group: its detail names the partition, or how many there are
      const detail = cs.length === 1 ? `${k.timeframe}/${k.provider}/${k.feed}/${k.symbol}/${k.year}` : `${cs.length} partitions`;
      const snapshot = Number(this.stmts.snapshot.run(new Date(now).toISOString(), now, cs[0]!.jobId, cs[0]!.kind, detail).lastInsertRowid);
      const moves: CommitResult['moves'] = [];
      for (const c of cs) this.apply(c, snapshot, now, moves);
      return { snapshot, moves };
    })();
  }

  pendingAll(files: string[]): void {
    this.db.transaction(() => {
      for (const f of files) this.pending(f);
    })();
  }

  /** One partition's change of a commit, inside its transaction. */
  private apply(c: CatalogCommit, snapshot: number, now: number, moves: CommitResult['moves']): void {
    for (const file of c.removed) {
      const rel = this.rel(file);
      const target = this.retainedTarget(rel);
      if (this.stmts.end.run(snapshot, target, rel).changes > 0) moves.push({ from: this.abs(rel), to: this.abs(target, this.retainedRoot) });
    }
    if (c.added) {
      const f = c.added;
      this.stmts.put.run({
        path: this.rel(f.file),
        ...f.key,
        rows: f.rows,
        min_ts: f.minTs,
        max_ts: f.maxTs,
        bytes: f.bytes,
        sha256: f.sha256,
        schema_version: f.schemaVersion,
        job_id: f.jobId,
        published_at: new Date(now).toISOString(),
        snapshot,
      });
      this.stmts.clearPending.run(this.rel(f.file));
    }
  }

  private toEntry(r: Row): CatalogEntry {
    return {
      key: { timeframe: r.timeframe as Timeframe, provider: r.provider, feed: r.feed, symbol: r.symbol, year: r.year },
      file: this.abs(r.path),
      rows: r.rows,
      minTs: r.min_ts,
      maxTs: r.max_ts,
      bytes: r.bytes,
      sha256: r.sha256,
      schemaVersion: r.schema_version,
      jobId: r.job_id,
      status: r.status,
      problem: r.problem,
    };
  }

  entries(): CatalogEntry[] {
    return (this.stmts.all.all() as Row[]).map((r) => this.toEntry(r));
  }

  liveFiles(): CatalogEntry[] {
    return (this.stmts.live.all() as Row[]).map((r) => this.toEntry(r));
  }

  partitionFiles(k: PartitionKey): CatalogEntry[] {
    return (this.stmts.partition.all(k.timeframe, k.provider, k.feed, k.symbol, k.year) as Row[]).map((r) => this.toEntry(r));
  }

  markBad(file: string, problem: string): void {
    this.stmts.bad.run(problem, this.rel(file));
  }

  quarantine(file: string, problem: string): number {
    return this.db.transaction((): number => {
      const rel = this.rel(file);
      const now = Date.now();
      const snapshot = Number(this.stmts.snapshot.run(new Date(now).toISOString(), now, null, 'repair', rel).lastInsertRowid);
      this.stmts.quarantine.run(snapshot, problem, rel);
      return snapshot;
    })();
  }

  markRetainedBad(file: string, problem: string): void {
    this.stmts.retainedBad.run(problem, path.relative(this.retainedRoot, path.resolve(file)).split(path.sep).join('/'));
  }

  damagedAt(id: number): DamagedFile[] {
    const rows = this.stmts.damagedAt.all({ id }) as Array<{ path: string; retained_path: string | null; end_snapshot: number | null; problem: string | null }>;
    const dataRoot = path.dirname(path.dirname(this.barsRoot));
    return rows.map((r) => {
      const file = r.end_snapshot !== null && r.retained_path !== null ? this.abs(r.retained_path, this.retainedRoot) : this.abs(r.path);
      return { file, rel: path.relative(dataRoot, file), problem: r.problem ?? 'damaged', quarantined: r.end_snapshot !== null };
    });
  }

  adopted(): boolean {
    return this.stmts.getState.get('adopted') !== undefined;
  }

  setAdopted(): void {
    this.stmts.setState.run('adopted', new Date().toISOString());
  }

  pending(file: string): void {
    this.stmts.pending.run(this.rel(file), process.pid, new Date().toISOString());
  }

  stalePending(alive: (pid: number) => boolean): string[] {
    const rows = this.stmts.allPending.all() as Array<{ path: string; pid: number }>;
    return rows.filter((r) => r.pid !== process.pid && !alive(r.pid)).map((r) => this.abs(r.path));
  }

  clearPending(file: string): void {
    this.stmts.clearPending.run(this.rel(file));
  }

  knows(file: string): boolean {
    return this.stmts.knows.get(this.rel(file)) !== undefined;
  }

  ended(): Array<{ from: string; to: string }> {
    const rows = this.stmts.ended.all() as Array<{ path: string; retained_path: string }>;
    return rows.map((r) => ({ from: this.abs(r.path), to: this.abs(r.retained_path, this.retainedRoot) }));
  }

  private toSnapshot(r: SnapshotRow): Snapshot {
    return { id: r.id, at: r.at, atMs: r.at_ms, jobId: r.job_id, kind: r.kind };
  }

  snapshotOfJob(jobId: string): Snapshot | undefined {
    const r = this.stmts.ofJob.get(jobId) as SnapshotRow | undefined;
    return r && this.toSnapshot(r);
  }

  snapshotAt(ms: number): Snapshot | undefined {
    const r = this.stmts.atTime.get(ms) as SnapshotRow | undefined;
    return r && this.toSnapshot(r);
  }

  snapshotFrom(id: number): Snapshot {
    return this.toSnapshot(this.stmts.firstSnapshot.get(id) as SnapshotRow);
  }

  snapshots(limit: number): Snapshot[] {
    const rows = this.stmts.listSnapshots.all({ from: this.oldestSnapshot().id, limit }) as SnapshotRow[];
    return rows.map((r) => this.toSnapshot(r));
  }

  oldestSnapshot(): Snapshot {
    return this.snapshotFrom(Number((this.stmts.getState.get('oldest_snapshot') as { value: string } | undefined)?.value ?? 1));
  }

  filesAt(id: number): string[] {
    const rows = this.stmts.at.all({ id }) as Array<{ path: string; retained_path: string | null; end_snapshot: number | null }>;
    return rows.map((r) => (r.end_snapshot === null || r.retained_path === null ? this.abs(r.path) : this.abs(r.retained_path, this.retainedRoot)));
  }

  retained(): RetainedFile[] {
    const rows = this.stmts.retained.all() as Array<{ path: string; retained_path: string; bytes: number; sha256: string; begin_snapshot: number; end_snapshot: number; at_ms: number }>;
    return rows.map((r) => ({
      file: this.abs(r.retained_path, this.retainedRoot),
      was: this.abs(r.path),
      bytes: r.bytes,
      sha256: r.sha256,
      beginSnapshot: r.begin_snapshot,
      endSnapshot: r.end_snapshot,
      endedAtMs: r.at_ms,
    }));
  }

  forgetRetained(files: string[], oldest: number): void {
    const byRetained = new Map(this.retained().map((r) => [path.resolve(r.file), r.was]));
    this.db.transaction(() => {
      for (const f of files) {
        const was = byRetained.get(path.resolve(f));
        if (was !== undefined) this.stmts.forget.run(this.rel(was));
      }
      const cur = Number((this.stmts.getState.get('oldest_snapshot') as { value: string } | undefined)?.value ?? 1);
      if (oldest > cur) this.stmts.setState.run('oldest_snapshot', String(oldest));
    })();
  }

}
