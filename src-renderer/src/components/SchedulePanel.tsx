import { useEffect, useMemo, type FormEvent } from 'react';
import type { Timeframe } from '../../../src-main/contract/schemas';
import { useClient } from '../clientContext';
import { timeframesOf } from '../state/ingestForm';
import { useJobs } from '../state/jobs';
import { describeRunTime, loadSchedule, saveSchedule, scheduleProviders, scheduleSummary, useSchedule } from '../state/schedule';
import { useSession } from '../state/session';
import { ErrorAlert } from './ErrorAlert';
import { resolveZone } from '../../../src-common/zonedTime';
import { useTimeZone } from '../state/display';

/** The scheduler checks about once a minute: the panel asks again as often while it is shown. */
const REFRESH_MS = 60_000;
/** A save may start a catch-up run at once; its outcome is asked for shortly after. */
const AFTER_SAVE_MS = 1_500;

export function SchedulePanel() {
  const client = useClient();
  const providers = useSession((s) => s.providers);
  const { status, loadError, universes, universesError, draft, dirty, saving, saveError, saved, expanded } = useSchedule();
  const { edit, reset, setExpanded } = useSchedule.getState();
  const lastJob = useJobs((s) => (status?.lastJobId ? s.byId[status.lastJobId] : undefined));

  useEffect(() => {
    void loadSchedule(client);
    const timer = setInterval(() => void loadSchedule(client), REFRESH_MS);
    return () => clearInterval(timer);
  }, [client]);

  // A scheduled run shows up as a job we did not start: its arrival is the moment to look at the schedule again.
  const newestJob = useJobs((s) => {
    let newest = '';
    for (const j of Object.values(s.byId)) if (j.createdAt > newest) newest = j.createdAt;
    return newest;
  });
  useEffect(() => {
    if (newestJob) void loadSchedule(client);
  }, [client, newestJob]);

  const info = providers?.find((p) => p.name === draft?.provider);
  const offered = useMemo(() => scheduleProviders(providers, draft?.provider ?? ''), [providers, draft?.provider]);
  const timeframes = useMemo(() => timeframesOf(info), [info]);
  const timeZone = useTimeZone();
  // the app's time zone setting; New York beside it unless that is the setting
  const next = status?.nextRunAt ? describeRunTime(status.nextRunAt, resolveZone(timeZone)) : null;
  const bodyId = 'schedule-body';

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (await saveSchedule(client)) setTimeout(() => void loadSchedule(client), AFTER_SAVE_MS);
  }

  return (
    <section className="panel schedule" aria-labelledby="schedule-title">
      <div className="panel-head">
        <h2 id="schedule-title">
          <button type="button" className="disclosure-head" aria-expanded={expanded} aria-controls={bodyId} onClick={() => setExpanded(!expanded)}>
            <svg width="10" height="10" viewBox="0 0 10 10" aria-hidden="true">
              <path d="M3 1.5 L7 5 L3 8.5" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
            </svg>
            Scheduled updates
          </button>
        </h2>
        <span className="muted schedule-summary">
          {status ? (
            <>
              {scheduleSummary(status.schedule)}
              {next && ` · next ${next.local}`}
              {status.lastError && <span className="error-text"> · last attempt failed</span>}
            </>
          ) : (
            (loadError ?? 'Loading…')
          )}
        </span>
      </div>
      {expanded && (
        <div id={bodyId} className="schedule-body">
          {loadError && <p className="hint error-text">The schedule could not be read: {loadError}</p>}
          {draft && (
            <form className="schedule-form" onSubmit={(e) => void submit(e)} noValidate>
              <label className="check schedule-enable">
                <input type="checkbox" checked={draft.enabled} onChange={(e) => edit({ enabled: e.target.checked })} />
                Update daily after the close
              </label>
              <div className="schedule-grid">
                <div className="field">
                  <label htmlFor="schedule-universe">Universe</label>
                  <select
                    id="schedule-universe"
                    value={draft.universe}
                    onChange={(e) => edit({ universe: e.target.value })}
                    aria-describedby={universes && universes.length === 0 ? 'schedule-no-universe' : undefined}
                  >
                    <option value="">{universes ? 'choose…' : 'Loading…'}</option>
                    {universes?.map((u) => (
                      <option key={u.name} value={u.name}>
                        {u.name} ({u.symbols.length} {u.symbols.length === 1 ? 'symbol' : 'symbols'})
                      </option>
                    ))}
                    {draft.universe && universes && !universes.some((u) => u.name === draft.universe) && (
                      <option value={draft.universe}>{draft.universe} (not found)</option>
                    )}
                  </select>
                </div>
                <div className="field">
                  <label htmlFor="schedule-provider">Schedule provider</label>
                  <select
                    id="schedule-provider"
                    value={draft.provider}
                    onChange={(e) => edit({ provider: e.target.value }, providers)}
                    disabled={!providers}
                  >
                    {!providers && <option value={draft.provider}>{draft.provider}</option>}
                    {offered.map((p) => (
                      <option key={p.name} value={p.name}>
                        {p.name}
                        {p.configured ? '' : p.needs.length > 0 ? ' (no keys)' : ' (not configured)'}
                      </option>
                    ))}
                  </select>
                </div>
                <div className="field">
                  <label htmlFor="schedule-feed">Schedule feed</label>
                  <select id="schedule-feed" value={draft.feed} onChange={(e) => edit({ feed: e.target.value })}>
                    <option value="">provider default{info ? ` (${info.defaultFeed})` : ''}</option>
                    {info?.feeds.map((f) => (
                      <option key={f} value={f}>
                        {f}
                      </option>
                    ))}
                    {draft.feed && !info?.feeds.includes(draft.feed) && <option value={draft.feed}>{draft.feed}</option>}
                  </select>
                </div>
                <div className="field">
                  <label htmlFor="schedule-timeframe">Schedule timeframe</label>
                  <select id="schedule-timeframe" value={draft.timeframe} onChange={(e) => edit({ timeframe: e.target.value as Timeframe })}>
                    {timeframes.map((t) => (
                      <option key={t} value={t}>
                        {t}
                      </option>
                    ))}
                  </select>
                </div>
                <div className="field">
                  <label htmlFor="schedule-since">New symbols from</label>
                  <input id="schedule-since" type="date" value={draft.since} onChange={(e) => edit({ since: e.target.value })} title="First session fetched for symbols never ingested (empty: 30 days back)" />
                </div>
                <div className="field">
                  <label htmlFor="schedule-at">Run at (New York time)</label>
                  <input id="schedule-at" type="time" value={draft.at} onChange={(e) => edit({ at: e.target.value })} aria-describedby="schedule-at-hint" />
                </div>
                <div className="schedule-actions">
                  <button type="submit" className="primary" disabled={saving}>
                    {saving ? 'Saving…' : 'Save schedule'}
                  </button>
                  {dirty && (
                    <button type="button" onClick={reset} disabled={saving}>
                      Discard changes
                    </button>
                  )}
                </div>
              </div>
              <p id="schedule-at-hint" className="hint">
                Runs every NYSE trading day at this time (extended hours end at 20:00), bringing each symbol of the universe up to the last
                closed session. Days missed while no host was running are caught up at the next start.
              </p>
              {universes && universes.length === 0 && (
                <p id="schedule-no-universe" className="note">
                  No universe yet. Create one with the CLI, e.g. <code>marketpipe universe create Tech --symbols AAPL,MSFT</code>, then come back.
                </p>
              )}
              {universesError && <p className="hint error-text">Universes could not be listed: {universesError}</p>}
            </form>
          )}
          <ErrorAlert error={saveError} title="Schedule not saved" />
          <p role="status" className="form-status">
            {saved && !dirty && 'Schedule saved.'}
          </p>
          {status && (
            <div role="group" aria-label="Schedule status" className="schedule-status">
              <dl className="kv">
                <dt>Runs on this host</dt>
                <dd>
                  {status.active ? (
                    <span className="badge" data-status="succeeded">
                      yes
                    </span>
                  ) : (
                    <>
                      <span className="badge">no</span>{' '}
                      <span className="muted">only the desktop app and marketpipe serve run schedules; the saved schedule applies there</span>
                    </>
                  )}
                </dd>
                <dt>Next run</dt>
                <dd>
                  {next ? (
                    <>
                      {next.local}
                      {timeZone !== 'America/New_York' && <span className="muted"> (New York: {next.newYork})</span>}
                    </>
                  ) : (
                    <span className="muted">{status.schedule.enabled ? '—' : 'none: the schedule is off'}</span>
                  )}
                </dd>
                <dt>Last run</dt>
                <dd>
                  {status.lastRunSession ? (
                    <>
                      session <span className="mono">{status.lastRunSession}</span>
                      {status.lastJobId && (
                        <>
                          {' · job '}
                          <button
                            type="button"
                            className="linkish mono"
                            title="Show this job in the Jobs table"
                            aria-label={`Show job ${status.lastJobId}`}
                            onClick={() => showJob(status.lastJobId!)}
                          >
                            {status.lastJobId}
                          </button>
                          {lastJob && <span className="muted"> ({lastJob.status})</span>}
                        </>
                      )}
                    </>
                  ) : (
                    <span className="muted">never</span>
                  )}
                </dd>
              </dl>
            </div>
          )}
          {status?.lastError && (
            <div role="alert" className="alert alert-error">
              <strong className="alert-title">Last scheduled run failed</strong>
              <span className="alert-message">{status.lastError}</span>
            </div>
          )}
        </div>
      )}
    </section>
  );
}

/** Brings a job's row into view in the Jobs table below (and flashes it). */
function showJob(jobId: string) {
  const row = document.querySelector<HTMLElement>(`tr[aria-label="Job ${CSS.escape(jobId)}"]`);
  if (!row) return;
  row.scrollIntoView({ block: 'center', behavior: 'smooth' });
  row.classList.remove('flash');
  void row.offsetWidth;
  row.classList.add('flash');
}
