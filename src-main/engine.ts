import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { combineHandlers, createDispatcher, formatZodError, type Dispatcher, type Handlers } from './contract/dispatcher';
import { IngestArgSchema, type AppInfo, type IngestArg, type IngestArgInput, type Job, type QueryArg, type QueryResult, type Timeframe, type CredentialStatus, type Adjustment } from './contract/schemas';
import { CoverageStore } from './db/coverage';
import { JobStore, type JobParams } from './db/jobs';
import { migrate, migrationStatus, type MigrationStatus } from './db/migrations';
import { openDb } from './db/open';
import { EventBus } from './events/bus';
import { pidAlive } from './shared/process';
import { makeTask, narrowToMissing, planIngest, type IngestTask } from './ingest/plan';
import { runIngest } from './ingest/runner';
import { LakeWriter } from './lake/writer';
import type { SourceKey } from './lake/layout';
import { createHttpClient } from './providers/http/client';
import { offline } from './providers/http/offline';
import { ProviderStats } from './providers/http/stats';
import { mergeHooks } from './providers/http/hooks';
import { EngineMetrics, MetricsHistory, parseDuration, startHistorySampler } from './metrics';
import { LiveSampler } from './metrics/live';
import { runReconcile, runValidation, validationHandlers, ValidationStore, type ReconcileResult, type SaveFileHook, type ScopeInput, type ThresholdsInput, type ValidationRunRecord, type ValidationRunResult } from './validate';
import { aggregate, AggregateArgSchema, AGGREGATE_TIMEFRAMES, type AggregateResult } from './aggregate';
import { Pipeline, type AggregateTimeframe } from './pipeline/pipeline';
import { TimelineStore } from './pipeline/timeline';
import type { IngestStages } from './ingest/runner';
import type { z } from 'zod';
import type { ReconcileArg } from './contract/validation';
import { chartHandlers, ChartService } from './chart';

type AggregateArgInput = z.input<typeof AggregateArgSchema>;

/** The feed a source is stored under: the provider's feed, suffixed with the adjustment when it is not raw. */
export function storageFeed(feed: string, adjustment: Adjustment): string {
  return adjustment === 'raw' ? feed : `${feed}-${adjustment}`;
}

function apiFeedOf(stored: string, adjustment: Adjustment): string {
  return adjustment === 'raw' ? stored : stored.slice(0, -(adjustment.length + 1));
}

/** MP_AGGREGATE_TIMEFRAMES: what the pipeline builds after each 1m job (default all; "none" or empty: nothing). */
export function aggregateTimeframesFrom(raw: string | undefined): AggregateTimeframe[] {
  if (raw === undefined) return [...AGGREGATE_TIMEFRAMES];
  const list = raw.split(',').map((s) => s.trim()).filter((s) => s && s !== 'none');
  const bad = list.filter((s) => !(AGGREGATE_TIMEFRAMES as readonly string[]).includes(s));
  if (bad.length) throw new MpError('E_BAD_INPUT', `MP_AGGREGATE_TIMEFRAMES: unknown timeframe ${bad.join(', ')} (choose from ${AGGREGATE_TIMEFRAMES.join(', ')}, or none)`);
  return [...new Set(list)] as AggregateTimeframe[];
}

function daysBefore(date: string, n: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - n);
  return d.toISOString().slice(0, 10);
}
import type { HttpClient } from './providers/http/types';
import { defaultRegistry, type ProviderRegistry } from './providers/registry';
import type { PreparedIngest, Provider } from './providers/types';
import { QueryService, type StreamSink } from './query/service';
import { parsePrecedence } from './query/sources';
import { Workbench, type ExportPathChooser } from './query/workbench';
import { workbenchHandlers } from './query/workbenchHandlers';
import { dataPaths, type DataPaths } from './settings/paths';
import { MpError } from './shared/errors';
import { Redactor } from './shared/redact';
import { UniverseStore } from './universe/store';
import { dynamicUniverseHandlers } from './universe/dynamicHandlers';
import { Scheduler } from './schedule/scheduler';
import { SettingsStore } from './settings/store';
import type { SecretStore } from './settings/secrets';
import { lastClosedSession, nextTradingDay, tradingDays } from './calendar';
import { symbolsFromCsv, universeToCsv } from './universe/csv';
import { silentLogger, type Logger } from './shared/log';

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
}

interface RunningJob {
  controller: AbortController;
  done: Promise<Job>;
}

/**
 * The engine: one per host process. Knows nothing of its host. Nothing touches the disk until a request needs it
 * (lazy, idempotent bootstrap): constructing an engine, or asking for --help, creates no file.
 */
export class Engine {
  readonly bus: EventBus;
  private redactorNow: Redactor;
  readonly paths: DataPaths;
  readonly log: Logger;
  /** the process environment as given; providers see `providerEnv()`, which adds stored credentials */
  readonly env: NodeJS.ProcessEnv;
  readonly providers: ProviderRegistry;
  readonly dispatcher: Dispatcher;
  /** this engine's Prometheus registry (prom-client), fed by the HTTP layer and the ingest runner */
  readonly metrics: EngineMetrics;
  private historySampler: { sampleNow(): Promise<number>; stop(): Promise<void> } | undefined;
  private dbHandle: Database.Database | undefined;
  private jobStore: JobStore | undefined;
  private coverageStore: CoverageStore | undefined;
  private universeStore: UniverseStore | undefined;
  private settingsStore: SettingsStore | undefined;
  private validationStore: ValidationStore | undefined;
  private liveTimer: NodeJS.Timeout | undefined;
  private metricsHistory: MetricsHistory | undefined;
  private schedulerInst: Scheduler | undefined;
  private writerP: Promise<LakeWriter> | undefined;
  private queryP: Promise<QueryService> | undefined;
  private workbenchP: Promise<Workbench> | undefined;
  private chartP: Promise<ChartService> | undefined;
  private readonly running = new Map<string, RunningJob>();
  /** one HTTP client per provider: its rate limiter and breaker outlive single jobs */
  private readonly httpClients = new Map<string, { client: HttpClient; stats: ProviderStats }>();
  private closing = false;
  private timelineStore: TimelineStore | undefined;
  /** ingest → validate → aggregate, chained by events (registered once, here) */
  readonly pipeline: Pipeline;

  constructor(private readonly opts: EngineOptions) {
    this.paths = dataPaths(opts.dataDir);
    this.log = opts.log ?? silentLogger;
    this.env = opts.env ?? process.env;
    this.redactorNow = Redactor.fromEnv(this.providerEnv());
    this.bus = new EventBus((v) => this.redactor.value(v));
    this.providers = opts.providers ?? defaultRegistry();
    this.dispatcher = createDispatcher(this.handlers(), { redact: (s) => this.redactor.text(s) });
    this.metrics = new EngineMetrics({ lakeDir: this.paths.bars, queueLength: () => this.running.size });
    this.pipeline = new Pipeline({
      bus: this.bus,
      timeline: () => this.timeline(),
      validate: (jobId) => this.validate({ jobId }),
      aggregate: (job, timeframes, signal) =>
        this.aggregate({ timeframes, scope: { symbols: job.symbols, start: job.start, end: job.end, provider: job.provider, feed: job.feed } }, signal),
      job: (jobId) => this.jobs().get(jobId) ?? undefined,
      timeframes: aggregateTimeframesFrom(this.env.MP_AGGREGATE_TIMEFRAMES),
      log: this.log,
    });
    this.pipeline.register();
  }

  private timeline(): TimelineStore {
    // the open handle even while closing: the last events of jobs cancelled by the shutdown are still recorded
    this.timelineStore ??= new TimelineStore(this.dbHandle ?? this.db());
    return this.timelineStore;
  }

  get redactor(): Redactor {
    return this.redactorNow;
  }

  /** What providers see: stored credentials under the environment (a variable set in the environment wins). */
  providerEnv(): NodeJS.ProcessEnv {
    const stored: NodeJS.ProcessEnv = {};
    const secrets = this.opts.secrets;
    if (secrets?.available) for (const n of secrets.names()) stored[n] = secrets.get(n);
    return { ...stored, ...this.env };
  }

  /** Opens (creating if needed) the metadata DB and applies pending migrations. Idempotent. */
  db(): Database.Database {
    if (this.closing) throw new MpError('E_INTERNAL', 'engine is closing');
    if (!this.dbHandle) {
      const db = openDb(this.paths.db, { nativeBinding: this.opts.sqliteNativeBinding });
      try {
        const applied = migrate(db);
        if (applied.length) this.log.info('migrations applied', { applied });
      } catch (e) {
        db.close();
        throw e;
      }
      fs.mkdirSync(this.paths.bars, { recursive: true });
      this.dbHandle = db;
      // every process, CLI included, records samples of its metrics (every 15 s and at job end)
      const history = new MetricsHistory(db);
      this.metricsHistory = history;
      this.historySampler = startHistorySampler(() => this.metrics.snapshot(), history, {
        onError: (e) => this.log.warn('metrics history sample failed', { error: e instanceof Error ? e.message : String(e) }),
      });
    }
    return this.dbHandle;
  }

  private coverage(): CoverageStore {
    this.coverageStore ??= new CoverageStore(this.db());
    return this.coverageStore;
  }

  private jobs(): JobStore {
    if (!this.jobStore) {
      this.jobStore = new JobStore(this.db());
      this.jobStore.reapOrphans(pidAlive);
    }
    return this.jobStore;
  }

  /** Applies pending migrations; returns the names applied (empty when up to date). */
  migrate(): string[] {
    if (this.dbHandle) return [];
    const db = openDb(this.paths.db, { nativeBinding: this.opts.sqliteNativeBinding });
    try {
      return migrate(db);
    } finally {
      db.close();
    }
  }

  /** Migration status without changing anything (and without creating a database that does not exist). */
  migrationStatus(): MigrationStatus[] {
    if (!fs.existsSync(this.paths.db)) return migrationStatus(undefined);
    const db = this.dbHandle ?? openDb(this.paths.db, { readonly: true, nativeBinding: this.opts.sqliteNativeBinding });
    try {
      return migrationStatus(db);
    } finally {
      if (db !== this.dbHandle) db.close();
    }
  }

  private writer(): Promise<LakeWriter> {
    this.writerP ??= LakeWriter.open(this.paths.bars);
    return this.writerP;
  }

  /** The chart explorer's reader: bars by range, sessions, findings of the recorded audit reports (newest 200 runs). */
  private chartService(): Promise<ChartService> {
    this.db();
    this.chartP ??= ChartService.open({
      barsRoot: this.paths.bars,
      precedence: parsePrecedence(this.env.MP_SOURCE_PRECEDENCE),
      reportFiles: () => this.validations().list({ limit: 200 }).map((r) => r.reportFile),
    });
    return this.chartP;
  }

  private queryService(): Promise<QueryService> {
    this.db(); // the lake folder exists once the engine is bootstrapped
    this.queryP ??= QueryService.open(this.paths.lake, this.paths.bars, parsePrecedence(this.env.MP_SOURCE_PRECEDENCE), { exportDir: this.exportRoot() });
    return this.queryP;
  }

  private exportRoot(): string {
    return path.join(this.paths.tmp, 'exports');
  }

  /** The query workbench (open results, exports, history, saved queries); the web host takes downloads from it. */
  workbench(): Promise<Workbench> {
    this.workbenchP ??= this.queryService().then((svc) => new Workbench(svc, this.db(), this.exportRoot(), this.opts.chooseExportPath));
    return this.workbenchP;
  }

  private http(provider: Provider): { client: HttpClient; stats: ProviderStats } {
    let c = this.httpClients.get(provider.info.name);
    if (!c) {
      const stats = new ProviderStats();
      const resilience = provider.resilienceFor?.(this.providerEnv()) ?? provider.resilience;
      const client = resilience ? createHttpClient(provider.info.name, resilience, mergeHooks(stats.hooks(), this.metrics.httpHooksFor(provider.info.name))) : offline(provider.info.name);
      c = { client, stats };
      this.httpClients.set(provider.info.name, c);
    }
    return c;
  }

  /** Checks the request (with the provider's own checks), creates the job and starts it; resolves once started. */
  /** `newSymbolsFrom`: with update, where symbols never ingested start (the scheduler's default) instead of an error. */
  async startIngest(input: IngestArgInput, opts: { newSymbolsFrom?: string } = {}): Promise<Job> {
    const parsed = IngestArgSchema.safeParse(input);
    if (!parsed.success) throw new MpError('E_BAD_INPUT', formatZodError(parsed.error));
    const arg = parsed.data;
    const provider = this.providers.get(arg.provider);
    const apiFeed = arg.feed ?? provider.info.defaultFeed;
    if (!provider.info.feeds.includes(apiFeed)) throw new MpError('E_BAD_INPUT', `provider ${arg.provider} has no feed "${apiFeed}" (feeds: ${provider.info.feeds.join(', ')})`);
    const adjustments = provider.info.adjustments ?? ['raw'];
    if (!adjustments.includes(arg.adjustment)) {
      throw new MpError('E_BAD_INPUT', `provider ${arg.provider} serves ${adjustments.join(', ')} prices, not ${arg.adjustment}`);
    }
    // Adjusted bars are a source of their own: never mixed with (or mistaken for) the raw bars of the same feed.
    const feed = storageFeed(apiFeed, arg.adjustment);
    if (!provider.isConfigured(this.providerEnv())) {
      throw new MpError('E_PROVIDER_AUTH', `provider ${arg.provider} is not configured: set ${provider.info.needs.join(', ')}`);
    }
    const plan = await this.prepareIngest(provider, arg, apiFeed, feed, opts.newSymbolsFrom);
    if (!provider.info.timeframes.includes(plan.timeframe)) {
      throw new MpError('E_BAD_INPUT', `provider ${arg.provider} does not serve ${plan.timeframe} bars (it serves: ${provider.info.timeframes.join(', ')})`);
    }
    const pageSize = arg.batchSize ?? provider.defaultPageSize;
    let tasks = planIngest(plan.symbols, plan.start, plan.end);
    if (!arg.force) {
      const coverage = this.coverage();
      tasks = narrowToMissing(tasks, (t) => coverage.covered({ symbol: t.symbol, timeframe: plan.timeframe, provider: arg.provider, feed }, t.start, t.end));
    }
    // the source is stored absolute: a resume may run from another working directory
    const params: JobParams = { workers: arg.workers, batchSize: pageSize, force: arg.force, adjustment: arg.adjustment, pipeline: arg.pipeline, ...(arg.source ? { source: path.resolve(arg.source) } : {}), ...(arg.tz ? { tz: arg.tz } : {}) };
    const job = this.jobs().create({
      id: randomUUID(),
      provider: arg.provider,
      feed,
      timeframe: plan.timeframe,
      symbols: plan.symbols,
      start: plan.start,
      end: plan.end,
      params,
      host: this.opts.host,
    });
    this.jobs().addTasks(job.id, tasks.map((t) => ({ symbol: t.symbol, year: t.year, start: t.start, end: t.end, days: t.days.length })));
    this.bus.emit('job.updated', job);
    this.launch(job, provider, params, tasks, 0);
    return job;
  }

  /** Runs the pending units of a job that did not finish (failed, cancelled, or interrupted by a dead process). */
  async resumeIngest(jobId: string): Promise<Job> {
    const job = this.jobs().get(jobId);
    if (!job) throw new MpError('E_NOT_FOUND', `no job ${jobId}`);
    if (this.running.has(jobId)) throw new MpError('E_CONFLICT', `job ${jobId} is running in this process`);
    if (job.status === 'succeeded') throw new MpError('E_CONFLICT', `job ${jobId} already finished: nothing to resume`);
    if (job.status === 'queued' || job.status === 'running') throw new MpError('E_CONFLICT', `job ${jobId} is running in another process`);
    const provider = this.providers.get(job.provider);
    if (!provider.isConfigured(this.providerEnv())) throw new MpError('E_PROVIDER_AUTH', `provider ${job.provider} is not configured: set ${provider.info.needs.join(', ')}`);
    const params = this.jobs().params(jobId);
    const records = this.jobs().tasks(jobId);
    const pending = records.filter((r) => r.status === 'pending').map((r) => makeTask(r.symbol, r.year, r.start, r.end));
    const doneDays = records.filter((r) => r.status === 'done').reduce((n, r) => n + r.days, 0);
    this.jobs().reopen(jobId, this.opts.host);
    const reopened = this.jobs().get(jobId)!;
    this.bus.emit('job.updated', reopened);
    this.launch(reopened, provider, params, pending, doneDays);
    return reopened;
  }

  private launch(job: Job, provider: Provider, params: JobParams, tasks: IngestTask[], doneDays: number): void {
    const controller = new AbortController();
    let stages: IngestStages = { fetchMs: 0, writeMs: 0, ingestMs: 0 };
    const done = runIngest({
      job,
      provider,
      http: this.http(provider).client,
      stats: this.http(provider).stats,
      feed: job.feed,
      apiFeed: apiFeedOf(job.feed, params.adjustment),
      adjustment: params.adjustment,
      timeframe: job.timeframe,
      workers: params.workers,
      pageSize: params.batchSize ?? provider.defaultPageSize,
      source: params.source,
      tz: params.tz,
      tasks,
      doneDays,
      store: this.jobs(),
      coverage: this.coverage(),
      redactor: this.redactor,
      metrics: this.metrics,
      bus: this.bus,
      writer: () => this.writer(),
      env: this.providerEnv(),
      log: this.log,
      signal: controller.signal,
      onStages: (s) => (stages = s),
    })
      .then((finished) => {
        // the pipeline's handlers start from this event; waitForJob() waits for them too
        this.pipeline.jobCompleted(finished, stages, params.pipeline && !this.closing);
        return finished;
      })
      .finally(() => {
        this.running.delete(job.id);
        void this.historySampler?.sampleNow();
      });
    this.running.set(job.id, { controller, done });
  }

  private async prepareIngest(provider: Provider, arg: IngestArg, apiFeed: string, feed: string, newSymbolsFrom?: string): Promise<PreparedIngest> {
    const fromUniverse = arg.universe ? this.universes().get(arg.universe).symbols : [];
    if (arg.universe && fromUniverse.length === 0 && arg.symbols.length === 0) throw new MpError('E_BAD_INPUT', `universe "${arg.universe}" has no symbols`);
    const symbols = [...new Set([...arg.symbols, ...fromUniverse])];
    if (provider.prepare) {
      if (arg.update) throw new MpError('E_BAD_INPUT', `--update is for network providers; provider ${provider.info.name} reads what its files hold`);
      const ac = new AbortController();
      return provider.prepare(
        { symbols, timeframe: arg.timeframe, start: arg.start, end: arg.end, feed: apiFeed, source: arg.source, tz: arg.tz },
        { signal: ac.signal, env: this.providerEnv(), log: this.log },
      );
    }
    if (symbols.length === 0) throw new MpError('E_BAD_INPUT', 'symbols: give at least one symbol (or a universe)');
    if (arg.source) throw new MpError('E_BAD_INPUT', `provider ${provider.info.name} reads no files: --source is for the csv provider`);
    const timeframe = arg.timeframe ?? '1m';
    if (arg.update) return { symbols, timeframe, ...this.updateRange(symbols, timeframe, provider.info.name, feed, arg.start, newSymbolsFrom) };
    if (!arg.start || !arg.end) throw new MpError('E_BAD_INPUT', `provider ${provider.info.name} needs --start and --end`);
    return { symbols, timeframe, start: arg.start, end: arg.end };
  }

  /**
   * --update: up to the last closed session, from the day after the earliest "last covered session" among the
   * symbols (coverage then skips what each one already has). A symbol never ingested needs an explicit start.
   */
  private updateRange(symbols: string[], timeframe: Timeframe, provider: string, feed: string, start: string | undefined, newSymbolsFrom?: string): { start: string; end: string } {
    const end = lastClosedSession();
    if (start) {
      if (start > end) throw new MpError('E_BAD_INPUT', `start ${start} is after the last closed session ${end}`);
      return { start, end };
    }
    const coverage = this.coverage();
    const last = symbols.map((symbol) => ({ symbol, last: coverage.lastCovered({ symbol, timeframe, provider, feed }) }));
    const never = last.filter((l) => !l.last).map((l) => l.symbol);
    if (never.length && !newSymbolsFrom) {
      throw new MpError('E_BAD_INPUT', `no ${provider}/${feed} ${timeframe} data yet for ${never.slice(0, 10).join(', ')}${never.length > 10 ? ', …' : ''}: give --start for their first ingest`);
    }
    const froms = last.filter((l) => l.last).map((l) => (l.last! >= end ? end : nextTradingDay(l.last!)));
    if (never.length && newSymbolsFrom) froms.push(newSymbolsFrom > end ? end : newSymbolsFrom);
    // coverage skips, per symbol, what each one already has
    return { start: froms.sort()[0]!, end };
  }

  private credentialStatus(): CredentialStatus[] {
    const stored = this.opts.secrets?.available ? new Set(this.opts.secrets.names()) : new Set<string>();
    return this.providers.list({}).flatMap((p) =>
      p.needs.map((name) => ({ provider: p.name, name, source: this.env[name] ? ('env' as const) : stored.has(name) ? ('stored' as const) : ('missing' as const) })),
    );
  }

  private setCredential(name: string, value: string | null): void {
    const known = new Set(this.providers.list({}).flatMap((p) => p.needs));
    if (!known.has(name)) throw new MpError('E_BAD_INPUT', `${name} is not a provider setting (known: ${[...known].join(', ') || 'none'})`);
    const secrets = this.opts.secrets;
    if (!secrets) throw new MpError('E_FORBIDDEN', 'this host cannot store credentials: set them in the environment or in a .env file');
    if (!secrets.available) throw new MpError('E_FORBIDDEN', `refusing to store credentials: ${secrets.reason ?? 'no encrypted storage on this machine'}`);
    secrets.set(name, value);
    // a new secret must be redacted from now on; a provider's HTTP client keeps no credentials, so nothing else to reset
    this.redactorNow = Redactor.fromEnv(this.providerEnv());
  }

  private settings(): SettingsStore {
    this.settingsStore ??= new SettingsStore(this.db());
    return this.settingsStore;
  }

  private scheduler(): Scheduler {
    this.schedulerInst ??= new Scheduler({
      settings: () => this.settings(),
      log: this.log,
      // symbols never ingested start at `since` (default 30 days back); the others from where they stop (coverage)
      update: (s) =>
        this.startIngest(
          { provider: s.provider, universe: s.universe ?? undefined, feed: s.feed ?? undefined, timeframe: s.timeframe, update: true },
          { newSymbolsFrom: s.since ?? daysBefore(lastClosedSession(), 30) },
        ),
    });
    return this.schedulerInst;
  }

  /**
   * Runs the validation rules over a scope of the lake (or over what a job ingested), writes the CSV audit report
   * and records the run. Findings are counted in mp_validation_errors_total.
   */
  async validate(opts: { scope?: ScopeInput; jobId?: string; reportDir?: string; thresholds?: ThresholdsInput }): Promise<ValidationRunResult> {
    let scope = opts.scope ?? {};
    if (opts.jobId) {
      const job = this.jobs().get(opts.jobId);
      if (!job) throw new MpError('E_NOT_FOUND', `no job ${opts.jobId}`);
      scope = { symbols: job.symbols, start: job.start, end: job.end, provider: job.provider, feed: job.feed, timeframe: job.timeframe, ...scope };
    }
    const endStage = this.metrics.startStage('validate');
    const result = await runValidation({
      barsRoot: this.paths.bars,
      reportDir: opts.reportDir ? path.resolve(opts.reportDir) : path.join(this.paths.root, 'reports'),
      scope,
      thresholds: opts.thresholds,
      jobId: opts.jobId ?? null,
      store: this.validations(),
      // without a timeframe, the series as ingested: the coarser ones the pipeline derives from them repeat their
      // findings (a missing session is missing at every timeframe); `--timeframe 5m` judges those on demand
      ...(scope.timeframe ? {} : { series: (s: SourceKey) => this.coverage().ingested(s) }),
    });
    endStage();
    for (const [rule, bySeverity] of Object.entries(result.findings)) {
      for (const [severity, n] of Object.entries(bySeverity)) if (n > 0) this.metrics.validationFindings(rule, severity, n);
    }
    // the Validation page (and anything else listening) refreshes on this, whoever started the run
    const { error: errors, warning: warnings } = result.bySeverity;
    this.bus.emit('validation.completed', { runId: result.runId, kind: 'validation', jobId: result.jobId, findings: result.totalFindings, errors, warnings });
    return result;
  }

  /** Compares the same bars from two sources (rule source_mismatch); recorded with the validation runs. */
  async reconcile(arg: ReconcileArg, opts: { reportDir?: string } = {}): Promise<ReconcileResult> {
    const store = this.validations(); // bootstraps the data dir before the lake is read
    const r = await runReconcile({ barsRoot: this.paths.bars, reportDir: opts.reportDir ? path.resolve(opts.reportDir) : path.join(this.paths.root, 'reports'), arg, store });
    // counted with the validation findings: the rule label (source_mismatch) tells them apart, and stays bounded
    for (const [severity, n] of Object.entries(r.bySeverity)) if (n > 0) this.metrics.validationFindings('source_mismatch', severity, n);
    this.bus.emit('validation.completed', { runId: r.runId, kind: 'reconcile', jobId: null, findings: r.totalFindings, errors: r.bySeverity.error, warnings: r.bySeverity.warning });
    return r;
  }

  validationRuns(opts: { limit?: number; jobId?: string } = {}): ValidationRunRecord[] {
    return this.validations().list(opts);
  }

  /** Builds coarser timeframes from the lake's 1m bars, published through the lake writer. */
  async aggregate(input: AggregateArgInput, signal?: AbortSignal): Promise<AggregateResult> {
    const parsed = AggregateArgSchema.safeParse(input);
    if (!parsed.success) throw new MpError('E_BAD_INPUT', formatZodError(parsed.error));
    this.db(); // the lake folder exists once bootstrapped
    const endStage = this.metrics.startStage('aggregate');
    try {
      return await aggregate({ barsRoot: this.paths.bars, writer: await this.writer(), timeframes: parsed.data.timeframes, scope: parsed.data.scope, signal });
    } finally {
      endStage();
    }
  }

  private validations(): ValidationStore {
    this.validationStore ??= new ValidationStore(this.db());
    return this.validationStore;
  }

  /** Long-lived hosts with a UI (desktop, serve) push live metrics about once a second for the Metrics page. */
  startLiveMetrics(everyMs = 1000): void {
    if (this.liveTimer) return;
    const sampler = new LiveSampler(this.metrics);
    this.liveTimer = setInterval(() => {
      void sampler
        .sample()
        .then((m) => this.bus.emit('metrics.live', m))
        .catch((e: unknown) => this.log.warn('live metrics sample failed', { error: e instanceof Error ? e.message : String(e) }));
    }, everyMs);
    this.liveTimer.unref();
  }

  /** Long-lived hosts (desktop, serve) run scheduled updates; the CLI does not. */
  startScheduler(): void {
    this.scheduler().start();
  }

  private universes(): UniverseStore {
    this.universeStore ??= new UniverseStore(this.db());
    return this.universeStore;
  }

  /**
   * Resolves when the job is finished (immediately for a job that is not running in this process) and, unless
   * `pipeline` is false, when the validation and aggregation it caused are over.
   */
  async waitForJob(jobId: string, opts: { pipeline?: boolean } = {}): Promise<Job> {
    const r = this.running.get(jobId);
    if (r) {
      const job = await r.done;
      if (opts.pipeline !== false) await this.pipeline.settled(jobId);
      return job;
    }
    if (opts.pipeline !== false) await this.pipeline.settled(jobId);
    const j = this.jobs().get(jobId);
    if (!j) throw new MpError('E_NOT_FOUND', `no job ${jobId}`);
    return j;
  }

  cancelJob(jobId: string): boolean {
    const r = this.running.get(jobId);
    if (!r) {
      if (!this.jobs().get(jobId)) throw new MpError('E_NOT_FOUND', `no job ${jobId}`);
      return false;
    }
    r.controller.abort();
    return true;
  }

  async query(arg: QueryArg): Promise<QueryResult> {
    return (await this.queryService()).run(arg);
  }

  async streamQuery(sql: string, timeoutMs: number | undefined, sink: StreamSink) {
    return (await this.queryService()).stream(sql, timeoutMs, sink);
  }

  info(): AppInfo {
    return { version: this.opts.version ?? '0.0.0', dataDir: this.paths.root, host: this.opts.host };
  }

  private handlers(): Handlers {
    return combineHandlers(
      {
        'app.info': async () => this.info(),
        'providers.list': async () => this.providers.list(this.providerEnv()),
        'credentials.status': async () => this.credentialStatus(),
        'credentials.set': async ({ name, value }) => {
          this.setCredential(name, value);
          return this.credentialStatus();
        },
        'metrics.history': async ({ name, since, avg }) => {
          const now = Date.now();
          this.db();
          const history = this.metricsHistory!;
          const sinceMs = now - parseDuration(since, 'since');
          const points = avg ? history.averages(name, parseDuration(avg, 'avg'), sinceMs) : history.series(name, sinceMs);
          return { name, points: points.map((p) => ({ ts: new Date(p.ts).toISOString(), value: p.value })) };
        },
        'schedule.get': async () => this.scheduler().status(this.scheduler().started),
        'schedule.set': async (s) => {
          if (s.enabled) {
            const p = this.providers.get(s.provider);
            if (s.universe) this.universes().get(s.universe);
            if (s.feed && !p.info.feeds.includes(s.feed)) throw new MpError('E_BAD_INPUT', `provider ${s.provider} has no feed "${s.feed}"`);
          }
          this.scheduler().set(s);
          // the catch-up starts (not finishes) before we answer, so the answer shows its job or its error
          if (this.scheduler().started) await this.scheduler().tick();
          return this.scheduler().status(this.scheduler().started);
        },
      },
      {
        'ingest.start': async (arg) => ({ jobId: (await this.startIngest(arg)).id }),
        'ingest.cancel': async ({ jobId }) => ({ cancelled: this.cancelJob(jobId) }),
        'ingest.resume': async ({ jobId }) => ({ jobId: (await this.resumeIngest(jobId)).id }),
        'jobs.tasks': async ({ jobId }) => {
          if (!this.jobs().get(jobId)) throw new MpError('E_NOT_FOUND', `no job ${jobId}`);
          return this.jobs().tasks(jobId);
        },
        'jobs.list': async ({ limit }) => this.jobs().list(limit),
        'jobs.get': async ({ jobId }) => {
          const j = this.jobs().get(jobId);
          if (!j) throw new MpError('E_NOT_FOUND', `no job ${jobId}`);
          return j;
        },
      },
      { 'query.run': (arg) => this.query(arg) },
      {
        'universe.list': async () => this.universes().list(),
        'universe.get': async ({ name }) => this.universes().get(name),
        'universe.create': async ({ name, symbols, ...meta }) => this.universes().create(name, symbols, meta),
        'universe.add': async ({ name, symbols }) => this.universes().add(name, symbols),
        'universe.remove': async ({ name, symbols }) => this.universes().remove(name, symbols),
        'universe.rename': async ({ name, to }) => this.universes().rename(name, to),
        'universe.update': async ({ name, ...meta }) => this.universes().setMeta(name, meta),
        'universe.import': async ({ name, csv }) => {
          const parsed = symbolsFromCsv(csv, 'the file');
          if (parsed.symbols.length === 0) {
            const first = parsed.rejected.slice(0, 3).map((r) => `line ${r.line} "${r.value}": ${r.reason}`).join('; ');
            throw new MpError('E_BAD_INPUT', `no valid symbol in the file (${parsed.rejected.length} line(s) rejected${first ? `: ${first}` : ''})`);
          }
          const exists = this.universes().list().some((u) => u.name.toLowerCase() === name.trim().toLowerCase());
          const universe = exists ? this.universes().add(name, parsed.symbols).universe : this.universes().create(name, parsed.symbols);
          return { universe, imported: parsed.symbols.length, rejected: parsed.rejected };
        },
        'universe.export': async ({ name }) => {
          const u = this.universes().get(name);
          return { filename: `${u.name.replace(/[^A-Za-z0-9_.-]+/g, '_')}.csv`, csv: universeToCsv(u) };
        },
        'universe.coverage': async ({ name, provider, feed }) => {
          const u = this.universes().get(name);
          const lastClosed = lastClosedSession();
          return u.symbols.map((symbol) => {
            // the source with the most sessions, among those of the provider (and feed) asked about
            const best = this.coverage()
              .summary(symbol)
              .find((c) => (!provider || c.provider === provider) && (!feed || c.feed === feed));
            if (!best) return { symbol, provider: null, feed: null, timeframe: null, firstSession: null, lastSession: null, sessions: 0, missingSessions: 0, behindSessions: 0 };
            const span = tradingDays(best.first, best.last).length;
            const behind = best.last >= lastClosed ? 0 : tradingDays(nextTradingDay(best.last), lastClosed).length;
            return { symbol, provider: best.provider, feed: best.feed, timeframe: best.timeframe, firstSession: best.first, lastSession: best.last, sessions: best.sessions, missingSessions: Math.max(0, span - best.sessions), behindSessions: behind };
          });
        },
        'universe.delete': async ({ name }) => {
          this.universes().delete(name);
          return { deleted: true as const };
        },
      },
      // -- handlers: pipeline / timeline --
      {
        'jobs.timeline': async ({ jobId }) => {
          if (!this.jobs().get(jobId)) throw new MpError('E_NOT_FOUND', `no job ${jobId}`);
          return this.timeline().timeline(jobId, this.running.has(jobId));
        },
      },
      // -- handlers: query workbench --
      workbenchHandlers(() => this.workbench()),
      // -- handlers: chart explorer --
      chartHandlers({ service: () => this.chartService() }),
      // -- handlers: validation page and reconcile --
      validationHandlers({ store: () => this.validations(), validate: (o) => this.validate(o), reconcile: (a) => this.reconcile(a), saveFile: this.opts.saveFile }),
      // -- handlers: app quality --
      dynamicUniverseHandlers({ store: () => this.universes(), query: () => this.queryService(), db: () => this.db() }),
    );
  }

  /** Cancels running jobs, lets in-flight writes finish, closes DuckDB and SQLite. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.schedulerInst?.stop();
    if (this.liveTimer) clearInterval(this.liveTimer);
    this.liveTimer = undefined;
    for (const r of this.running.values()) r.controller.abort();
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
    await this.pipeline.close();
    if (this.writerP) await (await this.writerP).close();
    if (this.workbenchP) await (await this.workbenchP).close();
    if (this.queryP) (await this.queryP).close();
    if (this.chartP) (await this.chartP).close();
    await this.historySampler?.stop();
    this.metrics.close();
    await Promise.allSettled(this.providers.all().map((p) => p.close?.()));
    this.dbHandle?.close();
    this.dbHandle = undefined;
  }
}
