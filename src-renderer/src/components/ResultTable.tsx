import { useState } from 'react';
import type { Cell, QueryResult } from '../../../src-main/contract/schemas';

const PAGE = 1000;
const NUMERIC_TYPE = /INT|DECIMAL|NUMERIC|DOUBLE|FLOAT|REAL/i;

function renderCell(cell: Cell) {
  if (cell === null) return <span className="null">NULL</span>;
  if (typeof cell === 'boolean') return cell ? 'true' : 'false';
  return String(cell);
}

/** Renders up to PAGE rows at a time: thousands of DOM rows at once would freeze the window. */
export function ResultTable({ result }: { result: QueryResult }) {
  const [shown, setShown] = useState(PAGE);
  const numeric = result.columns.map((c) => NUMERIC_TYPE.test(c.type));
  const rows = result.rows.slice(0, shown);
  return (
    <>
      <div className="table-scroll">
        <table className="grid" aria-label="Query result">
          <thead>
            <tr>
              <th scope="col" className="rownum" aria-label="Row number">
                #
              </th>
              {result.columns.map((c, i) => (
                <th key={i} scope="col" className={numeric[i] ? 'num' : undefined} title={c.type}>
                  <span className="col-name">{c.name}</span>
                  <span className="col-type" aria-hidden="true">
                    {c.type}
                  </span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, r) => (
              <tr key={r}>
                <td className="rownum">{r + 1}</td>
                {row.map((cell, i) => (
                  <td key={i} className={numeric[i] || typeof cell === 'number' ? 'num' : undefined}>
                    {renderCell(cell)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {result.rows.length > shown && (
        <div className="more">
          <span className="muted">
            Showing {shown} of {result.rows.length} rows.
          </span>
          <button type="button" onClick={() => setShown((n) => n + PAGE)}>
            Show {Math.min(PAGE, result.rows.length - shown)} more
          </button>
        </div>
      )}
    </>
  );
}
