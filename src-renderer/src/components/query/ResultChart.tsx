import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatCompact } from '../../format';
import type { ResultView } from '../../state/query';
import { chartSpec } from '../../state/query';

const COLORS = ['var(--chart-1)', 'var(--chart-2)', 'var(--chart-3)', 'var(--chart-4)', 'var(--chart-5)', 'var(--chart-6)'];
/** Points drawn at most: the chart shows the loaded rows, not the whole result. */
const MAX_POINTS = 5000;

/** A line chart of the loaded rows: the time column across, every numeric column as a line. */
export function ResultChart({ result }: { result: ResultView; version: number }) {
  const spec = chartSpec(result.columns);
  if (!spec) return null;
  const xName = result.columns[spec.x]!.name;
  const data = result.cache
    .loadedRows(MAX_POINTS)
    .map(({ row }) => {
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
  return (
    <figure className="query-chart" aria-label="Result chart">
      <figcaption className="hint">
        {data.length.toLocaleString('en-US')} loaded rows by {xName}
      </figcaption>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={data} margin={{ top: 6, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
          <XAxis dataKey="t" type="number" domain={['dataMin', 'dataMax']} scale="time" tickFormatter={(t: number) => new Date(t).toISOString().slice(0, 16).replace('T', ' ')} stroke="var(--muted)" fontSize={11} />
          <YAxis tickFormatter={(v: number) => formatCompact(v)} stroke="var(--muted)" fontSize={11} width={56} />
          <Tooltip labelFormatter={(t) => new Date(Number(t)).toISOString()} />
          <Legend />
          {spec.ys.map((y, i) => (
            <Line key={y} type="linear" dataKey={result.columns[y]!.name} stroke={COLORS[i % COLORS.length]} dot={false} isAnimationActive={false} connectNulls />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
