import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatInstant, type TimeZoneSetting } from '../../../../src-common/zonedTime';
import { formatInt, formatNumber } from '../../format';

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumSignificantDigits: 4 });
/** y-axis ticks: grouped below a million (1,037.5), compact above with enough digits to tell ticks apart (1.235M). */
const axisNumber = (v: number) => (Math.abs(v) < 1e6 ? formatNumber(v) : compact.format(v));
import type { ChartRows, ResultView } from '../../state/query';
import { chartSpec } from '../../state/query';

const COLORS = ['var(--chart-1)', 'var(--chart-2)', 'var(--chart-3)', 'var(--chart-4)', 'var(--chart-5)', 'var(--chart-6)'];

/**
 * A line chart of the result: the time column across, every numeric column as a line, the y-axis fitted to the data
 * (not from 0). Every row is drawn up to CHART_MAX_ROWS; beyond that the caption says which rows are drawn.
 */
export function ResultChart({ result, rows, timeZone }: { result: ResultView; rows: ChartRows | null; timeZone: TimeZoneSetting }) {
  const spec = chartSpec(result.columns);
  if (!spec) return null;
  const xName = result.columns[spec.x]!.name;
  if (!rows || rows.loading) {
    return (
      <figure className="query-chart" aria-label="Result chart" aria-busy="true">
        <figcaption className="hint">Loading {formatInt(Math.min(result.rowCount, 20_000))} rows for the chart…</figcaption>
      </figure>
    );
  }
  const data = rows.rows
    .map((row) => {
      const t = Date.parse(String(row[spec.x]));
      const point: Record<string, number | null> = { t };
      for (const y of spec.ys) {
        const v = row[y];
        point[result.columns[y]!.name] = typeof v === 'number' ? v : v === null || v === undefined ? null : Number(v);
      }
      return point;
    })
    .filter((p) => Number.isFinite(p.t))
    .sort((a, b) => (a.t ?? 0) - (b.t ?? 0));
  const all = rows.rows.length >= rows.total;
  const zone = formatInstant(data[0]?.t ?? Date.now(), timeZone).split(' ').pop();
  return (
    <figure className="query-chart" aria-label="Result chart">
      <figcaption className="hint" data-testid="chart-caption">
        {all
          ? `All ${formatInt(data.length)} rows by ${xName}`
          : `The first ${formatInt(rows.rows.length)} of ${formatInt(rows.total)} rows by ${xName} (in the result's order); narrow the query to chart the rest`}
        {data.length < rows.rows.length ? ` · ${formatInt(rows.rows.length - data.length)} without a time left out` : ''} · times in {zone}
      </figcaption>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={data} margin={{ top: 6, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
          <XAxis
            dataKey="t"
            type="number"
            domain={['dataMin', 'dataMax']}
            scale="time"
            tickFormatter={(t: number) => formatInstant(t, timeZone, { seconds: false, zone: false })}
            stroke="var(--muted)"
            fontSize={11}
            minTickGap={24}
          />
          <YAxis domain={['auto', 'auto']} tickFormatter={axisNumber} stroke="var(--muted)" fontSize={11} width={64} />
          <Tooltip labelFormatter={(t) => formatInstant(Number(t), timeZone)} formatter={(v) => (typeof v === 'number' ? formatNumber(v) : String(v ?? ''))} contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)' }} />
          <Legend />
          {spec.ys.map((y, i) => (
            <Line key={y} type="linear" dataKey={result.columns[y]!.name} stroke={COLORS[i % COLORS.length]} dot={false} isAnimationActive={false} connectNulls />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
