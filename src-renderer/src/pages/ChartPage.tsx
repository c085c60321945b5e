import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { ChartExtent } from '../../../src-main/contract/chart';
import { TIMEFRAMES, TimeframeSchema, type Timeframe } from '../../../src-main/contract/schemas';
import type { ErrorValue } from '../../../src-main/shared/errors';
import { ChartController } from '../chart/controller';
import type { ChartViewState } from '../chart/types';
import { chartZoneLabel, setChartZone } from '../chart/time';
import { useTimeZone } from '../state/display';
import { timeframeNote } from '../chart/window';
import { ChartFindings } from '../components/chart/ChartFindings';
import { ChartLegend } from '../components/chart/ChartLegend';
import { ErrorAlert } from '../components/ErrorAlert';
import { useClient } from '../clientContext';
import { useIngestForm } from '../state/ingestForm';
import { clampSmaLength, loadChartExtent, loadChartSymbols, setChartOverlays, SMA_MAX, SMA_MIN, useChartOverlays } from '../state/chart';
import { useNav } from '../state/nav';
import '../styles/segmented.css';
import './chart.css';

/** The chart explorer: one symbol's candles from the lake, loaded by visible range (see chart/window.ts). */
export function ChartPage() {
  const client = useClient();
  const params = useNav((s) => s.params);
  const openChart = useNav((s) => s.openChart);
  const go = useNav((s) => s.go);
  const symbol = (params.symbol ?? '').trim().toUpperCase();
  // no timeframe (or "auto"): Auto, the timeframe follows the zoom; a picked one stays
  const parsedTf = TimeframeSchema.safeParse(params.timeframe);
  const auto = !parsedTf.success;
  const timeframe: Timeframe = parsedTf.success ? parsedTf.data : '1m';
  const at = params.at ? Date.parse(params.at) : undefined;
  const overlays = useChartOverlays();
  const zone = useTimeZone();

  const [symbols, setSymbols] = useState<string[]>([]);
  const [input, setInput] = useState(symbol);
  const [compareInput, setCompareInput] = useState(overlays.compare ?? '');
  const [smaInput, setSmaInput] = useState(String(overlays.sma ?? 20));
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
    // the chart's times (axis, crosshair, legend) in the Time zone setting: a new chart when it changes
    setChartZone(zone);
    const c = new ChartController(el.current, client, setView);
    c.setOverlays(useChartOverlays.getState());
    ctl.current = c;
    const unsubscribe = useChartOverlays.subscribe((o) => c.setOverlays(o));
    return () => {
      unsubscribe();
      c.destroy();
      ctl.current = null;
      setView(null);
    };
  }, [client, hasBars, zone]);

  useEffect(() => {
    if (!source || !ctl.current) return;
    ctl.current.show({
      symbol,
      provider: source.provider,
      feed: source.feed,
      timeframe,
      auto,
      extent: { from: source.first, to: source.last },
      at: at !== undefined && Number.isFinite(at) ? at : undefined,
    });
    // `source` is a new object per extent answer: key on its identity fields
  }, [symbol, source?.provider, source?.feed, source?.first, source?.last, timeframe, auto, at, zone]);

  function submit(e: FormEvent) {
    e.preventDefault();
    const s = input.trim().toUpperCase();
    if (s) openChart({ symbol: s, timeframe: auto ? 'auto' : timeframe });
  }

  /** A timeframe change fits the data again (no `at`): the view never carries a centre past the bars. */
  function setTimeframe(tf: Timeframe | 'auto') {
    openChart({ symbol, timeframe: tf, provider: params.provider, feed: params.feed });
  }

  function setSource(id: string) {
    const [provider, feed] = id.split('/');
    openChart({ symbol, timeframe: auto ? 'auto' : timeframe, provider, feed });
  }

  function compare(e: FormEvent) {
    e.preventDefault();
    const s = compareInput.trim().toUpperCase();
    setChartOverlays({ compare: s && s !== symbol ? s : null });
  }

  function ingest() {
    useIngestForm.getState().set({ symbols: symbol });
    go('ingest');
  }

  const shown = view?.timeframeShown ?? null;
  const hiddenInfo = view?.infoHidden ?? 0;
  return (
    <div className="page page-chart">
      <section className="panel chart-controls" aria-label="Chart controls">
        <div className="toolbar chart-toolbar">
          <form className="chart-form" onSubmit={submit}>
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
          </form>
          <div className="segmented" role="group" aria-label="Timeframe">
            <button type="button" aria-pressed={auto} disabled={!symbol} onClick={() => setTimeframe('auto')} title="The timeframe follows the zoom">
              Auto
            </button>
            {TIMEFRAMES.map((tf) => (
              <button key={tf} type="button" aria-pressed={!auto && tf === timeframe} disabled={!symbol} onClick={() => setTimeframe(tf)}>
                {tf}
              </button>
            ))}
          </div>
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
          <button type="button" onClick={() => ctl.current?.fit()} disabled={!hasBars} title="Show all the data">
            Fit
          </button>
          {hasBars && (
            <p className="chart-meta" role="status" aria-busy={view?.loading ?? true}>
              {shown ? (
                <>
                  <span className={!auto && shown !== timeframe ? 'badge badge-warn' : 'badge'} title="The timeframe of the bars drawn">
                    Showing {auto ? `${shown} bars (Auto)` : timeframeNote(shown, timeframe)}
                  </span>
                  <span className="muted">
                    {view?.barsLoaded.toLocaleString('en-US')} bars · {(view?.findings ?? 0).toLocaleString('en-US')}
                    {view?.findingsTruncated ? '+ findings (the first shown)' : ' findings'} · {chartZoneLabel(zone)}
                  </span>
                </>
              ) : (
                <span className="muted">Loading…</span>
              )}
            </p>
          )}
        </div>
        <div className="toolbar chart-toolbar chart-overlays" role="group" aria-label="Overlays">
          <label className="check">
            <input type="checkbox" checked={overlays.log} disabled={!!overlays.compare} onChange={(e) => setChartOverlays({ log: e.target.checked })} /> Log scale
          </label>
          <label className="check" title={overlays.compare ? 'Hidden while comparing (percent scale)' : undefined}>
            <input
              type="checkbox"
              checked={overlays.sma !== null}
              onChange={(e) => setChartOverlays({ sma: e.target.checked ? clampSmaLength(Number(smaInput)) : null })}
            />{' '}
            SMA
          </label>
          <input
            className="chart-sma-length"
            type="number"
            min={SMA_MIN}
            max={SMA_MAX}
            aria-label="SMA length (bars)"
            value={smaInput}
            onChange={(e) => {
              setSmaInput(e.target.value);
              const n = Number(e.target.value);
              if (overlays.sma !== null && e.target.value !== '' && n >= SMA_MIN && n <= SMA_MAX) setChartOverlays({ sma: clampSmaLength(n) });
            }}
            onBlur={() => setSmaInput(String(clampSmaLength(Number(smaInput))))}
          />
          <label className="check" title={overlays.compare ? 'Hidden while comparing (percent scale)' : "Volume-weighted average price, from each session's open"}>
            <input type="checkbox" checked={overlays.vwap} onChange={(e) => setChartOverlays({ vwap: e.target.checked })} /> VWAP
          </label>
          <label className="check">
            <input type="checkbox" checked={overlays.info} onChange={(e) => setChartOverlays({ info: e.target.checked })} /> Info findings
            {!overlays.info && hiddenInfo > 0 ? <span className="muted"> ({hiddenInfo.toLocaleString('en-US')} hidden)</span> : null}
          </label>
          <form className="chart-form" onSubmit={compare}>
            <label className="inline-field" htmlFor={`${ids}-compare`}>
              Compare
            </label>
            <input
              id={`${ids}-compare`}
              className="chart-symbol"
              value={compareInput}
              onChange={(e) => setCompareInput(e.target.value)}
              list="chart-symbols"
              spellCheck={false}
              autoComplete="off"
              placeholder="symbol"
            />
            <button type="submit">Compare</button>
            {overlays.compare && (
              <button
                type="button"
                onClick={() => {
                  setCompareInput('');
                  setChartOverlays({ compare: null });
                }}
              >
                Clear
              </button>
            )}
          </form>
        </div>
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
            <ChartLegend symbol={symbol} source={source ? `${source.provider}/${source.feed}` : ''} timeframe={shown} view={view} smaLength={overlays.sma} />
            <ChartFindings hover={view?.hover ?? null} />
          </div>
        )}
      </section>
    </div>
  );
}
