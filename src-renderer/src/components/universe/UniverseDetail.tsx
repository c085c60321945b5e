import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { Universe } from '../../../../src-main/contract/schemas';
import type { ErrorValue } from '../../../../src-main/shared/errors';
import { splitSymbols } from '../../../../src-common/symbols';
import { useClient } from '../../clientContext';
import { plural } from '../../format';
import { usePageExport } from '../../commands';
import {
  addSymbols,
  deleteUniverse,
  exportUniverse,
  parseTags,
  removeSymbol,
  renameUniverse,
  saveTags,
  summarize,
  coverageWords,
  symbolRows,
  useUniverses,
  type Outcome,
} from '../../state/universe';
import { filterRowsByData, useUniverseFilters } from '../../state/universeFilters';
import { ErrorAlert } from '../ErrorAlert';
import { RulePanel, SymbolDataFilter } from './DynamicUniverse';
import { IngestMissing } from './IngestMissing';
import { SymbolTable } from './SymbolTable';

/** The universe on the right: its name, members, tags, rule, coverage and the forms that change them. */
export function UniverseDetail({ universe, onImport, importing }: { universe: Universe; onImport: (f: File) => void; importing: boolean }) {
  const client = useClient();
  const coverage = useUniverses((s) => (s.coverageOf === universe.name ? s.coverage : null));
  const [error, setError] = useState<ErrorValue | null>(null);
  const [errorTitle, setErrorTitle] = useState('');
  const [renaming, setRenaming] = useState(false);
  const [newName, setNewName] = useState(universe.name);
  const [tags, setTags] = useState(universe.tags.join(', '));
  const [symbols, setSymbols] = useState('');
  const [symbolFilter, setSymbolFilter] = useState('');
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => setTags(universe.tags.join(', ')), [universe.tags]);

  const dataFilter = useUniverseFilters((s) => s.data);
  const minBehind = useUniverseFilters((s) => s.minBehind);
  const rows = useMemo(() => filterRowsByData(symbolRows(universe, coverage, symbolFilter), dataFilter, minBehind), [universe, coverage, symbolFilter, dataFilter, minBehind]);
  const summary = summarize(universe, coverage);

  async function act(title: string, action: Promise<Outcome>, onDone?: () => void) {
    setBusy(true);
    setError(null);
    setNote('');
    const r = await action;
    setBusy(false);
    if (r.ok) {
      onDone?.();
      setNote(r.note);
    } else {
      setErrorTitle(title);
      setError(r.error);
    }
  }

  function add(e: FormEvent) {
    e.preventDefault();
    const list = splitSymbols(symbols);
    if (list.length === 0) {
      setErrorTitle('Not added');
      setError({ code: 'E_BAD_INPUT', message: 'type one or more symbols, comma or space separated' });
      return;
    }
    void act('Not added', addSymbols(client, universe.name, list), () => setSymbols(''));
  }

  function remove(symbol: string) {
    void act('Not removed', removeSymbol(client, universe.name, symbol));
  }

  function rename(e: FormEvent) {
    e.preventDefault();
    const to = newName.trim();
    if (!to || to === universe.name) {
      setRenaming(false);
      return;
    }
    void act('Not renamed', renameUniverse(client, universe.name, to), () => setRenaming(false));
  }

  function submitTags(e: FormEvent) {
    e.preventDefault();
    void act('Tags not saved', saveTags(client, universe.name, parseTags(tags)));
  }

  async function removeUniverse() {
    setBusy(true);
    setError(null);
    const err = await deleteUniverse(client, universe.name);
    setBusy(false);
    if (err) {
      setErrorTitle('Not deleted');
      setError(err);
      setConfirmDelete(false);
    }
  }

  function exportCsv() {
    void act('Not exported', exportUniverse(client, universe.name));
  }
  // File › Export… (desktop menu): this universe's symbol list
  usePageExport('Export CSV', busy ? null : exportCsv);

  return (
    <section className="panel universe-detail panel-fill" aria-labelledby="universe-title">
      <div className="universe-head">
        {renaming ? (
          <form className="inline-form" onSubmit={rename} noValidate>
            <label htmlFor="universe-rename" className="sr-only">
              New name
            </label>
            <input id="universe-rename" type="text" value={newName} onChange={(e) => setNewName(e.target.value)} maxLength={64} autoFocus autoComplete="off" />
            <button type="submit" className="primary" disabled={busy}>
              Save name
            </button>
            <button type="button" onClick={() => setRenaming(false)}>
              Cancel
            </button>
          </form>
        ) : (
          <>
            <h2 id="universe-title" className="universe-title">
              {universe.name}
            </h2>
            <button
              type="button"
              className="small"
              onClick={() => {
                setNewName(universe.name);
                setRenaming(true);
              }}
            >
              Rename
            </button>
          </>
        )}
        <span className="spacer" />
        <span className="muted universe-version">
          version {universe.version}
          {universe.exchange ? ` · ${universe.exchange}` : ''}
          {universe.assetClass ? ` · ${universe.assetClass}` : ''}
        </span>
        <button type="button" onClick={exportCsv} disabled={busy}>
          Export CSV
        </button>
        {confirmDelete ? (
          <span className="confirm" role="group" aria-label="Confirm delete">
            <span>Delete {universe.name}?</span>
            <button type="button" className="danger" onClick={() => void removeUniverse()} disabled={busy}>
              Confirm delete
            </button>
            <button type="button" onClick={() => setConfirmDelete(false)}>
              Keep it
            </button>
          </span>
        ) : (
          <button type="button" onClick={() => setConfirmDelete(true)}>
            Delete universe
          </button>
        )}
      </div>

      <div className="universe-forms">
        <form className="inline-form" onSubmit={add} noValidate>
          <div className="field field-grow">
            <label htmlFor="universe-symbols">Symbols</label>
            <input
              id="universe-symbols"
              type="text"
              value={symbols}
              onChange={(e) => setSymbols(e.target.value)}
              placeholder="AAPL, MSFT NVDA"
              autoComplete="off"
              spellCheck={false}
              aria-describedby="universe-symbols-hint"
            />
            <span id="universe-symbols-hint" className="hint">
              Comma or space separated
            </span>
          </div>
          <button type="submit" className="primary" disabled={busy}>
            Add
          </button>
        </form>
        <form className="inline-form" onSubmit={submitTags} noValidate>
          <div className="field field-grow">
            <label htmlFor="universe-tags">Tags</label>
            <input id="universe-tags" type="text" value={tags} onChange={(e) => setTags(e.target.value)} placeholder="tech, large-cap" autoComplete="off" aria-describedby="universe-tags-hint" />
            <span id="universe-tags-hint" className="hint">
              Comma separated
            </span>
          </div>
          <button type="submit" disabled={busy}>
            Save tags
          </button>
        </form>
        <div className="field import-field">
          <label htmlFor="universe-import">Import CSV</label>
          <input
            id="universe-import"
            type="file"
            accept=".csv,text/csv"
            disabled={importing}
            aria-describedby="universe-import-hint"
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) onImport(file);
              e.target.value = '';
            }}
          />
          <span id="universe-import-hint" className="hint">
            Or drop a .csv file on the page
          </span>
        </div>
      </div>

      <ErrorAlert error={error} title={errorTitle} />
      <p role="status" className="form-status">
        {note}
      </p>

      <RulePanel key={universe.rule ?? ''} universe={universe} />
      <IngestMissing universe={universe} coverage={coverage} />

      <div className="panel-head">
        <h3 className="panel-title">
          {plural(summary.symbols, 'symbol')}
          {coverage && (
            <span className="muted coverage-summary">
              {' '}
              {coverageWords(summary).map((w) => ` · ${w}`)}
            </span>
          )}
        </h3>
        <input type="search" className="symbol-filter" aria-label="Filter symbols" placeholder="Filter symbols" value={symbolFilter} onChange={(e) => setSymbolFilter(e.target.value)} />
        <SymbolDataFilter />
      </div>
      <SymbolTable universe={universe} coverage={coverage} rows={rows} busy={busy} onRemove={remove} />
    </section>
  );
}
