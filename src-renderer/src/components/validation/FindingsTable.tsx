import { memo, useMemo } from 'react';
import type { Ack, Finding, FindingsSort } from '../../../../src-main/contract/validation';
import type { TimeZoneSetting } from '../../../../src-common/zonedTime';
import { useClient } from '../../clientContext';
import { useTimeZone } from '../../state/display';
import { useNav, type ChartTarget } from '../../state/nav';
import { sortBy, startAck, undoAck, useValidation } from '../../state/validation';
import { ariaSort } from '../../state/validationFindings';
import { ActionsHeader } from '../ActionsHeader';
import { findingTime } from './findingTime';
import { rowsInView, useFirstRows } from './useFirstRows';

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
    <th scope="col" aria-sort={state} className={`vcol-${column}`}>
      <button type="button" className="vsort" onClick={() => sortBy(client, column)} title="Sort: ascending, descending, report order">
        {label}
        <span aria-hidden="true" className="vsort-mark">
          {state === 'ascending' ? '▲' : state === 'descending' ? '▼' : ''}
        </span>
      </button>
    </th>
  );
}

/** What a row's buttons do: one object for the whole table, so a row needs no hooks of its own. */
interface RowActions {
  openChart: (t: ChartTarget) => void;
  ack: (f: Finding) => void;
  undo: (a: Ack) => void;
}

// a reconciliation names both sources; the chart is opened on the symbol's preferred one then
const single = (s: string | null) => (s && !s.includes(',') ? s : undefined);

/** A finding as plain cells: no hooks, the time formatted once (its zone names cached), re-rendered only when it changes. */
const FindingRow = memo(function FindingRow({ f, zone, actions }: { f: Finding; zone: TimeZoneSetting; actions: RowActions }) {
  const where = `${f.symbol} ${f.rule} ${f.ts}`;
  const time = findingTime(f, zone);
  return (
    <tr className={f.ack ? 'vacked' : undefined}>
      <td className="nowrap">
        <time dateTime={f.ts} title={`${time} · ${f.ts}`}>
          {time}
        </time>
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
          onClick={() => actions.openChart({ symbol: f.symbol, timeframe: f.timeframe, at: f.ts, provider: single(f.provider), feed: single(f.feed) })}
        >
          Show bars
        </button>
        {f.ack ? (
          <button type="button" className="small" aria-label={`Undo acknowledgement of ${where}`} onClick={() => actions.undo(f.ack!)}>
            Undo ack
          </button>
        ) : (
          <button type="button" className="small" aria-label={`Acknowledge ${where}`} onClick={() => actions.ack(f)}>
            Acknowledge
          </button>
        )}
      </td>
    </tr>
  );
});

/**
 * One page of findings; the headers sort (aria-sort tells which and how). The columns have set widths (a fixed
 * table layout), so the rows rendered after the first paint (useFirstRows) never move the ones already shown.
 */
export function FindingsTable({ runId, rows, busy }: { runId: string; rows: Finding[]; busy: boolean }) {
  const client = useClient();
  const zone = useTimeZone();
  const openChart = useNav((s) => s.openChart);
  const actions = useMemo<RowActions>(() => ({ openChart, ack: (f) => startAck(runId, f), undo: (a) => void undoAck(client, a) }), [openChart, runId, client]);
  const shown = useFirstRows(rows, rowsInView(typeof window === 'undefined' ? 768 : window.innerHeight));
  return (
    <div className="table-scroll">
      <table className="grid vfindings" aria-label="Findings" aria-busy={busy}>
        <thead>
          <tr>
            {COLUMNS.map(([c, label]) => (
              <SortHeader key={c} column={c} label={label} />
            ))}
            <ActionsHeader className="vcol-actions" />
          </tr>
        </thead>
        <tbody>
          {(shown < rows.length ? rows.slice(0, shown) : rows).map((f) => (
            <FindingRow key={f.seq} f={f} zone={zone} actions={actions} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
