import { exchangeDate } from '../calendar';
import type { Adjustment, Job, Timeframe } from '../contract/schemas';
import type { JobStore } from '../db/jobs';
import type { EventBus } from '../events/bus';
import type { LakeWriter } from '../lake/writer';
import { DUPLICATE_DETAIL_LIMIT, repeatsOf, type DeliveryDuplicates } from '../providers/batch';
import { settleUnit, UnitPages } from './unitPages';
import { WallClock, RateMeter } from './meters';
import { NO_DUPLICATES, daysUpTo } from './repeats';
import { JobTally } from './accounting';
import type { ProviderStats } from '../providers/http/stats';
import type { HttpClient } from '../providers/http/types';
import type { Provider } from '../providers/types';
import { MpError, toErrorValue } from '../shared/errors';
import type { Logger } from '../shared/log';
import type { Redactor } from '../shared/redact';
import type { EngineMetrics } from '../metrics';
import type { CoverageStore } from '../db/coverage';
import { crashPoint } from '../pipeline/crashpoint';
import { TrailingThrottle } from './trailing';
import { closedBy, groupTasks, rowsBySessionFromHours, type IngestTask } from './plan';

export interface IngestStages {
  /** time spent fetching and writing, summed over the workers (two workers fetching for 1 s count 2 s) */
  fetchMs: number;
  writeMs: number;
  /** wall time during which at least one fetch (write) was in flight */
  fetchWallMs?: number;
  writeWallMs?: number;
  /** the workers the sums are over */
  workers?: number;
  ingestMs: number;
}

export interface RunIngestOptions {
  job: Job;
  provider: Provider;
  http: HttpClient;
  stats: ProviderStats;
  /** the source's feed in the lake (with the adjustment suffix when not raw) */
  feed: string;
  /** the feed and adjustment asked of the provider */
  apiFeed: string;
  adjustment: Adjustment;
  timeframe: Timeframe;
  workers: number;
  pageSize: number;
  source?: string;
  tz?: string;
  /** the units still to do (a resumed job passes only its pending ones) */
  tasks: IngestTask[];
  /** trading days of units already done before this run (resume): they count towards progress */
  doneDays: number;
  store: JobStore;
  coverage: CoverageStore;
  redactor: Redactor;
  metrics: EngineMetrics;
  bus: EventBus;
  writer: () => Promise<LakeWriter>;
  env: NodeJS.ProcessEnv;
  log: Logger;
  signal: AbortSignal;
  /** told, once the run ends, how long it spent fetching and writing (summed over workers) and in all */
  onStages?: (stages: IngestStages) => void;
}

const EVENT_EVERY_MS = 100;
/** Bars of grouped units fetched but not yet written (64 bytes each: 64 MB) before a group's fetch waits for the writer. */
const MAX_QUEUED_BARS = 1_000_000;
const DB_EVERY_MS = 500;

/**
 * Runs one ingestion job to its end: fetch each (symbol, year) task with up to `workers` in flight, write each as one
 * atomic partition file, record a checkpoint per task, and report progress as events (throttled) and in SQLite.
 * Resolves with the job as its fetch left it: failed or cancelled (stage fetch), or still running with its validate
 * stage to come (the pipeline finishes it); never rejects.
 */
export async function runIngest(o: RunIngestOptions): Promise<Job> {
  const { job, store, bus, log } = o;
  const tasks = o.tasks;
  const totalDays = o.doneDays + tasks.reduce((n, t) => n + t.days.length, 0) || 1;
  let fetchedDays = o.doneDays;
  let writtenDays = o.doneDays;
  let rowsWritten = job.rowsWritten;
  /** bars received from the provider in this run: the speed users see while a long unit is still being fetched */
  let rowsFetched = 0;
  /** the units in flight: trading days received of each, for per-symbol progress between two units */
  const inflight = new Map<string, { symbol: string; year: number; daysFetched: number; rows: number }>();
  const rate = new RateMeter();
  const fetchWall = new WallClock();
  const writeWall = new WallClock();
  let lastDb = 0;

  // where every received row goes (ingest/accounting.ts); a provider that reads its own files counted them beforehand
  const tally = new JobTally(job.accounting ?? null, o.provider.prepare !== undefined, store.duplicates().countFor(job.id), DUPLICATE_DETAIL_LIMIT);
  const progress = () => Math.min(99.9, ((fetchedDays * 0.9 + writtenDays * 0.1) / totalDays) * 100);
  const t0 = Date.now();
  const corr = { correlationId: job.id };
  let fetchSeconds = 0;
  let writeSeconds = 0;
  const stats0 = o.stats.snapshot();
  // the lake writer and its stage thread start while the first units are fetched (an error shows at the first write)
  void o.writer().then((w) => w.warm(), () => undefined);
  const active = new Map<string, number>();
  const events = new TrailingThrottle(EVENT_EVERY_MS);
  const report = (message: string, force = false) => {
    const now = Date.now();
    const p = Math.round(progress() * 10) / 10;
    events.call(() => {
      const at = Date.now();
      const secs = (at - t0) / 1000;
      const stats = o.stats.snapshot();
      const speed = rate.sample(at, rowsFetched);
      // ETA from the share of work done in this run (a resumed job's earlier work does not count towards speed)
      const doneHere = (fetchedDays * 0.9 + writtenDays * 0.1 - o.doneDays) / (totalDays - o.doneDays || 1);
      bus.emit('jobs.progress', {
        jobId: job.id,
        progress: Math.round(progress() * 10) / 10,
        rowsWritten,
        rowsReceived: job.rowsWritten + rowsFetched,
        message,
        barsPerSecond: Math.round(speed),
        etaSeconds: doneHere > 0.02 && secs > 1 ? Math.round((secs / doneHere) * (1 - doneHere)) : null,
        retries: stats.retries - stats0.retries,
        rateLimitWaits: stats.rateLimitWaits - stats0.rateLimitWaits,
        active: [...active.keys()],
        units: [...inflight.values()],
      }, corr);
    }, force);
    if (force || now - lastDb >= DB_EVERY_MS) {
      lastDb = now;
      store.recordProgress(job.id, p, rowsWritten);
    }
  };

  bus.emit('jobs.updated', store.markRunning(job.id), corr);
  o.metrics.jobsInFlight(1);
  log.info('ingest started', { job: job.id, provider: job.provider, symbols: job.symbols.length, tasks: tasks.length });

  const failure = new AbortController();
  const signal = AbortSignal.any([o.signal, failure.signal]);
  let firstError: unknown;

  const activate = (symbol: string) => active.set(symbol, (active.get(symbol) ?? 0) + 1);
  const deactivate = (symbol: string) => {
    const n = (active.get(symbol) ?? 1) - 1;
    if (n > 0) active.set(symbol, n);
    else active.delete(symbol);
  };
  const runTask = async (t: IngestTask) => {
    activate(t.symbol);
    inflight.set(`${t.symbol}\u0000${t.year}`, { symbol: t.symbol, year: t.year, daysFetched: 0, rows: 0 });
    try {
      await runUnit(t);
    } finally {
      inflight.delete(`${t.symbol}\u0000${t.year}`);
      deactivate(t.symbol);
    }
  };

  const unitRequest = (t: IngestTask) => ({
    req: { symbol: t.symbol, timeframe: o.timeframe, start: t.start, end: t.end, feed: o.apiFeed, adjustment: o.adjustment, pageSize: o.pageSize, source: o.source, tz: o.tz },
    ctx: { signal, env: o.env, log, http: o.http },
  });
  const keyOf = (t: IngestTask) => ({ timeframe: o.timeframe, provider: job.provider, feed: o.feed, symbol: t.symbol, year: t.year });

  // Providers that hold their bars in DuckDB already (csv) hand the unit over as SQL: the writer copies it to Parquet
  // there, and the bars never become pages in JS. Everything around the write is the same as for pages.
  const runUnit = async (t: IngestTask) => {
    if (!o.provider.openUnit) return runPagedUnit(t);
    const { req, ctx } = unitRequest(t);
    const endFetch = o.metrics.startStage('fetch');
    const endFetchWall = fetchWall.start();
    const pageStart = performance.now();
    let unit: Awaited<ReturnType<NonNullable<Provider['openUnit']>>>;
    try {
      unit = await o.provider.openUnit(req, ctx);
    } finally {
      endFetchWall();
    }
    fetchSeconds += endFetch();
    try {
      if (!o.provider.resilience && !o.provider.resilienceFor) o.metrics.requestObserved(job.provider, o.feed, 200, (performance.now() - pageStart) / 1000);
      if (signal.aborted) return;
      fetchedDays += t.days.length;
      if (unit === null) return finishUnit(t, null, 0, rowsBySessionFromHours(t, new Map(), Date.now()), NO_DUPLICATES);
      const endWrite = o.metrics.startStage('write');
      const endWriteWall = writeWall.start();
      const res = await (await o.writer()).writeRelation({ key: keyOf(t), conn: unit.conn, sql: unit.sql, replaceFrom: t.from, replaceTo: t.to, ordered: unit.ordered, jobId: job.id }).finally(endWriteWall);
      writeSeconds += endWrite();
      rowsFetched += res.written;
      return finishUnit(t, res.written > 0 ? res.file : null, res.written, rowsBySessionFromHours(t, res.rowsByHour, Date.now()), unit.duplicates ?? NO_DUPLICATES);
    } finally {
      unit?.release();
    }
  };

  const runPagedUnit = async (t: IngestTask) => {
    const buf = new UnitPages(t.symbol);
    let seen = 0;
    const { req, ctx } = unitRequest(t);
    const pages = o.provider.fetchBars(req, ctx);
    const endFetch = o.metrics.startStage('fetch');
    const endFetchWall = fetchWall.start();
    const live = inflight.get(`${t.symbol}\u0000${t.year}`);
    let pageStart = performance.now();
    let unitRows = 0;
    try {
      for await (const page of pages) {
        if (signal.aborted) break;
        // network providers are counted by the HTTP layer; the others (fake, csv) count a page as one request
        if (!o.provider.resilience && !o.provider.resilienceFor) o.metrics.requestObserved(job.provider, o.feed, 200, (performance.now() - pageStart) / 1000);
        buf.add(page, repeatsOf(page));
        crashPoint('fetch.page');
        rowsFetched += page.length;
        unitRows += page.length;
        if (page.length > 0) {
          const upTo = daysUpTo(t.days, exchangeDate(page.ts[page.length - 1]!));
          fetchedDays += Math.max(0, upTo - seen);
          seen = Math.max(seen, upTo);
          if (live) {
            live.daysFetched = seen;
            live.rows = unitRows;
          }
        }
        report(`fetching ${t.symbol} ${t.year}`);
        pageStart = performance.now();
      }
    } finally {
      endFetchWall();
    }
    fetchSeconds += endFetch();
    // A cancelled job still finishes a write already started, but starts none; what it fetched is dropped, so it
    // no longer counts towards progress.
    if (signal.aborted) {
      fetchedDays -= seen;
      rowsFetched -= unitRows;
      tally.refused(buf.length + buf.repeats.length);
      return;
    }
    fetchedDays += t.days.length - seen;
    if (live) live.daysFetched = t.days.length;
    // queued, not awaited: the worker fetches its next unit meanwhile, and the writer commits the units queued
    // while it was busy as one group (lake/group.ts)
    queueWrite(t, buf);
    await writeBacklog();
  };

  /**
   * A unit fetched in full: its file (when it has bars), then its checkpoint. `repeats`: the copies its pages dropped.
   * `timed` false: the caller times the write stage itself (a group queues many writes at once, and each one's wait in
   * the writer's queue is not writing).
   */
  const writeUnit = async (t: IngestTask, buf: UnitPages, timed = true) => {
    // the repeats are taken out here, where they can still be told (the writer would keep one copy without a word), and
    // the rows per session counted: the write hands the pages over (lake/pages.ts)
    const { bars: batch, duplicates: dups, sessions } = settleUnit(t, buf);
    let file: string | null = null;
    let written = 0;
    if (batch.length > 0) {
      const endWrite = o.metrics.startStage('write');
      try {
        const endWriteWall = writeWall.start();
        const res = await (await o.writer()).write({ key: keyOf(t), batch, replaceFrom: t.from, replaceTo: t.to, jobId: job.id }).finally(endWriteWall);
        file = res.file;
        written = res.written;
      } catch (e) {
        tally.refused(buf.length + buf.repeats.length);
        throw e;
      } finally {
        const secs = endWrite();
        if (timed) writeSeconds += secs;
      }
    }
    finishUnit(t, file, written, closedBy(sessions, Date.now()), dups);
  };

  // Writes run behind the fetch: queued in the lake writer (which commits those queued while it was busy together),
  // at most MAX_QUEUED_BARS bars waiting; a failed write fails the job like any unit. The write stage is timed as the time
  // the queue was busy, not as the sum of each write's wait in it.
  const queued = new Set<Promise<void>>();
  let queuedBars = 0;
  let busySince = 0;
  const queueWrite = (t: IngestTask, buf: UnitPages) => {
    if (queued.size === 0) busySince = performance.now();
    queuedBars += buf.length;
    const p: Promise<void> = writeUnit(t, buf, false)
      .catch((e: unknown) => {
        if (!signal.aborted) {
          firstError = e;
          failure.abort();
        }
      })
      .finally(() => {
        queuedBars -= buf.length;
        queued.delete(p);
        if (queued.size === 0) writeSeconds += (performance.now() - busySince) / 1000;
      });
    queued.add(p);
  };
  const writeBacklog = async () => {
    while (queuedBars > MAX_QUEUED_BARS && queued.size > 0) await Promise.race(queued);
  };

  /**
   * Units of one range fetched together (fetchGroup): each symbol's unit is written and checkpointed as soon as the
   * provider says its last page arrived, so memory holds the symbols in progress only and a failure or cancel leaves
   * exactly the unfinished ones pending.
   */
  const runGroup = async (group: IngestTask[]) => {
    const fetchGroup = o.provider.fetchGroup!.bind(o.provider);
    const bySymbol = new Map(group.map((t) => [t.symbol, t]));
    const bufs = new Map<string, UnitPages>();
    const first = group[0]!;
    const { req, ctx } = unitRequest(first);
    const events = fetchGroup({ symbols: group.map((t) => t.symbol), timeframe: req.timeframe, start: req.start, end: req.end, feed: req.feed, adjustment: req.adjustment, pageSize: req.pageSize }, ctx);
    // A complete symbol's write is queued, not awaited: the group's next page (and the next group) is requested
    // meanwhile, so the requests keep to the provider's pace whatever the writes cost.
    const endFetch = o.metrics.startStage('fetch');
    const endFetchWall = fetchWall.start();
    try {
      for await (const ev of events) {
        if (signal.aborted) break;
        const t = bySymbol.get(ev.symbol);
        if (!t) throw new MpError('E_PROVIDER', `${job.provider}: the answer holds bars of ${ev.symbol.slice(0, 20)}, which was not asked for or was complete already`);
        if (ev.done) {
          fetchedDays += t.days.length;
          bySymbol.delete(ev.symbol);
          const buf = bufs.get(ev.symbol);
          bufs.delete(ev.symbol);
          if (buf) deactivate(ev.symbol);
          queueWrite(t, buf ?? new UnitPages(t.symbol));
          await writeBacklog();
          continue;
        }
        let buf = bufs.get(ev.symbol);
        if (!buf) {
          buf = new UnitPages(t.symbol);
          bufs.set(ev.symbol, buf);
          activate(t.symbol);
        }
        buf.add(ev.batch, repeatsOf(ev.batch));
        crashPoint('fetch.page');
        rowsFetched += ev.batch.length;
        report(`fetching ${t.symbol} ${t.year}`);
      }
    } finally {
      endFetchWall();
      fetchSeconds += endFetch();
      for (const s of bufs.keys()) deactivate(s);
    }
    if (!signal.aborted && bySymbol.size > 0) {
      throw new MpError('E_PROVIDER', `${job.provider}: the group fetch ended without all bars of ${[...bySymbol.keys()].slice(0, 5).join(', ')}`);
    }
  };

  /** After a unit's write (or a unit without bars): the data is durable (fsync + rename), so now the checkpoint. */
  const finishUnit = (t: IngestTask, file: string | null, written: number, sessions: Map<string, number>, dups: DeliveryDuplicates) => {
    crashPoint('write.durable');
    if (written > 0) {
      rowsWritten += written;
      o.metrics.rowsIngested(job.provider, o.feed, o.timeframe, written, job.id);
    }
    o.metrics.lastSuccess(job.provider, o.feed);
    // one transaction: a kill between them would count the unit twice on resume, or lose its duplicates
    store.atomically(() => {
      const detailed = tally.unit(written, dups.count, dups.sample.length);
      // a write replaced the unit's range: the duplicates earlier jobs recorded there no longer describe the lake
      if (written > 0) store.duplicates().record(job.id, { provider: job.provider, feed: o.feed, timeframe: o.timeframe, symbol: t.symbol }, t.from, t.to, dups.sample.slice(0, detailed));
      store.setAccounting(job.id, tally.value);
      o.coverage.record({ symbol: t.symbol, timeframe: o.timeframe, provider: job.provider, feed: o.feed }, sessions, job.id);
      store.markTaskDone(job.id, t.symbol, t.year, written, file);
      // with the unit, not only every DB_EVERY_MS: a job killed after its last unit must still know it wrote rows
      store.recordProgress(job.id, Math.round(progress() * 10) / 10, rowsWritten);
    });
    log.info('unit written', { job: job.id, symbol: t.symbol, year: t.year, rows: written });
    bus.emit('jobs.unit', { jobId: job.id, symbol: t.symbol, year: t.year, rows: written }, corr);
    writtenDays += t.days.length;
    report(`wrote ${t.symbol} ${t.year}`);
  };

  // A worker takes one group at a time: one task, or tasks of one range the provider fetches together.
  const groups = o.provider.fetchGroup && o.provider.groupSymbols
    ? groupTasks(tasks, (t, symbols) => o.provider.groupSymbols!({ timeframe: o.timeframe, start: t.start, end: t.end, days: t.days.length, pageSize: o.pageSize }, symbols, o.env))
    : groupTasks(tasks);
  let next = 0;
  const worker = async () => {
    while (next < groups.length && !signal.aborted) {
      const g = groups[next++]!;
      try {
        if (g.length === 1) await runTask(g[0]!);
        else await runGroup(g);
      } catch (e) {
        if (!signal.aborted) {
          firstError = e;
          failure.abort();
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.workers, groups.length)) }, worker));
  // every write started ends (its file in place and checkpointed, or failed) before the job reports
  while (queued.size > 0) await Promise.all(queued);

  store.setAccounting(job.id, tally.value);
  let finished: Job;
  if (firstError) {
    const raw = toErrorValue(firstError);
    // the job record outlives the run: no secret a provider echoed may be stored in it
    const err = { code: raw.code, message: o.redactor.text(raw.message) };
    // network providers' failed requests are already counted by the HTTP layer's hooks: count each failure once
    if (!o.provider.resilience && !o.provider.resilienceFor) o.metrics.error(job.provider, o.feed, err.code);
    log.error('ingest failed', { job: job.id, code: err.code, message: err.message });
    finished = store.finish(job.id, 'failed', progress(), rowsWritten, err);
  } else if (o.signal.aborted) {
    log.warn('ingest cancelled', { job: job.id, rows: rowsWritten });
    finished = store.finish(job.id, 'cancelled', progress(), rowsWritten, new MpError('E_CANCELLED', 'cancelled by the user').toValue());
  } else {
    log.info('ingest finished', { job: job.id, rows: rowsWritten });
    finished = store.fetched(job.id, rowsWritten);
  }
  o.metrics.jobsInFlight(-1);
  events.cancel();
  const stats = o.stats.snapshot();
  const secs = (Date.now() - t0) / 1000;
  bus.emit('jobs.progress', {
    jobId: job.id,
    progress: finished.progress,
    rowsWritten,
    rowsReceived: job.rowsWritten + rowsFetched,
    message: finished.status === 'running' ? 'fetched' : finished.status,
    // the run's average: the last word on its speed
    barsPerSecond: secs > 0 ? Math.round(rowsFetched / secs) : 0,
    etaSeconds: 0,
    retries: stats.retries - stats0.retries,
    rateLimitWaits: stats.rateLimitWaits - stats0.rateLimitWaits,
    active: [],
  }, corr);
  o.onStages?.({
    fetchMs: Math.round(fetchSeconds * 1000),
    writeMs: Math.round(writeSeconds * 1000),
    fetchWallMs: fetchWall.ms(),
    writeWallMs: writeWall.ms(),
    workers: Math.max(1, Math.min(o.workers, tasks.length)),
    ingestMs: Date.now() - t0,
  });
  bus.emit('jobs.updated', finished, corr);
  return finished;
}
