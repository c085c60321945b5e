import { z } from 'zod';
import { isTradingDay, exchangeDate, previousTradingDay, zonedTimeToUtc, EXCHANGE_TZ } from '../calendar';
import { ScheduleSchema, type Job, type Schedule, type ScheduleStatus } from '../contract/schemas';
import type { SettingsStore } from '../settings/store';
import { toErrorValue } from '../shared/errors';
import type { Logger } from '../shared/log';

export const DEFAULT_SCHEDULE: Schedule = { enabled: false, universe: null, provider: 'alpaca', feed: null, timeframe: '1m', since: null, at: '20:15' };

const StateSchema = z.object({ lastRunSession: z.string().nullable(), lastJobId: z.string().nullable(), lastError: z.string().nullable() });
type State = z.infer<typeof StateSchema>;
const NO_STATE: State = { lastRunSession: null, lastJobId: null, lastError: null };

const CHECK_EVERY_MS = 60_000;

function runTimeOf(session: string, at: string): number {
  return zonedTimeToUtc(session, Number(at.slice(0, 2)), Number(at.slice(3, 5)), EXCHANGE_TZ);
}

/** The latest trading session whose scheduled run time has come by `now`. */
export function dueSession(now: number, at: string): string {
  let d = exchangeDate(now);
  if (!isTradingDay(d) || runTimeOf(d, at) > now) d = previousTradingDay(d);
  return d;
}

/** The next time a run is due after `now` (for display). */
export function nextRunAt(now: number, at: string): number {
  let d = exchangeDate(now);
  for (let i = 0; i < 10; i++) {
    if (isTradingDay(d) && runTimeOf(d, at) > now) return runTimeOf(d, at);
    const next = new Date(`${d}T12:00:00Z`);
    next.setUTCDate(next.getUTCDate() + 1);
    d = next.toISOString().slice(0, 10);
  }
  return runTimeOf(d, at);
}

export interface SchedulerDeps {
  settings: () => SettingsStore;
  update: (s: Schedule) => Promise<Job>;
  log: Logger;
  now?: () => number;
}

/**
 * Daily updates after the close, run by the long-lived hosts (desktop app, serve). On start it catches up: a session
 * missed while the app was closed is due at once, and the update job (--update semantics) fetches every missing day.
 */
export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<Job | undefined> | undefined;
  private again = false;
  private readonly now: () => number;

  constructor(private readonly deps: SchedulerDeps) {
    this.now = deps.now ?? Date.now;
  }

  schedule(): Schedule {
    return this.deps.settings().get('schedule', ScheduleSchema, DEFAULT_SCHEDULE);
  }

  private state(): State {
    return this.deps.settings().get('schedule.state', StateSchema, NO_STATE);
  }

  status(active: boolean): ScheduleStatus {
    const schedule = this.schedule();
    return { schedule, active, ...this.state(), nextRunAt: schedule.enabled ? new Date(nextRunAt(this.now(), schedule.at)).toISOString() : null };
  }

  /** Saves a schedule; a new schedule starts with a clean slate of errors (the old error was about the old one). */
  set(s: Schedule): void {
    this.deps.settings().set('schedule', s);
    this.deps.settings().set('schedule.state', { ...this.state(), lastError: null });
  }

  start(): void {
    if (this.timer) return;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), CHECK_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  get started(): boolean {
    return this.timer !== undefined;
  }

  /** Runs the update if a session is due and not yet run. Resolves with the job started, if any. */
  tick(): Promise<Job | undefined> {
    // a check asked for while one runs (the schedule was just changed) is not dropped: the running one goes round
    // again, and the caller waits for that
    if (this.current) {
      this.again = true;
      return this.current;
    }
    this.current = this.loop().finally(() => {
      this.current = undefined;
    });
    return this.current;
  }

  private async loop(): Promise<Job | undefined> {
    try {
      let job: Job | undefined;
      do {
        this.again = false;
        job = (await this.tickNow()) ?? job;
      } while (this.again);
      return job;
    } catch (e) {
      // never an unhandled rejection from a timer: a broken database or setting is logged and tried again later
      this.deps.log.error('scheduler check failed', { error: toErrorValue(e).message });
      return undefined;
    }
  }

  private async tickNow(): Promise<Job | undefined> {
    const s = this.schedule();
    if (!s.enabled || !s.universe) return undefined;
    const due = dueSession(this.now(), s.at);
    const st = this.state();
    if (st.lastRunSession && st.lastRunSession >= due) return undefined;
    try {
      const job = await this.deps.update(s);
      this.deps.settings().set('schedule.state', { lastRunSession: due, lastJobId: job.id, lastError: null });
      this.deps.log.info('scheduled update started', { job: job.id, universe: s.universe, session: due });
      return job;
    } catch (e) {
      // remembered for the UI; tried again at the next check (the cause may be fixed by then)
      this.deps.settings().set('schedule.state', { ...st, lastError: toErrorValue(e).message });
      this.deps.log.warn('scheduled update could not start', { error: toErrorValue(e).message });
      return undefined;
    }
  }
}
