import type { Timeframe } from '../../../../src-main/contract/schemas';
import type { ChartViewState, LegendBar } from '../../chart/controller';
import { rank } from '../../chart/markers';
import { chartZoneLabel, formatBarTime } from '../../chart/time';
import { useTimeZone } from '../../state/display';

const price = (n: number) => n.toFixed(2);
const volume = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
/** findings listed on hover at most; the rest are counted */
const LIST_MAX = 8;

/**
 * Always over the chart's top-left corner: symbol, timeframe, source and the bar under the crosshair (else the last
 * bar), with the findings of the marker under the pointer.
 */
export function ChartLegend({ symbol, source, timeframe, view, smaLength }: { symbol: string; source: string; timeframe: Timeframe | null; view: ChartViewState | null; smaLength: number | null }) {
  // the Time zone setting: times below are in it (the page makes a new chart when it changes)
  const zone = useTimeZone();
  const bar: LegendBar | null = view?.hover ?? view?.last ?? null;
  const findings = view?.hover ? [...view.hover.findings].sort((a, b) => rank(b.severity) - rank(a.severity) || a.t - b.t) : [];
  const count = view?.hover?.findingsCount ?? 0;
  return (
    <div className="chart-legend" aria-label="Chart legend" data-testid="chart-legend">
      <div className="chart-legend-row">
        <strong>{symbol}</strong>
        <span>{timeframe ?? '…'}</span>
        <span className="muted">{source}</span>
        {bar && <span className="chart-legend-time">{formatBarTime(bar.t, timeframe)}</span>}
        {bar && (
          <>
            <span>O {price(bar.o)}</span>
            <span>H {price(bar.h)}</span>
            <span>L {price(bar.l)}</span>
            <span>C {price(bar.c)}</span>
            <span>V {volume.format(bar.v)}</span>
            {smaLength !== null && bar.sma !== null && (
              <span className="chart-legend-sma">
                SMA {smaLength} {price(bar.sma)}
              </span>
            )}
            {bar.vwap !== null && <span className="chart-legend-vwap">VWAP {price(bar.vwap)}</span>}
          </>
        )}
        {view?.compare && (
          <span className="chart-legend-compare">
            vs {view.compare.symbol} (% change){view.compare.error ? `: ${view.compare.error}` : ''}
          </span>
        )}
      </div>
      {count > 0 && (
        <ul className="chart-legend-findings" aria-label="Findings at this bar">
          <li className="muted">
            {count.toLocaleString('en-US')} finding{count === 1 ? '' : 's'}
          </li>
          {findings.slice(0, LIST_MAX).map((f, i) => (
            <li key={i} className={`chart-finding sev-${f.severity}`}>
              <span className="chart-finding-sev">{f.severity}</span> {f.rule}: {f.message}
            </li>
          ))}
          {count > Math.min(findings.length, LIST_MAX) && (
            <li className="muted">{findings.length === 0 ? 'loading them…' : `and ${(count - Math.min(findings.length, LIST_MAX)).toLocaleString('en-US')} more`}</li>
          )}
        </ul>
      )}
      <span className="sr-only">Times in {chartZoneLabel(zone)}</span>
    </div>
  );
}
