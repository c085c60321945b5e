import type { SeriesDef } from './TimePanel';

/**
 * The panel's legend drawn from its series definitions: each key is the line as drawn (its colour, width, dash and
 * opacity, a block for bars), so a raw series and its average in one colour stay told apart (recharts' own legend
 * draws every key at full opacity).
 */
export function SeriesLegend<T>({ series }: { series: readonly SeriesDef<T>[] }) {
  return (
    <ul className="series-legend">
      {series.map((s) => (
        <li key={s.key}>
          <svg width="16" height="8" aria-hidden="true">
            {s.kind === 'bar' ? (
              <rect x="3" y="0" width="10" height="8" fill={s.color} fillOpacity={s.opacity ?? 1} />
            ) : (
              <line x1="0" y1="4" x2="16" y2="4" stroke={s.color} strokeWidth={Math.max(1.5, s.width ?? 1.6)} strokeDasharray={s.dash} strokeOpacity={s.opacity ?? 1} />
            )}
          </svg>
          {s.name}
        </li>
      ))}
    </ul>
  );
}
