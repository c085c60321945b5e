import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { formatZodError } from '../contract/dispatcher';
import { IngestArgSchema, type Adjustment, type AppInfo, type IngestArg, type IngestArgInput, type Job, type Schedule, type Timeframe } from '../contract/schemas';
import type { JobParams } from '../db/jobs';
import type { EventBus } from '../events/bus';
import { clipToClosedSessions, lastClosedSession, nextTradingDay } from '../calendar';
import type { EngineMetrics } from '../metrics';
import { createHttpClient } from '../providers/http/client';
import { mergeHooks } from '../providers/http/hooks';
import { offline } from '../providers/http/offline';
import { ProviderStats } from '../providers/http/stats';
import type { HttpClient } from '../providers/http/types';
import type { ProviderRegistry } from '../providers/registry';
import type { PreparedIngest, Provider } from '../providers/types';
import type { Services } from '../services';
import { MpError } from '../shared/errors';
import type { Logger } from '../shared/log';
import type { Redactor } from '../shared/redact';
import { accountingFromSource } from './accounting';
import { makeTask, narrowToMissing, planIngest, type IngestTask } from './plan';
import { runIngest, type IngestStages } from './runner';

/** The feed a source is stored under: the provider's feed, suffixed with the adjustment when it is not raw. */
export function storageFeed(feed: string, adjustment: Adjustment): string {
  return adjustment === 'raw' ? feed : `${feed}-${adjustment}`;
}

function daysBefore(date: string, n: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - n);
  return d.toISOString().slice(0, 10);
}

/** Whether a request asks for the same run as a job's recorded parameters (workers and page size aside). */
function sameRun(p: JobParams, arg: IngestArg): boolean {
  const source = arg.source ? path.resolve(arg.source) : undefined;
  return p.force === arg.force && p.pipeline === arg.pipeline && p.adjustment === arg.adjustment && p.source === source && p.tz === arg.tz;
}

function apiFeedOf(stored: string, adjustment: Adjustment): string {
  return adjustment === 'raw' ? stored : stored.slice(0, -(adjustment.length + 1));
}

export interface IngestServiceDeps {
  host: AppInfo['host'];
  providers: ProviderRegistry;
  services: Pick<Services, 'jobs' | 'coverage' | 'universes' | 'writer' | 'sampleMetrics' | 'lease'>;
  metrics: EngineMetrics;
  bus: EventBus;
  /** the redactor now (a credential stored later must be redacted from then on) */
  redactor(): Redactor;
  /** what providers see: stored credentials under the environment */
  providerEnv(): NodeJS.ProcessEnv;
  log: Logger;
  /**
   * a job's fetch ended: the pipeline announces it (ingest.completed) and runs the job's validate and aggregate
   * stages; resolves with the job as it ends
   */
  completed(job: Job, stages: IngestStages, opts: { run: boolean; closing: boolean; signal: AbortSignal }): Promise<Job>;
  /** runs the stages that remain of a job whose fetch is done (resume, recovery) */
  finishStages(job: Job, from: 'validate' | 'aggregate', opts: { run: boolean; signal: AbortSignal }): Promise<Job>;
  closing(): boolean;
}

interface RunningJob {
  controller: AbortController;
  done: Promise<Job>;
}

/**
 * The ingest service: checks an ingest request (with the provider's own checks), plans it into units (symbol x
 * year), records the job and runs it in the background; resumes what a job left pending; cancels.
 */
export class IngestService {
  private readonly running = new Map<string, RunningJob>();
  /** jobs of this process in their fetch stage */
  private fetching = 0;
  /** one HTTP client per provider: its rate limiter and breaker outlive single jobs */
  private readonly httpClients = new Map<string, { client: HttpClient; stats: ProviderStats }>();

  constructor(private readonly d: IngestServiceDeps) {}

  /** Jobs running in this process. */
  get size(): number {
    return this.running.size;
  }

  /** The run of a job in this process, if it is running here. */
  run(jobId: string): Promise<Job> | undefined {
    return this.running.get(jobId)?.done;
  }

  /** Asks a running job to stop; false when it is not running in this process. */
  cancel(jobId: string): boolean {
    const r = this.running.get(jobId);
    if (!r) {
      if (!this.d.services.jobs().get(jobId)) throw new MpError('E_NOT_FOUND', `no job ${jobId}`);
      return false;
    }
    r.controller.abort();
    return true;
  }

  /**
   * The scheduler's daily update: each symbol from where it stops (coverage); symbols never ingested from `since`,
   * by default 30 days before the last closed session.
   */
  scheduledUpdate(s: Schedule): Promise<Job> {
    return this.start(
      { provider: s.provider, universe: s.universe ?? undefined, feed: s.feed ?? undefined, timeframe: s.timeframe, update: true },
      { newSymbolsFrom: s.since ?? daysBefore(lastClosedSession(), 30) },
    );
  }

  /** Cancels every running job and waits for them to stop. */
  async close(): Promise<void> {
    for (const r of this.running.values()) r.controller.abort();
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
  }

  private http(provider: Provider): { client: HttpClient; stats: ProviderStats } {
    let c = this.httpClients.get(provider.info.name);
    if (!c) {
      const stats = new ProviderStats();
      const resilience = provider.resilienceFor?.(this.d.providerEnv()) ?? provider.resilience;
      const client = resilience ? createHttpClient(provider.info.name, resilience, mergeHooks(stats.hooks(), this.d.metrics.httpHooksFor(provider.info.name))) : offline(provider.info.name);
      c = { client, stats };
      this.httpClients.set(provider.info.name, c);
    }
    return c;
  }

  /** Checks the request (with the provider's own checks), creates the job and starts it; resolves once started. */
  /** `newSymbolsFrom`: with update, where symbols never ingested start (the scheduler's default) instead of an error. */
  async start(input: IngestArgInput, opts: { newSymbolsFrom?: string } = {}): Promise<Job> {
    const parsed = IngestArgSchema.safeParse(input);
    if (!parsed.success) throw new MpError('E_BAD_INPUT', formatZodError(parsed.error));
    const arg = parsed.data;
    const provider = this.d.providers.get(arg.provider);
    const apiFeed = arg.feed ?? provider.info.defaultFeed;
    if (!provider.info.feeds.includes(apiFeed)) throw new MpError('E_BAD_INPUT', `provider ${arg.provider} has no feed "${apiFeed}" (feeds: ${provider.info.feeds.join(', ')})`);
    const adjustments = provider.info.adjustments ?? ['raw'];
    if (!adjustments.includes(arg.adjustment)) {
      throw new MpError('E_BAD_INPUT', `provider ${arg.provider} serves ${adjustments.join(', ')} prices, not ${arg.adjustment}`);
    }
    // Adjusted bars are a source of their own: never mixed with (or mistaken for) the raw bars of the same feed.
    const feed = storageFeed(apiFeed, arg.adjustment);
    if (!provider.isConfigured(this.d.providerEnv())) {
      throw new MpError('E_PROVIDER_AUTH', `provider ${arg.provider} is not configured: set ${provider.info.needs.join(', ')}`);
    }
    const plan = await this.prepareIngest(provider, arg, apiFeed, feed, opts.newSymbolsFrom);
    if (!provider.info.timeframes.includes(plan.timeframe)) {
      throw new MpError('E_BAD_INPUT', `provider ${arg.provider} does not serve ${plan.timeframe} bars (it serves: ${provider.info.timeframes.join(', ')})`);
    }
    // one writer process per data dir, taken before the plan reads coverage (which another writer may be changing);
    // bad input is refused before, without touching the disk
    this.d.services.lease().acquire();
    let launched = false;
    try {
      const job = this.plan(arg, provider, feed, plan);
      launched = true;
      return job;
    } finally {
      if (!launched) this.d.services.lease().release();
    }
  }

  private plan(arg: IngestArg, provider: Provider, feed: string, plan: PreparedIngest): Job {
    // the same request as a job that did not finish (killed, failed at a stage, cancelled): finish that job
    const previous = this.d.services.jobs().latestLike({ provider: arg.provider, feed, timeframe: plan.timeframe, symbols: plan.symbols, start: plan.start, end: plan.end });
    if (previous && (previous.job.status === 'failed' || previous.job.status === 'cancelled') && sameRun(previous.params, arg)) {
      this.d.log.info('resuming the unfinished job of the same request', { job: previous.job.id, stage: previous.job.stage });
      return this.reopenAndLaunch(previous.job, provider);
    }
    const pageSize = arg.batchSize ?? provider.defaultPageSize;
    let tasks = planIngest(plan.symbols, plan.start, plan.end);
    const planned = tasks;
    if (!arg.force) {
      const coverage = this.d.services.coverage();
      tasks = narrowToMissing(tasks, (t) => coverage.covered({ symbol: t.symbol, timeframe: plan.timeframe, provider: arg.provider, feed }, t.start, t.end));
    }
    // the source is stored absolute: a resume may run from another working directory
    const params: JobParams = { workers: arg.workers, batchSize: pageSize, force: arg.force, adjustment: arg.adjustment, pipeline: arg.pipeline, ...(arg.source ? { source: path.resolve(arg.source) } : {}), ...(arg.tz ? { tz: arg.tz } : {}) };
    const job = this.d.services.jobs().create({
      id: randomUUID(),
      provider: arg.provider,
      feed,
      timeframe: plan.timeframe,
      symbols: plan.symbols,
      start: plan.start,
      end: plan.end,
      params,
      host: this.d.host,
    });
    this.d.services.jobs().addTasks(job.id, tasks.map((t) => ({ symbol: t.symbol, year: t.year, start: t.start, end: t.end, days: t.days.length })));
    // a source counted beforehand (csv): the job accounts for each of its rows from the start
    if (plan.rows) this.d.services.jobs().setAccounting(job.id, accountingFromSource(plan.rows, planned));
    const counted = this.d.services.jobs().get(job.id)!;
    this.d.bus.emit('jobs.updated', counted);
    this.launch(counted, provider, params, tasks, 0);
    return counted;
  }

  /**
   * Jobs a dead process (or a closing engine) left unfinished, for a long-lived host's start: those past their fetch
   * have their validate and aggregate stages finished here (they need no credentials); those still fetching are
   * listed for a resume. Another process writing the data dir: nothing is started (the lease says why).
   */
  recover(): { finishing: Job[]; resumable: Job[] } {
    const interrupted = this.d.services.jobs().interrupted();
    const finishing: Job[] = [];
    const resumable: Job[] = [];
    for (const job of interrupted) {
      if (job.stage === 'fetch') {
        resumable.push(job);
        this.d.log.warn('interrupted fetch: resume it with `marketpipe ingest --resume ID` (or from the Ingest page)', { job: job.id, progress: job.progress });
        continue;
      }
      try {
        finishing.push(this.resumeNow(job));
        this.d.log.info('finishing the stages of an interrupted job', { job: job.id, stage: job.stage });
      } catch (e) {
        this.d.log.warn('could not finish an interrupted job', { job: job.id, stage: job.stage, error: e instanceof Error ? e.message : String(e) });
      }
    }
    return { finishing, resumable };
  }

  /**
   * Finishes a job that did not finish (failed, cancelled, or interrupted by a dead process): the pending units of
   * its fetch, then its validate and aggregate stages; a job past its fetch needs no credentials.
   */
  async resume(jobId: string): Promise<Job> {
    const job = this.d.services.jobs().get(jobId);
    if (!job) throw new MpError('E_NOT_FOUND', `no job ${jobId}`);
    return this.resumeNow(job);
  }

  private resumeNow(job: Job): Job {
    const jobId = job.id;
    if (this.running.has(jobId)) throw new MpError('E_CONFLICT', `job ${jobId} is running in this process`);
    if (job.status === 'succeeded') throw new MpError('E_CONFLICT', `job ${jobId} already finished: nothing to resume`);
    if (job.status === 'queued' || job.status === 'running') throw new MpError('E_CONFLICT', `job ${jobId} is running in another process`);
    const provider = job.stage === 'fetch' ? this.d.providers.get(job.provider) : undefined;
    if (provider && !provider.isConfigured(this.d.providerEnv())) throw new MpError('E_PROVIDER_AUTH', `provider ${job.provider} is not configured: set ${provider.info.needs.join(', ')}`);
    this.d.services.lease().acquire();
    try {
      return this.reopenAndLaunch(job, provider);
    } catch (e) {
      this.d.services.lease().release();
      throw e;
    }
  }

  /** Reopens an unfinished job and runs what remains of it; the caller holds the lease (released when it ends). */
  private reopenAndLaunch(job: Job, provider: Provider | undefined): Job {
    const jobId = job.id;
    const params = this.d.services.jobs().params(jobId);
    this.d.services.jobs().reopen(jobId, this.d.host);
    const reopened = this.d.services.jobs().get(jobId)!;
    this.d.bus.emit('jobs.updated', reopened);
    if (job.stage === 'fetch') {
      const records = this.d.services.jobs().tasks(jobId);
      const pending = records.filter((r) => r.status === 'pending').map((r) => makeTask(r.symbol, r.year, r.start, r.end));
      const doneDays = records.filter((r) => r.status === 'done').reduce((n, r) => n + r.days, 0);
      this.launch(reopened, provider ?? this.d.providers.get(job.provider), params, pending, doneDays);
    } else {
      this.launchStages(reopened, job.stage === 'aggregate' ? 'aggregate' : 'validate', params);
    }
    return reopened;
  }

  /** A job past its fetch: only its stages remain. */
  private launchStages(job: Job, from: 'validate' | 'aggregate', params: JobParams): void {
    const controller = new AbortController();
    const done = Promise.resolve()
      .then(() => {
        const running = this.d.services.jobs().markRunning(job.id);
        this.d.bus.emit('jobs.updated', running, { correlationId: job.id });
        return this.d.finishStages(running, from, { run: params.pipeline, signal: controller.signal });
      })
      .finally(() => this.ended(job.id));
    this.running.set(job.id, { controller, done });
  }

  private ended(jobId: string): void {
    this.running.delete(jobId);
    this.d.services.lease().release();
    this.d.services.sampleMetrics();
  }

  /**
   * A job's fetch ended: when no other job is fetching, what only the fetch used gives its memory back before the
   * job's validate stage (the lake stage thread and its DuckDB, the writer's cached blocks, the provider's idle threads;
   * see lake/memory.ts). Best effort: a failure here costs memory, never the job.
   */
  private async fetchEnded(provider: Provider): Promise<void> {
    if (--this.fetching > 0 || this.d.closing()) return;
    try {
      const writer = await this.d.services.writer();
      await Promise.all([writer.rest(), provider.idle?.()]);
    } catch (e) {
      this.d.log.warn('giving memory back after the fetch failed', { message: e instanceof Error ? e.message : String(e) });
    }
  }

  private launch(job: Job, provider: Provider, params: JobParams, tasks: IngestTask[], doneDays: number): void {
    const controller = new AbortController();
    let stages: IngestStages = { fetchMs: 0, writeMs: 0, ingestMs: 0 };
    this.fetching++;
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
      store: this.d.services.jobs(),
      coverage: this.d.services.coverage(),
      redactor: this.d.redactor(),
      metrics: this.d.metrics,
      bus: this.d.bus,
      writer: () => this.d.services.writer(),
      env: this.d.providerEnv(),
      log: this.d.log,
      signal: controller.signal,
      onStages: (s) => (stages = s),
    })
      .finally(() => this.fetchEnded(provider))
      // the job's run goes on through its stages: it ends (and releases the lease) when they are over
      .then((fetched) => this.d.completed(fetched, stages, { run: params.pipeline, closing: this.d.closing(), signal: controller.signal }))
      .finally(() => this.ended(job.id));
    this.running.set(job.id, { controller, done });
  }

  private async prepareIngest(provider: Provider, arg: IngestArg, apiFeed: string, feed: string, newSymbolsFrom?: string): Promise<PreparedIngest> {
    const fromUniverse = arg.universe ? this.d.services.universes().get(arg.universe).symbols : [];
    if (arg.universe && fromUniverse.length === 0 && arg.symbols.length === 0) throw new MpError('E_BAD_INPUT', `universe "${arg.universe}" has no symbols`);
    const symbols = [...new Set([...arg.symbols, ...fromUniverse])];
    if (provider.prepare) {
      if (arg.update) throw new MpError('E_BAD_INPUT', `--update is for network providers; provider ${provider.info.name} reads what its files hold`);
      const ac = new AbortController();
      return provider.prepare(
        { symbols, timeframe: arg.timeframe, start: arg.start, end: arg.end, feed: apiFeed, source: arg.source, tz: arg.tz },
        { signal: ac.signal, env: this.d.providerEnv(), log: this.d.log },
      );
    }
    if (symbols.length === 0) throw new MpError('E_BAD_INPUT', 'symbols: give at least one symbol (or a universe)');
    if (arg.source) throw new MpError('E_BAD_INPUT', `provider ${provider.info.name} reads no files: --source is for the csv provider`);
    const timeframe = arg.timeframe ?? '1m';
    if (arg.update) return { symbols, timeframe, ...this.updateRange(symbols, timeframe, provider.info.name, feed, arg.start, newSymbolsFrom) };
    if (!arg.start || !arg.end) throw new MpError('E_BAD_INPUT', `provider ${provider.info.name} needs --start and --end`);
    // no future bars: the range ends at the last closed session (the job records the clipped end)
    let range: ReturnType<typeof clipToClosedSessions>;
    try {
      range = clipToClosedSessions(arg.start, arg.end);
    } catch (e) {
      throw new MpError('E_BAD_INPUT', (e as Error).message);
    }
    if (range.clippedFrom) this.d.log.info('ingest range clipped to the last closed session', { requestedEnd: range.clippedFrom, end: range.end });
    return { symbols, timeframe, start: range.start, end: range.end };
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
    const coverage = this.d.services.coverage();
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
}
