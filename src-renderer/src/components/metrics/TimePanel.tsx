import { useId, useState, type ReactNode } from 'react';
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ReferenceArea, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import type { JobMark } from '../../state/metrics';
import { zoomTo } from '../../state/metrics';
import { resolveZone } from '../../../../src-common/zonedTime';
import { useTimeZone } from '../../state/display';
import { formatAxisTime, timeTicks } from './units';
import { SeriesLegend } from './SeriesLegend';

export const CHART_HEIGHT = 170;
/** every panel shows the crosshair at the same time */
const SYNC_ID = 'metrics';

export interface SeriesDef<T> {
  key: keyof T & string;
  name: string;
  color: string;
  kind?: 'line' | 'step' | 'bar';
  dash?: string;
  width?: number;
  opacity?: number;
}

/** A series with fewer than three values draws dots: one bucket alone makes no line. */
function sparse<T>(data: readonly T[], key: keyof T): boolean {
  let n = 0;
  for (const r of data) {
    const v = r[key];
    if (typeof v === 'number' && Number.isFinite(v) && ++n >= 3) return false;
  }
  return true;
}

/** Whether a series has a sample to draw (`nonZero`: one above or below zero). */
function hasValue<T>(data: readonly T[], key: keyof T, nonZero = false): boolean {
  return data.some((r) => {
    const v = r[key];
    return typeof v === 'number' && Number.isFinite(v) && (!nonZero || v !== 0);
  });
}

const AUTO_Y: [number, 'auto'] = [0, 'auto'];
/** the y axis of a panel with nothing (or only zeros) to draw: 0 to 1, so its ticks and grid show */
const FLAT_Y: [number, number] = [0, 1];

const axisTick = { fill: 'var(--muted)', fontSize: 11 };
const tooltipStyle = {
  background: 'var(--panel)',
  border: '1px solid var(--border-strong)',
  borderRadius: 5,
  fontSize: 12,
  color: 'var(--text)',
  padding: '6px 8px',
};

interface Props<T extends { t: number }> {
  title: string;
  now?: ReactNode;
  data: T[];
  series: Array<SeriesDef<T>>;
  domain: [number, number];
  yFormat: (v: number) => string;
  jobs: JobMark[];
  /** names the jobs on this panel (one panel does, the others draw the lines only) */
  jobLabels?: boolean;
  legend?: boolean;
  className?: string;
  empty?: string | null;
}

/**
 * One time-series panel of the Metrics page: the shared crosshair (syncId), drag across it to zoom every panel, jobs'
 * starts and ends as annotations.
 */
export function TimePanel<T extends { t: number }>({ title, now, data, series, domain, yFormat, jobs, jobLabels, legend, className, empty }: Props<T>) {
  const id = useId();
  const [drag, setDrag] = useState<{ from: number; to: number } | null>(null);
  const span = domain[1] - domain[0];
  // the Time zone setting's clock, like every time the app shows (the page names the zone)
  const zone = resolveZone(useTimeZone());
  const ticks = timeTicks(domain[0], domain[1], zone);
  const label = (e: unknown): number | null => {
    const v = Number((e as { activeLabel?: unknown } | null)?.activeLabel);
    return Number.isFinite(v) ? v : null;
  };
  // nothing to draw: no samples yet, or a message (loading, an error, nothing recorded) in place of them
  const blank = Boolean(empty) || !series.some((d) => hasValue(data, d.key));
  const shown = empty ? [] : data;
  // all zeros (no waits, no errors) is data: drawn on an axis of 0 to 1 rather than on a collapsed one
  const flat = blank || !series.some((d) => hasValue(shown, d.key, true));
  const inView = jobs.filter((j) => j.start <= domain[1] && (j.end ?? domain[1]) >= domain[0]);
  return (
    <section className={`panel chart-panel${className ? ` ${className}` : ''}`} aria-labelledby={id}>
      <div className="panel-head">
        <h2 id={id}>{title}</h2>
        {now !== undefined && <span className="chart-now">{now}</span>}
      </div>
      <div className="chart-box">
        {/* with nothing to draw the axes stay (an empty panel must not look broken) and say why over the plot */}
        {blank && (
          <p className="metrics-empty" role="status">
            {empty ?? 'No data yet'}
          </p>
        )}
        <ComposedChart
            data={shown}
            responsive
            syncId={SYNC_ID}
            syncMethod="value"
            style={{ width: '100%', height: CHART_HEIGHT, userSelect: 'none' }}
            margin={{ top: 6, right: 8, bottom: 0, left: 0 }}
            onMouseDown={(e) => {
              const t = label(e);
              if (t !== null) setDrag({ from: t, to: t });
            }}
            onMouseMove={(e) => {
              const t = label(e);
              if (drag && t !== null) setDrag({ ...drag, to: t });
            }}
            onMouseUp={() => {
              if (drag) zoomTo(drag.from, drag.to);
              setDrag(null);
            }}
            onMouseLeave={() => setDrag(null)}
          >
            <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" vertical={false} />
            <XAxis
              dataKey="t"
              type="number"
              scale="time"
              domain={domain}
              ticks={ticks}
              allowDataOverflow
              tickFormatter={(v: number) => formatAxisTime(v, span, zone)}
              tick={axisTick}
              stroke="var(--border-strong)"
              tickLine={false}
            />
            <YAxis width={62} tick={{ ...axisTick, className: 'metrics-y-tick' }} domain={flat ? FLAT_Y : AUTO_Y} allowDataOverflow={flat} tickFormatter={yFormat} stroke="var(--border-strong)" tickLine={false} axisLine={false} allowDecimals />
            <Tooltip
              isAnimationActive={false}
              cursor={{ stroke: 'var(--border-strong)', fill: 'var(--row-hover)' }}
              contentStyle={tooltipStyle}
              labelStyle={{ color: 'var(--muted)', marginBottom: 2 }}
              itemStyle={{ padding: 0 }}
              labelFormatter={(v) => (typeof v === 'number' ? formatAxisTime(v, Math.min(span, 120_000), zone) : String(v))}
              formatter={(v) => (typeof v === 'number' ? yFormat(v) : String(v ?? '–'))}
            />
            {inView.map((j) => (
              <ReferenceArea key={`run-${j.id}`} x1={Math.max(j.start, domain[0])} x2={Math.min(j.end ?? domain[1], domain[1])} fill="var(--accent)" fillOpacity={0.06} ifOverflow="hidden" />
            ))}
            {inView.map((j) => (
              <ReferenceLine
                key={`start-${j.id}`}
                x={j.start}
                stroke="var(--accent)"
                strokeDasharray="2 3"
                ifOverflow="hidden"
                label={jobLabels ? { value: `▶ ${j.label}${j.end === null ? ' (running)' : ` (${j.status})`}`, position: 'insideTopLeft', fill: 'var(--muted)', fontSize: 10.5 } : undefined}
              />
            ))}
            {inView.map((j) =>
              j.end === null ? null : (
                <ReferenceLine key={`end-${j.id}`} x={j.end} stroke={j.status === 'failed' ? 'var(--err)' : 'var(--accent)'} strokeDasharray="2 3" ifOverflow="hidden" />
              ),
            )}
            {series.map((s) =>
              s.kind === 'bar' ? (
                <Bar key={s.key} dataKey={(r: T) => r[s.key] as number | null} name={s.name} fill={s.color} isAnimationActive={false} maxBarSize={8} />
              ) : (
                <Line
                  key={s.key}
                  dataKey={(r: T) => r[s.key] as number | null}
                  name={s.name}
                  type={s.kind === 'step' ? 'stepAfter' : 'monotone'}
                  stroke={s.color}
                  strokeDasharray={s.dash}
                  strokeWidth={s.width ?? 1.6}
                  strokeOpacity={s.opacity ?? 1}
                  dot={sparse(data, s.key) ? { r: 2.5, fill: s.color, strokeWidth: 0 } : false}
                  isAnimationActive={false}
                  connectNulls={false}
                />
              ),
            )}
            {drag && drag.to !== drag.from && <ReferenceArea x1={drag.from} x2={drag.to} fill="var(--accent)" fillOpacity={0.15} stroke="var(--accent)" strokeOpacity={0.5} />}
            {legend && <Legend content={() => <SeriesLegend series={series} />} />}
        </ComposedChart>
      </div>
    </section>
  );
}
