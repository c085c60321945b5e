import type { Timeframe } from '../../../../src-main/contract/schemas';
import type { ChartViewState, LegendBar } from '../../chart/types';
import { chartZoneLabel, formatBarTime } from '../../chart/time';
import { useTimeZone } from '../../state/display';

const price = (n: number) => n.toFixed(2);
const volume = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/**
 * Always over the chart's top-left corner: symbol, timeframe, source and the bar under the crosshair (else the last
 * bar). The findings of the marker under the pointer are listed beside it (ChartFindings).
 */
export function ChartLegend({ symbol, source, timeframe, view, smaLength }: { symbol: string; source: string; timeframe: Timeframe | null; view: ChartViewState | null; smaLength: number | null }) {
  // the Time zone setting: times below are in it (the page makes a new chart when it changes)
  const zone = useTimeZone();
  const bar: LegendBar | null = view?.hover ?? view?.last ?? null;
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
      <span className="sr-only">Times in {chartZoneLabel(zone)}</span>
    </div>
  );
}
