import { memo, useEffect, useMemo, type ReactNode } from 'react';
import type { MetricsLive } from '../../../src-main/contract/schemas';
import { usePaced } from '../components/metrics/pace';
import { TimePanel, type SeriesDef } from '../components/metrics/TimePanel';
import { durationUnit, formatCount, formatDuration, maxOf, smooth } from '../components/metrics/units';
import { useClient } from '../clientContext';
import { formatRate, formatSeconds } from '../format';
import { Time } from '../components/Time';
import { formatAppTime, useTimeZone } from '../state/display';
import { zoneLabel } from '../../../src-common/zonedTime';
import {
  HISTORY,
  loadHistory,
  loadJobMarks,
  loadRange,
  providersIn,
  RANGE_IDS,
  RANGES,
  resetZoom,
  setRange,
  sumValues,
  useMetrics,
  type JobMark,
  type RangeRow,
  type RatePoint,
} from '../state/metrics';
import { useSession } from '../state/session';
import '../styles/metrics-range.css';
import '../styles/segmented.css';

const HISTORY_REFRESH_MS = 60_000;
const JOBS_REFRESH_MS = 10_000;
/** rows are written a chunk at a time: the rate shown is averaged over this window */
const SMOOTH_MS = 10_000;
const PALETTE = ['var(--chart-1)', 'var(--chart-2)', 'var(--chart-3)', 'var(--chart-4)', 'var(--chart-5)', 'var(--chart-6)'];

/** A live sample flattened for the charts (latency and lag in ms), with per-provider columns. */
type Row = {
  t: number;
  rows: number;
  rowsAvg: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  waits: number;
  findings: number;
  lagMs: number;
} & Record<string, number | null>;

function toRows(live: readonly MetricsLive[], providers: readonly string[]): Row[] {
  const ms = (v: number | null) => (v === null ? null : v * 1000);
  const avg = smooth(
    live.map((s) => ({ t: Date.parse(s.at), value: s.rowsPerSecond })),
    SMOOTH_MS,
  );
  return live.map((s, i) => {
    const r: Row = {
      t: Date.parse(s.at),
      rows: s.rowsPerSecond,
      rowsAvg: avg[i]!.value,
      p50: ms(s.latency.p50),
      p95: ms(s.latency.p95),
      p99: ms(s.latency.p99),
      waits: s.rateLimitWaitsPerSecond,
      findings: s.validationFindings,
      lagMs: s.eventLoopLagSeconds * 1000,
    } as Row;
    for (const p of providers) {
      r[`req:${p}`] = s.requestsPerSecond[p] ?? 0;
      r[`err:${p}`] = s.errorsPerSecond[p] ?? 0;
    }
    return r;
  });
}

/** Milliseconds in the unit the largest value reads best in: "250 ms" or "2.6 s", never "2.6K ms". */
function durationFormat(values: Iterable<number | null | undefined>): (v: number) => string {
  const unit = durationUnit(maxOf(values));
  return (v) => formatDuration(v, unit);
}

function Stat({ label, value, warn, title }: { label: string; value: string; warn?: boolean; title?: string }) {
  return (
    <div data-warn={warn || undefined} title={title}>
      <dt>{label}</dt>
      <dd className="mono">{value}</dd>
    </div>
  );
}

function CurrentNumbers({ latest, rowsAvg, stale }: { latest: MetricsLive; rowsAvg: number; stale: boolean }) {
  const errors = sumValues(latest.errorsPerSecond);
  return (
    <section className="panel metrics-now" aria-label="Current numbers">
      <dl className="stat-strip">
        <Stat label="Rows/s" value={formatRate(rowsAvg)} title={`averaged over the last ${SMOOTH_MS / 1000} s`} />
        <Stat label="Requests/s" value={formatRate(sumValues(latest.requestsPerSecond))} />
        <Stat label="Errors/s" value={formatRate(errors)} warn={errors > 0} />
        <Stat label="Latency p95" value={formatSeconds(latest.latency.p95)} />
        <Stat label="Rate-limit waits/s" value={formatRate(latest.rateLimitWaitsPerSecond)} />
        <Stat label="Jobs in flight" value={String(latest.jobsInFlight)} />
        <Stat label="Event-loop lag" value={formatSeconds(latest.eventLoopLagSeconds)} warn={latest.eventLoopLagSeconds >= 0.1} />
      </dl>
      <p className="hint">
        {stale ? 'Disconnected: showing the last samples received, ' : 'Updated about once a second, '}
        last at <Time className="mono" at={latest.at} seconds />
      </p>
    </section>
  );
}

function LiveCharts({ stale, zoom, jobs }: { stale: boolean; zoom: [number, number] | null; jobs: JobMark[] }) {
  // subscribed here, not by the page: a sample each second re-renders this, never the range charts
  const live = useMetrics((s) => s.live);
  // the numbers follow every sample; the charts are drawn at the pace their cost allows (pace.ts)
  const latest = live.at(-1)!;
  const rowsAvg = useMemo(() => smooth(live.map((s) => ({ t: Date.parse(s.at), value: s.rowsPerSecond })), SMOOTH_MS).at(-1)!.value, [live]);
  const drawn = usePaced(live);
  return (
    <>
      <CurrentNumbers latest={latest} rowsAvg={rowsAvg} stale={stale} />
      <LiveChartGrid live={drawn} zoom={zoom} jobs={jobs} />
    </>
  );
}

const LiveChartGrid = memo(function LiveChartGrid({ live, zoom, jobs }: { live: MetricsLive[]; zoom: [number, number] | null; jobs: JobMark[] }) {
  const providers = useMemo(() => providersIn(live), [live]);
  const rows = useMemo(() => toRows(live, providers), [live, providers]);
  const latest = live.at(-1)!;
  const last = rows.at(-1)!;
  // the samples held, at least a minute wide so the first seconds do not stretch across the chart
  const from = Math.min(rows[0]!.t, last.t - 60_000);
  const domain: [number, number] = zoom ?? [from, last.t];
  const colorOf = (p: string) => PALETTE[providers.indexOf(p) % PALETTE.length]!;
  const requests = sumValues(latest.requestsPerSecond);
  const errors = sumValues(latest.errorsPerSecond);
  const latency = durationFormat(rows.flatMap((r) => [r.p50, r.p95, r.p99]));
  const lag = durationFormat(rows.map((r) => r.lagMs));
  const reqSeries: Array<SeriesDef<Row>> = [
    ...providers.map((p) => ({ key: `req:${p}`, name: `${p} req/s`, color: colorOf(p) })),
    ...providers.map((p) => ({ key: `err:${p}`, name: `${p} errors/s`, color: colorOf(p), dash: '4 3' })),
  ];
  const common = { data: rows, domain, jobs };

  return (
    <div className="chart-grid">
      <TimePanel
        {...common}
        jobLabels
        legend
        title="Ingested rows per second"
        now={`${formatRate(last.rowsAvg)} rows/s (${SMOOTH_MS / 1000} s average)`}
        yFormat={formatCount}
        series={[
          { key: 'rows', name: 'rows/s', color: 'var(--chart-1)', kind: 'step', width: 1, opacity: 0.35 },
          { key: 'rowsAvg', name: `rows/s, ${SMOOTH_MS / 1000} s average`, color: 'var(--chart-1)', width: 2 },
        ]}
      />
      <TimePanel {...common} legend={providers.length > 0} title="Requests by provider" now={`${formatRate(requests)} req/s · ${formatRate(errors)} errors/s`} yFormat={formatCount} series={reqSeries} />
      <TimePanel
        {...common}
        legend
        title="Request latency"
        now={`p95 ${formatSeconds(latest.latency.p95)}`}
        yFormat={latency}
        series={[
          { key: 'p50', name: 'p50', color: 'var(--chart-2)' },
          { key: 'p95', name: 'p95', color: 'var(--chart-3)' },
          { key: 'p99', name: 'p99', color: 'var(--chart-4)' },
        ]}
      />
      <TimePanel {...common} title="Rate-limiter waits" now={`${formatRate(latest.rateLimitWaitsPerSecond)} waits/s`} yFormat={formatCount} series={[{ key: 'waits', name: 'waits/s', color: 'var(--chart-5)', kind: 'step' }]} />
      <TimePanel {...common} title="Validation findings" now={`${formatRate(latest.validationFindings)} in the last second`} yFormat={formatCount} series={[{ key: 'findings', name: 'findings', color: 'var(--warn)', kind: 'bar' }]} />
      <TimePanel {...common} title="Event-loop lag" now={formatSeconds(latest.eventLoopLagSeconds)} yFormat={lag} series={[{ key: 'lagMs', name: 'lag', color: 'var(--chart-6)' }]} />
    </div>
  );
});

function RangeCharts({ rows, error, domain, jobs, label }: { rows: RangeRow[] | null; error: string | null; domain: [number, number]; jobs: JobMark[]; label: string }) {
  const empty = error ?? (rows === null ? 'Loading…' : rows.length === 0 ? `Nothing recorded in the last ${label}.` : null);
  const data = rows ?? [];
  const common = { data, domain, jobs, empty };
  const latency = durationFormat(data.map((r) => r.latencyMs));
  return (
    <div className="chart-grid">
      <TimePanel {...common} jobLabels title="Ingested rows per second" now="per-second rate, averaged per bucket" yFormat={formatCount} series={[{ key: 'rows', name: 'rows/s', color: 'var(--chart-1)', kind: 'step' }]} />
      <TimePanel
        {...common}
        legend
        title="Requests and errors per second"
        now="every provider"
        yFormat={formatCount}
        series={[
          { key: 'requests', name: 'req/s', color: 'var(--chart-1)' },
          { key: 'errors', name: 'errors/s', color: 'var(--chart-4)', dash: '4 3' },
        ]}
      />
      <TimePanel {...common} title="Request latency (mean)" now="per bucket" yFormat={latency} series={[{ key: 'latencyMs', name: 'mean', color: 'var(--chart-3)' }]} />
      <TimePanel {...common} title="Rate-limiter waits" yFormat={formatCount} series={[{ key: 'waits', name: 'waits/s', color: 'var(--chart-5)', kind: 'step' }]} />
      <TimePanel {...common} title="Validation findings per second" yFormat={formatCount} series={[{ key: 'findings', name: 'findings/s', color: 'var(--warn)', kind: 'bar' }]} />
      <TimePanel {...common} title="Jobs in flight" yFormat={formatCount} series={[{ key: 'jobs', name: 'jobs', color: 'var(--chart-6)', kind: 'step' }]} />
    </div>
  );
}

// memo: drawn again for its own hourly history (loaded every minute) and the job marks, not when the page renders
const HistoryChart = memo(function HistoryChart({ jobs }: { jobs: JobMark[] }) {
  const history = useMetrics((s) => s.history);
  const error = useMetrics((s) => s.historyError);
  const now = Date.now();
  const from = Math.floor((now - 3_600_000) / HISTORY.bucketMs) * HISTORY.bucketMs;
  const empty = error ?? (!history ? 'Loading…' : !history.some((p: RatePoint) => p.value > 0) ? 'No rows ingested in the last hour.' : null);
  return (
    <TimePanel
      title="Rows ingested over the last hour"
      now="per-second rate, 1-minute averages, every process"
      className="chart-wide"
      data={history ?? []}
      domain={[from, now]}
      jobs={jobs}
      empty={empty}
      yFormat={formatCount}
      series={[{ key: 'value', name: 'rows/s', color: 'var(--chart-1)', kind: 'bar' }]}
    />
  );
});

function RangePicker({ onPick }: { onPick: (r: (typeof RANGE_IDS)[number]) => void }) {
  const range = useMetrics((s) => s.range);
  const zoom = useMetrics((s) => s.zoom);
  const zone = useTimeZone();
  return (
    <section className="panel metrics-toolbar" aria-label="Metrics range">
      <div className="segmented" role="group" aria-label="Range">
        {RANGE_IDS.map((r) => (
          <button key={r} type="button" aria-pressed={range === r} onClick={() => onPick(r)}>
            {RANGES[r].label}
          </button>
        ))}
      </div>
      {zoom ? (
        <>
          <span className="mono metrics-zoom" aria-label="Zoomed to">
            {formatAppTime(zoom[0])} – {formatAppTime(zoom[1])}
          </span>
          <button type="button" onClick={resetZoom}>
            Reset zoom
          </button>
        </>
      ) : (
        <span className="hint">
          Drag across a chart to zoom; the crosshair follows on every chart. Dashed lines: jobs starting and ending. Times in {zoneLabel(zone)}.
        </span>
      )}
    </section>
  );
}

export function MetricsPage() {
  const client = useClient();
  const hasLive = useMetrics((s) => s.live.length > 0);
  const range = useMetrics((s) => s.range);
  const rangeRows = useMetrics((s) => s.rangeRows);
  const rangeError = useMetrics((s) => s.rangeError);
  const zoom = useMetrics((s) => s.zoom);
  const jobs = useMetrics((s) => s.jobs);
  const status = useSession((s) => s.status);

  useEffect(() => {
    if (status !== 'open') return;
    void loadHistory(client);
    void loadJobMarks(client);
    const timer = setInterval(() => void loadHistory(client), HISTORY_REFRESH_MS);
    const jobsTimer = setInterval(() => void loadJobMarks(client), JOBS_REFRESH_MS);
    return () => {
      clearInterval(timer);
      clearInterval(jobsTimer);
    };
  }, [client, status]);

  useEffect(() => {
    if (status !== 'open' || range === 'live') return;
    void loadRange(client, range);
    const timer = setInterval(() => void loadRange(client, range), HISTORY_REFRESH_MS);
    return () => clearInterval(timer);
  }, [client, status, range]);

  let body: ReactNode;
  if (range === 'live') {
    body =
      !hasLive ? (
        <section className="panel" aria-labelledby="metrics-waiting">
          <h2 id="metrics-waiting">Live metrics</h2>
          <p className="empty" role="status">
            Waiting for the engine…
          </p>
          <p className="hint">The engine sends its numbers about once a second while the desktop app or `marketpipe serve` runs.</p>
        </section>
      ) : (
        <LiveCharts stale={status !== 'open'} zoom={zoom} jobs={jobs} />
      );
  } else {
    const now = Date.now();
    const domain: [number, number] = zoom ?? [now - RANGES[range].ms, now];
    body = <RangeCharts rows={rangeRows} error={rangeError} domain={domain} jobs={jobs} label={RANGES[range].label} />;
  }

  return (
    <div className="page page-metrics">
      <RangePicker onPick={(r) => void setRange(client, r)} />
      {body}
      {range === 'live' && <HistoryChart jobs={jobs} />}
    </div>
  );
}
