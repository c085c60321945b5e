import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { ChartExtent } from '../../../src-main/contract/chart';
import { TIMEFRAMES, TimeframeSchema, type Timeframe } from '../../../src-main/contract/schemas';
import type { ErrorValue } from '../../../src-main/shared/errors';
import { NEW_YORK } from '../../../src-common/nyTime';
import { ChartController, type ChartViewState } from '../chart/controller';
import { timeframeNote } from '../chart/window';
import { ErrorAlert } from '../components/ErrorAlert';
import { useClient } from '../clientContext';
import { useIngestForm } from '../state/ingestForm';
import { loadChartExtent, loadChartSymbols } from '../state/chart';
import { useNav } from '../state/nav';
import './chart.css';

const nyTime = new Intl.DateTimeFormat('en-US', {
  timeZone: NEW_YORK,
  year: 'numeric',
  month: 'short',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
const price = (n: number) => n.toFixed(2);
const volume = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** The chart explorer: one symbol's candles from the lake, loaded by visible range (see chart/window.ts). */
export function ChartPage() {
  const client = useClient();
  const params = useNav((s) => s.params);
  const openChart = useNav((s) => s.openChart);
  const go = useNav((s) => s.go);
  const symbol = (params.symbol ?? '').trim().toUpperCase();
  const parsedTf = TimeframeSchema.safeParse(params.timeframe ?? '1m');
  const timeframe: Timeframe = parsedTf.success ? parsedTf.data : '1m';
  const at = params.at ? Date.parse(params.at) : undefined;

  const [symbols, setSymbols] = useState<string[]>([]);
  const [input, setInput] = useState(symbol);
  const [extent, setExtent] = useState<ChartExtent | null>(null);
  const [error, setError] = useState<ErrorValue | null>(null);
  const [view, setView] = useState<ChartViewState | null>(null);
  const el = useRef<HTMLDivElement>(null);
  const ids = useId();
  const ctl = useRef<ChartController | null>(null);

  useEffect(() => setInput(symbol), [symbol]);

  useEffect(() => {
    void loadChartSymbols(client).then((r) => r.ok && setSymbols(r.value.symbols));
  }, [client]);

  useEffect(() => {
    setExtent(null);
    setError(null);
    if (!symbol) return;
    let live = true;
    void loadChartExtent(client, symbol).then((r) => {
      if (!live) return;
      if (r.ok) setExtent(r.value);
      else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [client, symbol]);

  const source = extent?.sources.find((s) => s.provider === params.provider && s.feed === params.feed) ?? extent?.sources[0];
  const hasBars = source !== undefined;

  // The chart lives as long as there are bars to show; its controller fetches as the view moves.
  useEffect(() => {
    if (!hasBars || !el.current) return;
    const c = new ChartController(el.current, client, setView);
    ctl.current = c;
    return () => {
      c.destroy();
      ctl.current = null;
      setView(null);
    };
  }, [client, hasBars]);

  useEffect(() => {
    if (!source || !ctl.current) return;
    ctl.current.show({
      symbol,
      provider: source.provider,
      feed: source.feed,
      timeframe,
      extent: { from: source.first, to: source.last },
      at: at !== undefined && Number.isFinite(at) ? at : undefined,
    });
    // `source` is a new object per extent answer: key on its identity fields
  }, [symbol, source?.provider, source?.feed, source?.first, source?.last, timeframe, at]);

  function submit(e: FormEvent) {
    e.preventDefault();
    const s = input.trim().toUpperCase();
    if (s) openChart({ symbol: s, timeframe });
  }

  function setTimeframe(tf: string) {
    const center = ctl.current?.center();
    openChart({ symbol, timeframe: tf, at: center !== undefined ? new Date(center).toISOString() : params.at, provider: params.provider, feed: params.feed });
  }

  function setSource(id: string) {
    const [provider, feed] = id.split('/');
    openChart({ symbol, timeframe, provider, feed });
  }

  function ingest() {
    useIngestForm.getState().set({ symbols: symbol });
    go('ingest');
  }

  const shown = view?.timeframeShown ?? null;
  return (
    <div className="page page-chart">
      <section className="panel" aria-label="Chart controls">
        <form className="toolbar chart-toolbar" onSubmit={submit}>
          <label className="inline-field" htmlFor={`${ids}-symbol`}>
            Symbol
          </label>
          <input id={`${ids}-symbol`} className="chart-symbol" value={input} onChange={(e) => setInput(e.target.value)} list="chart-symbols" spellCheck={false} autoComplete="off" />
          <datalist id="chart-symbols">
            {symbols.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
          <button type="submit">Show</button>
          <label className="inline-field" htmlFor={`${ids}-tf`}>
            Timeframe
          </label>
          <select id={`${ids}-tf`} value={timeframe} onChange={(e) => setTimeframe(e.target.value)} disabled={!symbol}>
              {TIMEFRAMES.map((tf) => (
                <option key={tf} value={tf}>
                  {tf}
                </option>
            ))}
          </select>
          {extent && extent.sources.length > 1 && source && (
            <>
              <label className="inline-field" htmlFor={`${ids}-source`}>
                Source
              </label>
              <select id={`${ids}-source`} value={`${source.provider}/${source.feed}`} onChange={(e) => setSource(e.target.value)}>
                {extent.sources.map((s) => (
                  <option key={`${s.provider}/${s.feed}`} value={`${s.provider}/${s.feed}`}>
                    {s.provider}/{s.feed}
                  </option>
                ))}
              </select>
            </>
          )}
          {hasBars && (
            <p className="chart-meta" role="status" aria-busy={view?.loading ?? true}>
              {shown ? (
                <>
                  <span className={shown !== timeframe ? 'badge badge-warn' : 'badge'} title="The timeframe of the bars drawn">
                    Showing {timeframeNote(shown, timeframe)}
                  </span>
                  <span className="muted">
                    {source.provider}/{source.feed} · {view?.barsLoaded.toLocaleString('en-US')} bars · {view?.findings ?? 0} findings · New York time
                  </span>
                </>
              ) : (
                <span className="muted">Loading…</span>
              )}
            </p>
          )}
        </form>
      </section>
      <ErrorAlert error={error ?? view?.error ?? null} title="Chart" />
      <section className="panel panel-fill chart-panel" aria-label="Chart">
        {!symbol ? (
          <p className="empty">Type a symbol to chart its bars from the lake{symbols.length ? ` (held: ${symbols.slice(0, 12).join(', ')}${symbols.length > 12 ? ', …' : ''})` : ''}.</p>
        ) : extent && !hasBars ? (
          <div className="empty chart-empty">
            <p>No bars for {symbol}: ingest it.</p>
            <button type="button" className="primary" onClick={ingest}>
              Ingest {symbol}
            </button>
          </div>
        ) : (
          <div className="chart-wrap">
            <div ref={el} className="chart-canvas" role="img" aria-label={`Candlestick chart of ${symbol}`} />
            {view?.hover && (
              <div className="chart-legend" aria-live="off">
                <span>{nyTime.format(view.hover.t)}</span>
                <span>O {price(view.hover.o)}</span>
                <span>H {price(view.hover.h)}</span>
                <span>L {price(view.hover.l)}</span>
                <span>C {price(view.hover.c)}</span>
                <span>V {volume.format(view.hover.v)}</span>
                {view.hover.findings.map((f, i) => (
                  <span key={i} className={`chart-finding sev-${f.severity}`}>
                    {f.rule}: {f.message}
                  </span>
                ))}
              </div>
            )}
          </div>
        )}
      </section>
    </div>
  );
}
