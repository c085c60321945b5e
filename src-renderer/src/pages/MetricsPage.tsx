import { useEffect, useId, useMemo, type ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { MetricsLive } from '../../../src-main/contract/schemas';
import { useClient } from '../clientContext';
import { formatClock, formatCompact, formatRate, formatSeconds } from '../format';
import { HISTORY, LIVE_WINDOW, loadHistory, providersIn, sumValues, useMetrics, type RatePoint } from '../state/metrics';
import { useSession } from '../state/session';

const CHART_HEIGHT = 170;
const HISTORY_REFRESH_MS = 60_000;
const PALETTE = ['var(--chart-1)', 'var(--chart-2)', 'var(--chart-3)', 'var(--chart-4)', 'var(--chart-5)', 'var(--chart-6)'];

/** A live sample flattened for the charts (latency and lag in ms: what people read). */
interface Row {
  t: number;
  rows: number;
  req: Record<string, number>;
  err: Record<string, number>;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  waits: number;
  findings: number;
  lagMs: number;
}

function toRow(s: MetricsLive): Row {
  const ms = (v: number | null) => (v === null ? null : v * 1000);
  return {
    t: Date.parse(s.at),
    rows: s.rowsPerSecond,
    req: s.requestsPerSecond,
    err: s.errorsPerSecond,
    p50: ms(s.latency.p50),
    p95: ms(s.latency.p95),
    p99: ms(s.latency.p99),
    waits: s.rateLimitWaitsPerSecond,
    findings: s.validationFindings,
    lagMs: s.eventLoopLagSeconds * 1000,
  };
}

/** Minute-aligned ticks across [from, to]. */
function timeTicks(from: number, to: number, stepMs: number): number[] {
  const out: number[] = [];
  for (let t = Math.ceil(from / stepMs) * stepMs; t <= to; t += stepMs) out.push(t);
  return out;
}

/**
 * The live time axis: the samples held (at most LIVE_WINDOW seconds), at least a minute wide so the first seconds do
 * not stretch across the chart; ticks on round times.
 */
function liveAxes(first: number, last: number): Axes {
  const from = Math.min(Math.max(first, last - LIVE_WINDOW * 1000), last - 60_000);
  const span = last - from;
  const step = span <= 90_000 ? 15_000 : span <= 180_000 ? 30_000 : 60_000;
  return { domain: [from, last], ticks: timeTicks(from, last, step), seconds: step < 60_000 };
}

const axisTick = { fill: 'var(--muted)', fontSize: 11 };
const tooltipStyle = {
  background: 'var(--panel)',
  border: '1px solid var(--border-strong)',
  borderRadius: 5,
  fontSize: 12,
  color: 'var(--text)',
  padding: '6px 8px',
};

interface Axes {
  domain: [number, number];
  ticks: number[];
  /** tick labels with seconds */
  seconds?: boolean;
}

function commonAxes({ domain, ticks, seconds }: Axes, yFormat: (n: number) => string, withSeconds: boolean) {
  return [
    <CartesianGrid key="grid" stroke="var(--border)" strokeDasharray="3 3" vertical={false} />,
    <XAxis
      key="x"
      dataKey="t"
      type="number"
      scale="time"
      domain={domain}
      ticks={ticks}
      allowDataOverflow
      tickFormatter={(v: number) => formatClock(v, seconds)}
      tick={axisTick}
      stroke="var(--border-strong)"
      tickLine={false}
    />,
    <YAxis key="y" width={58} tick={axisTick} tickFormatter={yFormat} stroke="var(--border-strong)" tickLine={false} axisLine={false} allowDecimals />,
    <Tooltip
      key="tip"
      isAnimationActive={false}
      cursor={{ stroke: 'var(--border-strong)', fill: 'var(--row-hover)' }}
      contentStyle={tooltipStyle}
      labelStyle={{ color: 'var(--muted)', marginBottom: 2 }}
      itemStyle={{ padding: 0 }}
      labelFormatter={(v) => (typeof v === 'number' ? formatClock(v, withSeconds) : String(v))}
      formatter={(v) => (typeof v === 'number' ? formatRate(v) : String(v ?? '–'))}
    />,
  ];
}

function ChartPanel({ title, now, children, className }: { title: string; now?: ReactNode; children: ReactNode; className?: string }) {
  const id = useId();
  return (
    <section className={`panel chart-panel${className ? ` ${className}` : ''}`} aria-labelledby={id}>
      <div className="panel-head">
        <h2 id={id}>{title}</h2>
        {now !== undefined && <span className="chart-now">{now}</span>}
      </div>
      <div className="chart-box">{children}</div>
    </section>
  );
}

function Stat({ label, value, warn }: { label: string; value: string; warn?: boolean }) {
  return (
    <div data-warn={warn || undefined}>
      <dt>{label}</dt>
      <dd className="mono">{value}</dd>
    </div>
  );
}

function CurrentNumbers({ latest, stale }: { latest: MetricsLive; stale: boolean }) {
  const errors = sumValues(latest.errorsPerSecond);
  return (
    <section className="panel metrics-now" aria-label="Current numbers">
      <dl className="stat-strip">
        <Stat label="Rows/s" value={formatRate(latest.rowsPerSecond)} />
        <Stat label="Requests/s" value={formatRate(sumValues(latest.requestsPerSecond))} />
        <Stat label="Errors/s" value={formatRate(errors)} warn={errors > 0} />
        <Stat label="Latency p95" value={formatSeconds(latest.latency.p95)} />
        <Stat label="Rate-limit waits/s" value={formatRate(latest.rateLimitWaitsPerSecond)} />
        <Stat label="Jobs in flight" value={String(latest.jobsInFlight)} />
        <Stat label="Event-loop lag" value={formatSeconds(latest.eventLoopLagSeconds)} warn={latest.eventLoopLagSeconds >= 0.1} />
      </dl>
      <p className="hint">
        {stale ? 'Disconnected: showing the last samples received, ' : 'Updated about once a second, '}
        last at <span className="mono">{formatClock(Date.parse(latest.at), true)}</span>
      </p>
    </section>
  );
}

function LiveCharts({ live, stale }: { live: MetricsLive[]; stale: boolean }) {
  const rows = useMemo(() => live.map(toRow), [live]);
  const providers = useMemo(() => providersIn(live), [live]);
  const latest = live.at(-1)!;
  const last = rows.at(-1)!.t;
  const first = rows[0]!.t;
  const axes: Axes = useMemo(() => liveAxes(first, last), [first, last]);
  const colorOf = (p: string) => PALETTE[providers.indexOf(p) % PALETTE.length]!;
  const line = { dot: false, isAnimationActive: false, strokeWidth: 1.6 } as const;
  const legend = <Legend key="legend" iconType="plainline" iconSize={14} wrapperStyle={{ fontSize: 11.5, color: 'var(--muted)' }} />;
  const requests = sumValues(latest.requestsPerSecond);
  const errors = sumValues(latest.errorsPerSecond);

  return (
    <>
      <CurrentNumbers latest={latest} stale={stale} />
      <div className="chart-grid">
        <ChartPanel title="Ingested rows per second" now={`${formatRate(latest.rowsPerSecond)} rows/s`}>
          <LineChart data={rows} responsive style={{ width: '100%', height: CHART_HEIGHT }} margin={{ top: 6, right: 8, bottom: 0, left: 0 }}>
            {commonAxes(axes, formatCompact, true)}
            <Line {...line} type="stepAfter" dataKey="rows" name="rows/s" stroke="var(--chart-1)" />
          </LineChart>
        </ChartPanel>

        <ChartPanel title="Requests by provider" now={`${formatRate(requests)} req/s · ${formatRate(errors)} errors/s`}>
          <LineChart data={rows} responsive style={{ width: '100%', height: CHART_HEIGHT }} margin={{ top: 6, right: 8, bottom: 0, left: 0 }}>
            {commonAxes(axes, formatCompact, true)}
            {providers.map((p) => (
              <Line {...line} key={`req-${p}`} type="monotone" dataKey={(r: Row) => r.req[p] ?? 0} name={`${p} req/s`} stroke={colorOf(p)} />
            ))}
            {providers.map((p) => (
              <Line {...line} key={`err-${p}`} type="monotone" dataKey={(r: Row) => r.err[p] ?? 0} name={`${p} errors/s`} stroke={colorOf(p)} strokeDasharray="4 3" />
            ))}
            {providers.length > 0 && legend}
          </LineChart>
        </ChartPanel>

        <ChartPanel title="Request latency" now={`p95 ${formatSeconds(latest.latency.p95)}`}>
          <LineChart data={rows} responsive style={{ width: '100%', height: CHART_HEIGHT }} margin={{ top: 6, right: 8, bottom: 0, left: 0 }}>
            {commonAxes(axes, (v) => `${formatCompact(v)} ms`, true)}
            <Line {...line} type="monotone" dataKey="p50" name="p50 ms" stroke="var(--chart-2)" />
            <Line {...line} type="monotone" dataKey="p95" name="p95 ms" stroke="var(--chart-3)" />
            <Line {...line} type="monotone" dataKey="p99" name="p99 ms" stroke="var(--chart-4)" />
            {legend}
          </LineChart>
        </ChartPanel>

        <ChartPanel title="Rate-limiter waits" now={`${formatRate(latest.rateLimitWaitsPerSecond)} waits/s`}>
          <LineChart data={rows} responsive style={{ width: '100%', height: CHART_HEIGHT }} margin={{ top: 6, right: 8, bottom: 0, left: 0 }}>
            {commonAxes(axes, formatCompact, true)}
            <Line {...line} type="stepAfter" dataKey="waits" name="waits/s" stroke="var(--chart-5)" />
          </LineChart>
        </ChartPanel>

        <ChartPanel title="Validation findings" now={`${formatRate(latest.validationFindings)} in the last second`}>
          <BarChart data={rows} responsive style={{ width: '100%', height: CHART_HEIGHT }} margin={{ top: 6, right: 8, bottom: 0, left: 0 }}>
            {commonAxes(axes, formatCompact, true)}
            <Bar dataKey="findings" name="findings" fill="var(--warn)" isAnimationActive={false} maxBarSize={6} />
          </BarChart>
        </ChartPanel>

        <ChartPanel title="Event-loop lag" now={formatSeconds(latest.eventLoopLagSeconds)}>
          <LineChart data={rows} responsive style={{ width: '100%', height: CHART_HEIGHT }} margin={{ top: 6, right: 8, bottom: 0, left: 0 }}>
            {commonAxes(axes, (v) => `${formatCompact(v)} ms`, true)}
            <Line {...line} type="monotone" dataKey="lagMs" name="lag ms" stroke="var(--chart-6)" />
          </LineChart>
        </ChartPanel>
      </div>
    </>
  );
}

function HistoryChart() {
  const history = useMetrics((s) => s.history);
  const error = useMetrics((s) => s.historyError);
  const now = Date.now();
  const from = Math.floor((now - 3_600_000) / HISTORY.bucketMs) * HISTORY.bucketMs;
  const axes: Axes = { domain: [from, now], ticks: timeTicks(from, now, 600_000) };
  let body: ReactNode;
  if (error) body = <p className="empty error-text">{error}</p>;
  else if (!history) body = <p className="empty">Loading…</p>;
  else if (!history.some((p: RatePoint) => p.value > 0)) body = <p className="empty">No rows ingested in the last hour.</p>;
  else
    body = (
      <BarChart data={history} responsive style={{ width: '100%', height: CHART_HEIGHT }} margin={{ top: 6, right: 8, bottom: 0, left: 0 }}>
        {commonAxes(axes, formatCompact, false)}
        <Bar dataKey="value" name="rows/s" fill="var(--chart-1)" isAnimationActive={false} />
      </BarChart>
    );
  return (
    <ChartPanel title="Rows ingested over the last hour" now="per-second rate, 1-minute averages, every process" className="chart-wide">
      {body}
    </ChartPanel>
  );
}

export function MetricsPage() {
  const client = useClient();
  const live = useMetrics((s) => s.live);
  const status = useSession((s) => s.status);

  useEffect(() => {
    if (status !== 'open') return;
    void loadHistory(client);
    const timer = setInterval(() => void loadHistory(client), HISTORY_REFRESH_MS);
    return () => clearInterval(timer);
  }, [client, status]);

  return (
    <div className="page page-metrics">
      {live.length === 0 ? (
        <section className="panel" aria-labelledby="metrics-waiting">
          <h2 id="metrics-waiting">Live metrics</h2>
          <p className="empty" role="status">
            Waiting for the engine…
          </p>
          <p className="hint">The engine sends its numbers about once a second while the desktop app or `marketpipe serve` runs.</p>
        </section>
      ) : (
        <LiveCharts live={live} stale={status !== 'open'} />
      )}
      <HistoryChart />
    </div>
  );
}
