import { useState, type FormEvent } from 'react';
import type { HistoryEntry, SavedQuery, SchemaView } from '../../../../src-main/contract/query';
import { formatInstant } from '../../../../src-common/zonedTime';
import { errorWords } from '../../errorWords';
import { formatElapsed, formatInt } from '../../format';
import { useTimeZone } from '../../state/display';

const oneLine = (sql: string) => sql.replace(/\s+/g, ' ').trim();

export function SchemaPanel({ schema, onInsert }: { schema: SchemaView[]; onInsert: (text: string) => void }) {
  return (
    <section className="panel query-side-panel" aria-label="Schema">
      <h2 className="panel-title">Schema</h2>
      {schema.length === 0 && <p className="hint">Loading…</p>}
      {schema.map((v) => (
        <details key={v.name} open={v.name === 'bars'}>
          <summary>
            <code>{v.name}</code> <span className="muted">view</span>
          </summary>
          <ul className="query-columns" aria-label={`Columns of ${v.name}`}>
            {v.columns.map((c) => (
              <li key={c.name}>
                <button type="button" className="linkish" title={`Insert ${c.name}`} onClick={() => onInsert(c.name)}>
                  {c.name}
                </button>
                <span className="muted">{c.type}</span>
              </li>
            ))}
          </ul>
        </details>
      ))}
    </section>
  );
}

export function HistoryPanel({ history, onPick }: { history: HistoryEntry[]; onPick: (sql: string) => void }) {
  const zone = useTimeZone();
  return (
    <section className="panel query-side-panel" aria-label="History">
      <h2 className="panel-title">History</h2>
      {history.length === 0 ? (
        <p className="hint">Queries you run appear here.</p>
      ) : (
        <ol className="query-list">
          {history.map((h) => (
            <li key={h.id}>
              <button type="button" className="query-list-item" title={h.sql} onClick={() => onPick(h.sql)}>
                <code>{oneLine(h.sql)}</code>
                <span className="muted">
                  {h.errorCode ? (
                    <span className="error-text" title={`Error code ${h.errorCode}`}>
                      {errorWords(h.errorCode)}
                    </span>
                  ) : (
                    `${formatInt(h.rowCount ?? 0)} rows · ${formatElapsed(h.elapsedMs ?? 0)}`
                  )}{' '}
                  · {formatInstant(h.ranAt, zone, { seconds: false })}
                </span>
              </button>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

export function SavedPanel({ saved, onPick, onSave, onDelete }: { saved: SavedQuery[]; onPick: (sql: string) => void; onSave: (name: string) => Promise<boolean>; onDelete: (id: number) => void }) {
  const [name, setName] = useState('');
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (await onSave(name)) setName('');
  }
  return (
    <section className="panel query-side-panel" aria-label="Saved queries">
      <h2 className="panel-title">Saved queries</h2>
      <form className="query-save" onSubmit={(e) => void submit(e)}>
        <input aria-label="Query name" placeholder="Name" value={name} onChange={(e) => setName(e.target.value)} maxLength={120} />
        <button type="submit" disabled={!name.trim()}>
          Save query
        </button>
      </form>
      {saved.length === 0 ? (
        <p className="hint">Name the editor's SQL and save it to find it again.</p>
      ) : (
        <ul className="query-list">
          {saved.map((s) => (
            <li key={s.id} className="query-saved">
              <button type="button" className="query-list-item" title={s.sql} onClick={() => onPick(s.sql)}>
                <strong>{s.name}</strong>
                <code>{oneLine(s.sql)}</code>
              </button>
              <button type="button" className="small" aria-label={`Delete ${s.name}`} onClick={() => onDelete(s.id)}>
                ✕
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
