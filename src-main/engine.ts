import path from 'node:path';
import { aggregateHandlers, aggregateTimeframesFrom, runAggregate } from './aggregate/service';
import { appHandlers } from './app/handlers';
import { chartHandlers } from './chart/handlers';
import type { AggregateArgInput, AggregateResult } from './contract/aggregate';
import { combineHandlers, createDispatcher, type Dispatcher } from './contract/dispatcher';
import type { AppInfo, IngestArgInput, Job } from './contract/schemas';
import type { ReconcileArg } from './contract/validation';
import { migrateFile, migrationStatusOfFile, type MigrationStatus } from './db/migrations';
import { EventBus } from './events/bus';
import { ingestHandlers, jobsHandlers } from './ingest/handlers';
import { IngestService } from './ingest/service';
import { lakeHandlers } from './lake/handlers';
import { filesAsOf } from './lake/snapshots';
import { EngineMetrics } from './metrics';
import { metricsHandlers } from './metrics/handlers';
import { startLiveMetrics } from './metrics/live';
import { Pipeline } from './pipeline/pipeline';
import { providersHandlers } from './providers/handlers';
import { defaultRegistry, type ProviderRegistry } from './providers/registry';
import { queryHandlers } from './query/handlers';
import type { QueryLauncher } from './query/process';
import { prepareSpillDir, type StreamSink } from './query/service';
import { readEnv } from './settings/env';
import type { ExportPathChooser } from './query/workbench';
import { scheduleHandlers } from './schedule/handlers';
import { Scheduler } from './schedule/scheduler';
import { Services } from './services';
import { Credentials, credentialsHandlers } from './settings/credentials';
import { dataPaths, type DataPaths } from './settings/paths';
import type { SecretStore } from './settings/secrets';
import { MpError } from './shared/errors';
import { silentLogger, type Logger } from './shared/log';
import { Redactor } from './shared/redact';
import { universeHandlers } from './universe/handlers';
import { reconcileHandlers, validationHandlers, type SaveFileHook } from './validate/handlers';
import { JudgeWorkers } from './validate/judgeWorkers';
import type { ReconcileResult } from './validate/reconcile';
import type { ValidationRunResult } from './validate/run';
import { ValidationService, type ValidateOptions } from './validate/service';
import type { ValidationRunRecord } from './validate/store';

export interface EngineOptions {
  dataDir: string;
  host: AppInfo['host'];
  version?: string;
  env?: NodeJS.ProcessEnv;
  log?: Logger;
  providers?: ProviderRegistry;
  /** the host's credential store (desktop app); without one, credentials come from the environment only */
  secrets?: SecretStore;
  /** better_sqlite3.node built for this runtime's ABI (Electron passes its own build). */
  sqliteNativeBinding?: string;
  /** the host's save dialog (desktop), for exporting a validation report */
  saveFile?: SaveFileHook;
  /** the desktop host's save dialog for workbench exports; without one, exports become one-time downloads (web) */
  chooseExportPath?: ExportPathChooser;
  /** how the query process is started: the desktop passes Electron's utility process (default: fork) */
  queryLauncher?: QueryLauncher;
}

/**
 * The engine: one per host process, and the composition root: it builds the services (lazily: constructing an
 * engine, or asking for --help, creates no file), combines the domains' request handlers into the one dispatcher
 * hosts call, and shuts everything down in order. Knows nothing of its host.
 *
 * Hosts reach the engine through `dispatcher` (the contract). The methods below are the few things a request cannot
 * carry: following a job to its end, streaming a query's rows to a file, migrating before bootstrap, and the
 * long-lived hosts' background work; the others delegate to the services, for callers in this process (tests).
 */
export class Engine {
  readonly paths: DataPaths;
  readonly log: Logger;
  /** the process environment as given; providers see `providerEnv()`, which adds stored credentials */
  readonly env: NodeJS.ProcessEnv;
  readonly bus: EventBus;
  readonly providers: ProviderRegistry;
  /** this engine's Prometheus registry (prom-client), fed by the HTTP layer and the ingest runner */
  readonly metrics: EngineMetrics;
  readonly services: Services;
  readonly credentials: Credentials;
  readonly ingest: IngestService;
  readonly validation: ValidationService;
  /** ingest → validate → aggregate, chained by events (registered once, here) */
  readonly pipeline: Pipeline;
  readonly dispatcher: Dispatcher;
  private redactorNow: Redactor;
  private schedulerInst: Scheduler | undefined;
  private stopLive: (() => void) | undefined;
  private closing = false;
  /** the validate worker thread (started by the first validation) */
  private judgeWorkers: JudgeWorkers | undefined;

  constructor(private readonly opts: EngineOptions) {
    this.paths = dataPaths(opts.dataDir);
    this.log = opts.log ?? silentLogger;
    this.env = opts.env ?? process.env;
    this.providers = opts.providers ?? defaultRegistry();
    this.credentials = new Credentials(this.env, this.providers, opts.secrets, () => (this.redactorNow = Redactor.fromEnv(this.providerEnv())));
    this.redactorNow = Redactor.fromEnv(this.providerEnv());
    this.bus = new EventBus((v) => this.redactor.value(v));
    this.metrics = new EngineMetrics({ lakeDir: this.paths.bars, queueLength: () => this.ingest.size });
    const s = (this.services = new Services({ paths: this.paths, log: this.log, metrics: this.metrics, sourcePrecedence: this.env.MP_SOURCE_PRECEDENCE, env: this.env, sqliteNativeBinding: opts.sqliteNativeBinding, chooseExportPath: opts.chooseExportPath, queryLauncher: opts.queryLauncher, queryLimits: () => ({ memoryMb: readEnv(this.env, 'MP_QUERY_MEMORY_MB') }) }));
    this.pipeline = new Pipeline({
      bus: this.bus,
      timeline: s.timeline,
      jobs: () => s.jobs(),
      validate: (jobId, meta) => this.validation.validate({ jobId }, meta),
      aggregate: (job, timeframes, signal) =>
        this.aggregate({ timeframes, scope: { symbols: job.symbols, start: job.start, end: job.end, provider: job.provider, feed: job.feed } }, signal, job.id),
      timeframes: aggregateTimeframesFrom(this.env.MP_AGGREGATE_TIMEFRAMES),
      closing: () => this.closing,
      log: this.log,
    });
    this.pipeline.register();
    this.ingest = new IngestService({
      host: opts.host,
      providers: this.providers,
      services: s,
      metrics: this.metrics,
      bus: this.bus,
      redactor: () => this.redactor,
      providerEnv: () => this.providerEnv(),
      log: this.log,
      completed: (job, stages, o) => this.pipeline.jobCompleted(job, stages, { ...o, causationId: null }),
      finishStages: (job, from, o) => this.pipeline.runStages(job, from, { ...o, causationId: null }),
      closing: () => this.closing,
    });
    let validationSpill: string | undefined;
    this.validation = new ValidationService({
      barsRoot: this.paths.bars,
      spillDir: () => (validationSpill ??= prepareSpillDir(path.join(this.paths.tmp, 'validate-spill'))),
      reportRoot: path.join(this.paths.root, 'reports'),
      store: s.validations,
      coverage: s.coverage,
      jobs: () => s.jobs(),
      metrics: this.metrics,
      bus: this.bus,
      judge: (input) => (this.judgeWorkers ??= new JudgeWorkers()).judge(input),
    });
    const validation = { store: s.validations, validate: (o: ValidateOptions) => this.validate(o), reconcile: (a: ReconcileArg) => this.reconcile(a), saveFile: opts.saveFile };
    const handlers = combineHandlers(
      appHandlers(() => this.info()),
      providersHandlers(this.providers, () => this.providerEnv()),
      credentialsHandlers(this.credentials),
      metricsHandlers(() => s.history()),
      scheduleHandlers({ scheduler: () => this.scheduler(), providers: this.providers, universes: s.universes }),
      ingestHandlers(this.ingest),
      jobsHandlers({ jobs: () => s.jobs(), timeline: s.timeline }),
      universeHandlers({ store: s.universes, coverage: s.coverage, query: s.query, db: () => s.db() }),
      lakeHandlers({ ...s.lakeDeps(), aggregate: (arg) => this.aggregate(arg) }),
      queryHandlers(s.workbench),
      chartHandlers({ service: s.chart }),
      validationHandlers(validation),
      reconcileHandlers(validation),
      aggregateHandlers((arg, signal) => this.aggregate(arg, signal)),
    );
    this.dispatcher = createDispatcher(handlers, { redact: (text) => this.redactor.text(text) });
  }

  get redactor(): Redactor {
    return this.redactorNow;
  }

  /** What providers see: stored credentials under the environment (a variable set in the environment wins). */
  providerEnv(): NodeJS.ProcessEnv {
    return this.credentials.providerEnv();
  }

  /** Opens (creating if needed) the metadata DB and applies pending migrations. Idempotent. */
  db() {
    if (this.closing) throw new MpError('E_INTERNAL', 'engine is closing');
    return this.services.db();
  }

  /** Applies pending migrations; returns the names applied (empty when up to date). Runs before any bootstrap. */
  migrate(): string[] {
    return this.services.openDb() ? [] : migrateFile(this.paths.db, this.opts.sqliteNativeBinding);
  }

  /** Migration status without changing anything (and without creating a database that does not exist). */
  migrationStatus(): MigrationStatus[] {
    return migrationStatusOfFile(this.paths.db, this.services.openDb(), this.opts.sqliteNativeBinding);
  }

  /** The query workbench; the web host serves its downloads. */
  workbench() {
    return this.services.workbench();
  }

  info(): AppInfo {
    return { version: this.opts.version ?? '0.0.0', dataDir: this.paths.root, host: this.opts.host };
  }

  /** Checks an ingest request, records the job and starts it; resolves once started (see IngestService.start). */
  startIngest(input: IngestArgInput, opts: { newSymbolsFrom?: string } = {}): Promise<Job> {
    return this.ingest.start(input, opts);
  }

  resumeIngest(jobId: string): Promise<Job> {
    return this.ingest.resume(jobId);
  }

  /**
   * For long-lived hosts (desktop, serve) at start: finishes the validate and aggregate stages of jobs a dead process
   * left behind, in the background, and lists the interrupted fetches (they may need credentials: resumed on request).
   */
  recoverJobs(): { finishing: string[]; resumable: string[] } {
    const r = this.ingest.recover();
    return { finishing: r.finishing.map((j) => j.id), resumable: r.resumable.map((j) => j.id) };
  }

  cancelJob(jobId: string): boolean {
    return this.ingest.cancel(jobId);
  }

  /**
   * Follows a job: resolves when it is finished, its validate and aggregate stages included (immediately for a job
   * that is not running in this process).
   */
  async waitForJob(jobId: string, opts: { pipeline?: boolean } = {}): Promise<Job> {
    const running = this.ingest.run(jobId);
    const job = running ? await running : undefined;
    if (opts.pipeline !== false) await this.pipeline.settled(jobId);
    if (job) return job;
    const recorded = this.services.jobs().get(jobId);
    if (!recorded) throw new MpError('E_NOT_FOUND', `no job ${jobId}`);
    return recorded;
  }

  validate(opts: ValidateOptions): Promise<ValidationRunResult> {
    return this.validation.validate(opts);
  }

  reconcile(arg: ReconcileArg, opts: { reportDir?: string } = {}): Promise<ReconcileResult> {
    return this.validation.reconcile(arg, opts);
  }

  validationRuns(opts: { limit?: number; jobId?: string } = {}): ValidationRunRecord[] {
    return this.services.validations().list(opts);
  }

  /** `jobId`: the job whose pipeline stage this is (recorded with the files in the catalog) */
  aggregate(input: AggregateArgInput, signal?: AbortSignal, jobId?: string): Promise<AggregateResult> {
    return runAggregate({ barsRoot: this.paths.bars, writer: this.services.writer, metrics: this.metrics }, input, signal, jobId);
  }

  /** Streams a statement's rows to a sink (the CLI's export to a file or stdout): too large for one answer. */
  /** `asOf`: a job id or ISO time; the query reads the lake as that snapshot left it (lake/snapshots.ts). */
  async streamQuery(sql: string, timeoutMs: number | undefined, sink: StreamSink, asOf?: string) {
    const files = asOf === undefined ? undefined : filesAsOf(await this.services.catalog(), asOf).files;
    return (await this.services.query()).stream(sql, timeoutMs, sink, files);
  }

  private scheduler(): Scheduler {
    this.schedulerInst ??= new Scheduler({ settings: this.services.settings, log: this.log, update: (s) => this.ingest.scheduledUpdate(s) });
    return this.schedulerInst;
  }

  /** Long-lived hosts with a UI (desktop, serve) push live metrics about once a second for the Metrics page. */
  startLiveMetrics(everyMs = 1000): void {
    const warn = (e: unknown) => this.log.warn('live metrics sample failed', { error: e instanceof Error ? e.message : String(e) });
    this.stopLive ??= startLiveMetrics(this.metrics, (m) => this.bus.emit('metrics.live', m), warn, everyMs);
  }

  /** Long-lived hosts (desktop, serve) run scheduled updates; the CLI does not. */
  startScheduler(): void {
    this.scheduler().start();
  }

  /** Cancels running jobs, lets in-flight writes finish, closes DuckDB and SQLite. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.schedulerInst?.stop();
    this.stopLive?.();
    await this.ingest.close();
    await this.pipeline.close();
    await this.judgeWorkers?.close();
    await this.services.close();
    this.metrics.close();
    await Promise.allSettled(this.providers.all().map((p) => p.close?.()));
    this.services.closeDb();
  }
}
