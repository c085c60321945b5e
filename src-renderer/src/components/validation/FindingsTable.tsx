import type { Finding, FindingsSort } from '../../../../src-main/contract/validation';
import { useClient } from '../../clientContext';
import { useNav } from '../../state/nav';
import { sortBy, startAck, undoAck, useValidation } from '../../state/validation';
import { ariaSort } from '../../state/validationFindings';
import { Time } from '../Time';
import { ActionsHeader } from '../ActionsHeader';

const COLUMNS: [FindingsSort, string][] = [
  ['ts', 'Time'],
  ['symbol', 'Symbol'],
  ['timeframe', 'TF'],
  ['rule', 'Rule'],
  ['severity', 'Severity'],
  ['message', 'Message'],
];

function SortHeader({ column, label }: { column: FindingsSort; label: string }) {
  const client = useClient();
  const sort = useValidation((s) => s.sort);
  const state = ariaSort(sort, column);
  return (
    <th scope="col" aria-sort={state}>
      <button type="button" className="vsort" onClick={() => sortBy(client, column)} title="Sort: ascending, descending, report order">
        {label}
        <span aria-hidden="true" className="vsort-mark">
          {state === 'ascending' ? '▲' : state === 'descending' ? '▼' : ''}
        </span>
      </button>
    </th>
  );
}

function FindingRow({ runId, f }: { runId: string; f: Finding }) {
  const client = useClient();
  const openChart = useNav((s) => s.openChart);
  // a reconciliation names both sources; the chart is opened on the symbol's preferred one then
  const single = (s: string | null) => (s && !s.includes(',') ? s : undefined);
  const where = `${f.symbol} ${f.rule} ${f.ts}`;
  return (
    <tr className={f.ack ? 'vacked' : undefined}>
      <td className="nowrap">
        <Time at={f.ts} seconds />
      </td>
      <td>{f.symbol}</td>
      <td>{f.timeframe}</td>
      <td>{f.rule}</td>
      <td>
        <span className={`sev sev-${f.severity}`}>{f.severity}</span>
      </td>
      <td className="vmsg" title={f.observed ?? undefined}>
        {f.message}
        {f.ack && (
          <span className="vack-note-shown">
            Acknowledged{f.ack.kind === 'rule' ? ` (every ${f.ack.rule} of ${f.ack.symbol})` : ''}: {f.ack.note}
          </span>
        )}
      </td>
      <td className="vactions">
        <button
          type="button"
          className="small"
          aria-label={`Show bars around ${f.symbol} ${f.ts}`}
          onClick={() => openChart({ symbol: f.symbol, timeframe: f.timeframe, at: f.ts, provider: single(f.provider), feed: single(f.feed) })}
        >
          Show bars
        </button>
        {f.ack ? (
          <button type="button" className="small" aria-label={`Undo acknowledgement of ${where}`} onClick={() => void undoAck(client, f.ack!)}>
            Undo ack
          </button>
        ) : (
          <button type="button" className="small" aria-label={`Acknowledge ${where}`} onClick={() => startAck(runId, f)}>
            Acknowledge
          </button>
        )}
      </td>
    </tr>
  );
}

/** One page of findings; the headers sort (aria-sort tells which and how). */
export function FindingsTable({ runId, rows, busy }: { runId: string; rows: Finding[]; busy: boolean }) {
  return (
    <div className="table-scroll">
      <table className="grid vfindings" aria-label="Findings" aria-busy={busy}>
        <thead>
          <tr>
            {COLUMNS.map(([c, label]) => (
              <SortHeader key={c} column={c} label={label} />
            ))}
            <ActionsHeader />
          </tr>
        </thead>
        <tbody>
          {rows.map((f) => (
            <FindingRow key={f.seq} runId={runId} f={f} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
