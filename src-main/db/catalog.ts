import path from 'node:path';
import type Database from 'better-sqlite3';
import type { Timeframe } from '../contract/schemas';
import type { CatalogEntry, CatalogStatus, LakeCatalog, PublishedFile } from '../lake/catalog';

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

/** The lake catalog over SQLite (migration 0010): paths are stored relative to the lake's bars root. */
export class CatalogStore implements LakeCatalog {
  private readonly stmts;
  constructor(
    private readonly db: Database.Database,
    private readonly barsRoot: string,
  ) {
    this.stmts = {
      // the partition's row is replaced: a superseded file leaves the catalog as its successor enters it
      put: db.prepare(`INSERT OR REPLACE INTO lake_files (path, timeframe, provider, feed, symbol, year, rows, min_ts, max_ts, bytes, sha256,
          schema_version, job_id, published_at, status, problem) VALUES (@path, @timeframe, @provider, @feed, @symbol, @year, @rows, @min_ts,
          @max_ts, @bytes, @sha256, @schema_version, @job_id, @published_at, 'ok', NULL)`),
      dropPartition: db.prepare(`DELETE FROM lake_files WHERE timeframe = ? AND provider = ? AND feed = ? AND symbol = ? AND year = ? AND path <> ?`),
      all: db.prepare(`SELECT * FROM lake_files ORDER BY path`),
      live: db.prepare(`SELECT * FROM lake_files WHERE status = 'ok' ORDER BY path`),
      bad: db.prepare(`UPDATE lake_files SET status = 'bad', problem = ? WHERE path = ?`),
      remove: db.prepare(`DELETE FROM lake_files WHERE path = ?`),
      getState: db.prepare(`SELECT value FROM lake_catalog_state WHERE key = ?`),
      setState: db.prepare(`INSERT OR REPLACE INTO lake_catalog_state (key, value) VALUES (?, ?)`),
    };
  }

  private rel(file: string): string {
    return path.relative(this.barsRoot, path.resolve(file)).split(path.sep).join('/');
  }

  record(f: PublishedFile): void {
    const rel = this.rel(f.file);
    this.db.transaction(() => {
      this.stmts.dropPartition.run(f.key.timeframe, f.key.provider, f.key.feed, f.key.symbol, f.key.year, rel);
      this.stmts.put.run({
        path: rel,
        ...f.key,
        rows: f.rows,
        min_ts: f.minTs,
        max_ts: f.maxTs,
        bytes: f.bytes,
        sha256: f.sha256,
        schema_version: f.schemaVersion,
        job_id: f.jobId,
        published_at: new Date().toISOString(),
      });
    })();
  }

  private toEntry(r: Row): CatalogEntry {
    return {
      key: { timeframe: r.timeframe as Timeframe, provider: r.provider, feed: r.feed, symbol: r.symbol, year: r.year },
      file: path.join(this.barsRoot, ...r.path.split('/')),
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

  markBad(file: string, problem: string): void {
    this.stmts.bad.run(problem, this.rel(file));
  }

  remove(file: string): void {
    this.stmts.remove.run(this.rel(file));
  }

  adopted(): boolean {
    return this.stmts.getState.get('adopted') !== undefined;
  }

  setAdopted(): void {
    this.stmts.setState.run('adopted', new Date().toISOString());
  }
}
