import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { ChartService } from './chart/service';
import { CatalogStore } from './db/catalog';
import { CoverageStore } from './db/coverage';
import { JobStore, WriterLease } from './db/jobs';
import { migrate } from './db/migrations';
import { openDb } from './db/open';
import { adoptLake } from './lake/adopt';
import { sweepDebris } from './lake/commit';
import { sweepTempFiles } from './lake/fsync';
import { RETAIN_DAYS } from './lake/snapshots';
import { registerCatalog, type LakeCatalog } from './lake/catalog';
import type { LakeDeps } from './lake/handlers';
import { parsePrecedence } from './lake/sources';
import { quickCheck } from './lake/verify';
import { listBarFiles } from './lake/layout';
import { LakeWriter } from './lake/writer';
import { MetricsHistory, startHistorySampler, type EngineMetrics } from './metrics';
import { TimelineStore } from './pipeline/timeline';
import { QueryClient, type QueryLimits } from './query/client';
import type { QueryLauncher } from './query/process';
import { prepareSpillDir } from './query/service';
import { Workbench, type ExportPathChooser } from './query/workbench';
import type { DataPaths } from './settings/paths';
import { readEnv } from './settings/env';
import { SettingsStore } from './settings/store';
import { MpError } from './shared/errors';
import type { Logger } from './shared/log';
import { pidAlive } from './shared/process';
import { UniverseStore } from './universe/store';
import { ValidationStore } from './validate/store';

export interface ServicesOptions {
  paths: DataPaths;
  log: Logger;
  metrics: EngineMetrics;
  /** MP_SOURCE_PRECEDENCE, as given */
  sourcePrecedence: string | undefined;
  /** better_sqlite3.node built for this runtime's ABI (Electron passes its own build). */
  sqliteNativeBinding?: string;
  /** the process environment (MP_COMPACT_THRESHOLD); process.env when not given */
  env?: NodeJS.ProcessEnv;
  /** the desktop host's save dialog for workbench exports; without one, exports become one-time downloads (web) */
  chooseExportPath?: ExportPathChooser;
  /** the query process's limits (MP_QUERY_MEMORY_MB), read when the first query runs (a bad value fails only queries) */
  queryLimits?: () => Partial<QueryLimits>;
  /** how the query process is started (the desktop: Electron's utility process); default: fork */
  queryLauncher?: QueryLauncher;
}

/**
 * The engine's services, each built on first use and kept (lazy, idempotent bootstrap): constructing an engine, or
 * asking for --help, creates no file. Whatever needs the data folder opens the database first, which creates it and
 * applies the pending migrations.
 */
export class Services {
  private readonly built = new Map<string, unknown>();
  private dbHandle: Database.Database | undefined;
  private historySampler: { sampleNow(): Promise<number>; stop(): Promise<void> } | undefined;
  private closing = false;
  private unregisterCatalog: (() => void) | undefined;

  constructor(private readonly o: ServicesOptions) {}

  private lazy<T>(key: string, make: () => T): T {
    if (!this.built.has(key)) this.built.set(key, make());
    return this.built.get(key) as T;
  }

  /** Opens (creating if needed) the metadata DB and applies pending migrations. Idempotent. */
  db(): Database.Database {
    if (this.closing) throw new MpError('E_INTERNAL', 'engine is closing');
    if (!this.dbHandle) {
      const db = openDb(this.o.paths.db, { nativeBinding: this.o.sqliteNativeBinding });
      try {
        const applied = migrate(db);
        if (applied.length) this.o.log.info('migrations applied', { applied });
      } catch (e) {
        db.close();
        throw e;
      }
      fs.mkdirSync(this.o.paths.bars, { recursive: true });
      this.dbHandle = db;
      // Selection (aggregation, validation, the chart) reads the catalogued files once the lake is adopted; a lake of
      // an older build is read from its folders until lake() has adopted it.
      const catalog = this.catalogStore();
      if (!catalog.adopted() && catalog.entries().length === 0 && listBarFiles(this.o.paths.bars).length === 0) catalog.setAdopted();
      if (catalog.adopted()) this.unregisterCatalog = registerCatalog(this.o.paths.bars, catalog);
      // every process, CLI included, records samples of its metrics (every 15 s and at job end)
      const history = new MetricsHistory(db);
      this.built.set('history', history);
      this.historySampler = startHistorySampler(() => this.o.metrics.snapshot(), history, {
        onError: (e) => this.o.log.warn('metrics history sample failed', { error: e instanceof Error ? e.message : String(e) }),
      });
    }
    return this.dbHandle;
  }

  /** The open database, if any (migrate and migration status must not open a second handle). */
  openDb(): Database.Database | undefined {
    return this.dbHandle;
  }

  /** Records a metrics sample now (at a job's end). */
  sampleMetrics(): void {
    void this.historySampler?.sampleNow();
  }

  history(): MetricsHistory {
    this.db();
    return this.built.get('history') as MetricsHistory;
  }

  jobs(): JobStore {
    return this.lazy('jobs', () => {
      const store = new JobStore(this.db());
      store.reapOrphans(pidAlive);
      return store;
    });
  }

  /** one writer process per data dir (see WriterLease) */
  lease = (): WriterLease => this.lazy('lease', () => new WriterLease(this.db(), pidAlive));
  coverage = (): CoverageStore => this.lazy('coverage', () => new CoverageStore(this.db()));
  /** The catalog's store as it is (not adopted, not checked): the writer records into it. */
  private catalogStore = (): CatalogStore => this.lazy('catalogStore', () => new CatalogStore(this.dbHandle ?? this.db(), this.o.paths.bars));

  /**
   * The catalog, ready for readers: a lake written before the catalog adopted into it (resumable: every file is
   * registered on its own), and every catalogued file's presence and size checked, the damaged ones marked bad so that
   * no reader opens them (`marketpipe lake verify` names them, `lake repair` quarantines them).
   */
  catalog = (): Promise<LakeCatalog> =>
    this.lazy('catalog', async () => {
      const catalog = this.catalogStore();
      // what a writer killed mid-publish left (lake/commit.ts): its uncommitted file out, its superseded files moved
      sweepTempFiles(this.o.paths.bars);
      const swept = await sweepDebris(catalog, pidAlive);
      if (swept.removed.length || swept.moved) this.o.log.info('lake: an interrupted write was cleaned up', { removed: swept.removed.length, moved: swept.moved });
      if (!catalog.adopted()) {
        const r = await adoptLake(this.o.paths.bars, catalog, await this.rawWriter());
        this.o.log.info('lake adopted into the catalog', { registered: r.registered, rewritten: r.rewritten, skipped: r.skipped.length });
        this.unregisterCatalog ??= registerCatalog(this.o.paths.bars, catalog);
      }
      const bad = quickCheck(catalog);
      if (bad.length) this.o.log.warn('damaged lake files left out of every read (run `marketpipe lake repair`)', { files: bad.map((b) => `${b.file}: ${b.kind}`) });
      return catalog;
    });

  /** What the lake's requests need (closures: nothing opens before a request runs). */
  lakeDeps(): Omit<LakeDeps, 'aggregate'> {
    const withLease = async <T>(fn: () => Promise<T>): Promise<T> => {
      this.lease().acquire();
      try {
        return await fn();
      } finally {
        this.lease().release();
      }
    };
    const retainDays = readEnv(this.o.env ?? process.env, 'MP_RETAIN_DAYS') ?? RETAIN_DAYS;
    return { coverage: this.coverage, catalog: this.catalog, writer: this.writer, withLease, retainDays, barsRoot: this.o.paths.bars, dataRoot: this.o.paths.root };
  }
  universes = (): UniverseStore => this.lazy('universes', () => new UniverseStore(this.db()));
  settings = (): SettingsStore => this.lazy('settings', () => new SettingsStore(this.db()));
  validations = (): ValidationStore => this.lazy('validations', () => new ValidationStore(this.db()));
  // the open handle even while closing: the last events of jobs cancelled by the shutdown are still recorded
  timeline = (): TimelineStore => this.lazy('timeline', () => new TimelineStore(this.dbHandle ?? this.db()));
  private rawWriter = (): Promise<LakeWriter> =>
    this.lazy('rawWriter', () => {
      this.db(); // the lake folder exists once the engine is bootstrapped
      const catalog = this.catalogStore();
      const threshold = readEnv(this.o.env ?? process.env, 'MP_COMPACT_THRESHOLD');
      return LakeWriter.open(this.o.paths.bars, {
        tempDir: prepareSpillDir(path.join(this.o.paths.tmp, 'writer-spill')),
        catalog,
        // the group commit's DuckDB work runs off the engine's thread (issue 13: the engine never stalls)
        stageWorker: { tempDir: prepareSpillDir(path.join(this.o.paths.tmp, 'stage-spill')) },
        ...(threshold !== undefined ? { compactThreshold: threshold } : {}),
      });
    });

  /** The lake writer, every publish recorded in the catalog; the catalog is adopted before the first write. */
  writer = (): Promise<LakeWriter> =>
    this.lazy('writer', async () => {
      const w = await this.rawWriter();
      await this.catalog();
      return w;
    });

  /** User SQL, run in the query process (started on the first query), within its memory ceiling. */
  query = (): Promise<QueryClient> =>
    this.lazy('query', () => {
      this.db(); // the lake folder exists once the engine is bootstrapped
      return this.catalog().then(
        (catalog) =>
          new QueryClient({
            barsRoot: this.o.paths.bars,
            precedence: parsePrecedence(this.o.sourcePrecedence),
            exportDir: this.exportRoot(),
            spillRoot: path.join(this.o.paths.tmp, 'query-spill'),
            catalog,
            limits: this.o.queryLimits?.(),
            launcher: this.o.queryLauncher,
          }),
      );
    });

  /** The query workbench (open results, exports, history, saved queries); the web host takes downloads from it. */
  workbench = (): Promise<Workbench> =>
    this.lazy('workbench', () => this.query().then((svc) => new Workbench(svc, this.db(), this.exportRoot(), this.o.chooseExportPath)));

  /** The chart explorer's reader: bars by range, sessions, findings of the recorded audit reports (newest 200 runs). */
  chart = (): Promise<ChartService> =>
    this.lazy('chart', async () => {
      await this.catalog();
      return ChartService.open({
        barsRoot: this.o.paths.bars,
        precedence: parsePrecedence(this.o.sourcePrecedence),
        reportFiles: () => this.validations().list({ limit: 200 }).map((r) => r.reportFile),
      });
    });

  private exportRoot(): string {
    return path.join(this.o.paths.tmp, 'exports');
  }

  private async ifBuilt<T>(key: string, close: (v: T) => unknown): Promise<void> {
    if (this.built.has(key)) await close(await (this.built.get(key) as Promise<T> | T));
  }

  /** Lets in-flight writes finish, closes DuckDB (lake writer, workbench, query, chart) and then SQLite. */
  async close(): Promise<void> {
    this.closing = true;
    await this.ifBuilt<LakeWriter>('rawWriter', (w) => w.close());
    this.unregisterCatalog?.();
    await this.ifBuilt<Workbench>('workbench', (w) => w.close());
    await this.ifBuilt<QueryClient>('query', (q) => q.close());
    await this.ifBuilt<ChartService>('chart', (c) => c.close());
    await this.historySampler?.stop();
  }

  /** The last step of a shutdown, after everything that records in the database has stopped. */
  closeDb(): void {
    this.dbHandle?.close();
    this.dbHandle = undefined;
  }
}
