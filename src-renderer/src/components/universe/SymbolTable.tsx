import { useEffect, useState } from 'react';
import type { SymbolCoverage, Universe } from '../../../../src-main/contract/schemas';
import { formatInt } from '../../format';
import { useNav } from '../../state/nav';
import { useUniverses, type SymbolRow } from '../../state/universe';
import { ActionsHeader } from '../ActionsHeader';

/** Rows drawn at once: a universe of 150,000 imported symbols must not freeze the page. */
const PAGE_ROWS = 200;

/** The members of a universe with their coverage, each with Chart and Remove; long lists page by PAGE_ROWS. */
export function SymbolTable({ universe, coverage, rows, busy, onRemove }: { universe: Universe; coverage: SymbolCoverage[] | null; rows: SymbolRow[]; busy: boolean; onRemove: (symbol: string) => void }) {
  const coverageError = useUniverses((s) => s.coverageError);
  const [page, setPage] = useState(0);
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_ROWS));
  // another universe or other filters: back to a page that exists
  useEffect(() => setPage((p) => Math.min(p, pages - 1)), [pages]);
  const first = page * PAGE_ROWS;
  const shown = rows.slice(first, first + PAGE_ROWS);
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
                <ActionsHeader />
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <SymbolRowView key={r.symbol} symbol={r.symbol} coverage={r.coverage} loaded={coverage !== null} onRemove={() => onRemove(r.symbol)} busy={busy} />
              ))}
            </tbody>
          </table>
          {rows.length === 0 && <p className="empty">No symbol matches these filters.</p>}
          {pages > 1 && (
            <nav className="pager" aria-label={`Pages of ${universe.name}`}>
              <button type="button" className="small" onClick={() => setPage(page - 1)} disabled={page === 0}>
                Previous
              </button>
              <span aria-live="polite">
                {formatInt(first + 1)}–{formatInt(first + shown.length)} of {formatInt(rows.length)}
              </span>
              <button type="button" className="small" onClick={() => setPage(page + 1)} disabled={page >= pages - 1}>
                Next
              </button>
            </nav>
          )}
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
