import type { SymbolCoverage, Universe } from '../../../../src-main/contract/schemas';
import { formatInt } from '../../format';
import { useNav } from '../../state/nav';
import { useUniverses, type SymbolRow } from '../../state/universe';

/** The members of a universe with their coverage, each with Chart and Remove. */
export function SymbolTable({ universe, coverage, rows, busy, onRemove }: { universe: Universe; coverage: SymbolCoverage[] | null; rows: SymbolRow[]; busy: boolean; onRemove: (symbol: string) => void }) {
  const coverageError = useUniverses((s) => s.coverageError);
  return (
    <>
      {coverageError && <p className="hint error-text">Coverage could not be read: {coverageError.message}</p>}
      {universe.symbols.length === 0 ? (
        <p className="empty">No symbols yet: add some above, or import a CSV file.</p>
      ) : (
        <div className="table-scroll">
          <table className="grid universe-symbols" aria-label={`Symbols of ${universe.name}`}>
            <thead>
              <tr>
                <th scope="col">Symbol</th>
                <th scope="col">Source</th>
                <th scope="col">First session</th>
                <th scope="col">Last session</th>
                <th scope="col" className="num">
                  Sessions
                </th>
                <th scope="col" className="num" title="Trading sessions between the first and the last that the lake does not hold">
                  Missing
                </th>
                <th scope="col" className="num" title="Trading sessions from the last one held to the last closed session">
                  Behind
                </th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <SymbolRowView key={r.symbol} symbol={r.symbol} coverage={r.coverage} loaded={coverage !== null} onRemove={() => onRemove(r.symbol)} busy={busy} />
              ))}
            </tbody>
          </table>
          {rows.length === 0 && <p className="empty">No symbol matches these filters.</p>}
        </div>
      )}
    </>
  );
}

function SymbolRowView({ symbol, coverage, loaded, onRemove, busy }: { symbol: string; coverage: SymbolCoverage | null; loaded: boolean; onRemove: () => void; busy: boolean }) {
  const has = coverage !== null && coverage.sessions > 0;
  return (
    <tr>
      <th scope="row" className="symbol-cell">
        {symbol}
      </th>
      {has ? (
        <>
          <td>
            {coverage.provider}/{coverage.feed} <span className="muted">{coverage.timeframe}</span>
          </td>
          <td>{coverage.firstSession}</td>
          <td>{coverage.lastSession}</td>
          <td className="num">{formatInt(coverage.sessions)}</td>
          <td className="num" data-warn={coverage.missingSessions > 0 || undefined}>
            {formatInt(coverage.missingSessions)}
          </td>
          <td className="num" data-warn={coverage.behindSessions > 0 || undefined}>
            {formatInt(coverage.behindSessions)}
          </td>
        </>
      ) : (
        <td colSpan={6} className="muted no-data">
          {loaded ? 'no data yet' : 'loading coverage…'}
        </td>
      )}
      <td className="actions">
        <button type="button" className="small" aria-label={`Chart ${symbol}`} onClick={() => useNav.getState().openChart({ symbol })}>
          Chart
        </button>{' '}
        <button type="button" className="small" aria-label={`Remove ${symbol}`} onClick={onRemove} disabled={busy}>
          Remove
        </button>
      </td>
    </tr>
  );
}
