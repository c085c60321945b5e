import { useEffect, useId, useMemo, useRef, useState, type DragEvent, type FormEvent } from 'react';
import type { SymbolCoverage, Universe } from '../../../src-main/contract/schemas';
import type { ErrorValue } from '../../../src-main/shared/errors';
import { splitSymbols } from '../../../src-common/symbols';
import { useClient } from '../clientContext';
import { ErrorAlert } from '../components/ErrorAlert';
import { DynamicUniverseForm, RulePanel, SymbolDataFilter, UniverseFacetFilters } from '../components/DynamicUniverse';
import { EmptyLake } from '../components/EmptyLake';
import { filterByFacets, filterRowsByData, useUniverseFilters } from '../state/universeFilters';
import { ProgressBar } from '../components/ProgressBar';
import { StatusBadge } from '../components/StatusBadge';
import { formatInt } from '../format';
import { defaultProvider } from '../state/ingestForm';
import { TERMINAL, useJobs } from '../state/jobs';
import { useNav } from '../state/nav';
import { usePageExport } from '../state/pageExport';
import { useSession } from '../state/session';
import {
  applyUniverse,
  createDemo,
  createUniverse,
  defaultFrom,
  deleteUniverse,
  everySymbolHasData,
  filterUniverses,
  isCsvFile,
  loadCoverage,
  loadUniverses,
  missingDaysArg,
  nameFromFile,
  parseTags,
  summarize,
  symbolRows,
  useUniverses,
} from '../state/universe';

interface ImportOutcome {
  universe: string;
  file: string;
  imported: number;
  rejected: { line: number; value: string; reason: string }[];
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatInt(n)} ${n === 1 ? one : many}`;
}

export function UniversePage() {
  const client = useClient();
  const list = useUniverses((s) => s.list);
  const selected = useUniverses((s) => s.selected);
  const listError = useUniverses((s) => s.listError);
  const universe = list?.find((u) => u.name === selected) ?? null;
  const [importing, setImporting] = useState(false);
  const [importResult, setImportResult] = useState<ImportOutcome | null>(null);
  const [importError, setImportError] = useState<ErrorValue | null>(null);
  const [dragging, setDragging] = useState(false);
  const dragDepth = useRef(0);

  // The list on arrival and after every (re)connection; coverage again when a job finishes.
  useEffect(() => {
    const offStatus = client.onStatus((status) => {
      if (status === 'open') {
        void loadUniverses(client);
        const name = useUniverses.getState().selected;
        if (name) void loadCoverage(client, name);
      }
    });
    const offJob = client.on('job.updated', (job) => {
      const name = useUniverses.getState().selected;
      if (name && TERMINAL.has(job.status)) void loadCoverage(client, name);
    });
    return () => {
      offStatus();
      offJob();
    };
  }, [client]);

  useEffect(() => {
    if (selected) void loadCoverage(client, selected);
  }, [client, selected]);

  async function importFile(file: File) {
    setImportError(null);
    setImportResult(null);
    if (!isCsvFile(file)) {
      setImportError({ code: 'E_BAD_INPUT', message: `${file.name} is not a .csv file` });
      return;
    }
    const name = useUniverses.getState().selected ?? nameFromFile(file.name);
    setImporting(true);
    try {
      const csv = await file.text();
      const r = await client.request('universe.import', { name, csv });
      if (!r.ok) {
        setImportError(r.error);
        return;
      }
      applyUniverse(client, r.value.universe, r.value.universe.name, true);
      useUniverses.getState().select(r.value.universe.name);
      setImportResult({ universe: r.value.universe.name, file: file.name, imported: r.value.imported, rejected: r.value.rejected });
    } catch (e) {
      setImportError({ code: 'E_BAD_INPUT', message: `${file.name} could not be read: ${e instanceof Error ? e.message : String(e)}` });
    } finally {
      setImporting(false);
    }
  }

  const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer.types).includes('Files');
  const dropHandlers = {
    onDragEnter: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      dragDepth.current += 1;
      setDragging(true);
    },
    onDragOver: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    },
    onDragLeave: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      dragDepth.current = Math.max(0, dragDepth.current - 1);
      if (dragDepth.current === 0) setDragging(false);
    },
    onDrop: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      dragDepth.current = 0;
      setDragging(false);
      const file = e.dataTransfer.files[0];
      if (file) void importFile(file);
    },
  };

  return (
    <div className={dragging ? 'page page-universe is-dragging' : 'page page-universe'} {...dropHandlers}>
      <UniverseList />
      <div className="universe-main">
        <EmptyLake />
        {list === null ? (
          <section className="panel" aria-label="Universe">
            <ErrorAlert error={listError} title="Universes could not be listed" />
            {!listError && <p className="empty">Loading universes…</p>}
          </section>
        ) : list.length === 0 ? (
          <EmptyState />
        ) : universe ? (
          <UniverseDetail key={universe.name} universe={universe} onImport={(f) => void importFile(f)} importing={importing} />
        ) : (
          <section className="panel">
            <p className="empty">Choose a universe on the left.</p>
          </section>
        )}
        <section className="import-result" aria-label="Import result">
          <ErrorAlert error={importError} title="Import failed" />
          <div role="status" className={importResult ? 'import-status' : 'import-status is-empty'}>
            {importResult && <ImportSummary result={importResult} />}
          </div>
        </section>
      </div>
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          <div className="drop-card">Drop a .csv file to import its symbols{universe ? ` into ${universe.name}` : ''}</div>
        </div>
      )}
    </div>
  );
}

function ImportSummary({ result }: { result: ImportOutcome }) {
  return (
    <>
      <p>
        Imported {plural(result.imported, 'symbol')} into <strong>{result.universe}</strong> from {result.file}
        {result.rejected.length > 0 ? `; ${plural(result.rejected.length, 'line')} rejected:` : '.'}
      </p>
      {result.rejected.length > 0 && (
        <ul className="rejected" aria-label="Rejected lines">
          {result.rejected.map((r) => (
            <li key={`${r.line}:${r.value}`}>
              line {r.line}: <code>{r.value || '(empty)'}</code> — {r.reason}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function UniverseList() {
  const client = useClient();
  const list = useUniverses((s) => s.list);
  const selected = useUniverses((s) => s.selected);
  const select = useUniverses((s) => s.select);
  const [filter, setFilter] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorValue | null>(null);
  const facets = useUniverseFilters((s) => s.facets);
  const shown = useMemo(() => filterByFacets(filterUniverses(list ?? [], filter), facets), [list, filter, facets]);
  const idBase = useId();

  async function create(e: FormEvent) {
    e.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) {
      setError({ code: 'E_BAD_INPUT', message: 'give a universe name' });
      return;
    }
    setBusy(true);
    setError(null);
    const err = await createUniverse(client, trimmed);
    setBusy(false);
    if (err) setError(err);
    else setName('');
  }

  return (
    <section className="panel universe-list" aria-labelledby="universe-list-title">
      <div className="panel-head">
        <h2 id="universe-list-title">Universes</h2>
        {list && <span className="muted">{list.length}</span>}
      </div>
      <form className="universe-create" onSubmit={(e) => void create(e)} noValidate>
        <div className="field">
          <label htmlFor="universe-new-name">Universe name</label>
          <input id="universe-new-name" type="text" value={name} onChange={(e) => setName(e.target.value)} maxLength={64} autoComplete="off" placeholder="Tech" />
        </div>
        <button type="submit" className="primary" disabled={busy}>
          Create
        </button>
      </form>
      <ErrorAlert error={error} title="Not created" />
      {list && list.length > 0 && (
        <input type="search" aria-label="Filter universes" placeholder="Filter universes" value={filter} onChange={(e) => setFilter(e.target.value)} />
      )}
      {list && <UniverseFacetFilters list={list} />}
      <ul className="universe-items">
        {shown.map((u) => {
          const metaId = `${idBase}-${u.name}`;
          return (
            <li key={u.name}>
              <button
                type="button"
                className="universe-item"
                aria-current={u.name === selected ? 'true' : undefined}
                aria-label={u.name}
                aria-describedby={metaId}
                onClick={() => select(u.name)}
              >
                <span className="universe-item-name">{u.name}</span>
                <span id={metaId} className="universe-item-meta">
                  <span className="universe-count">{plural(u.symbols.length, 'symbol')}</span>
                  {u.tags.map((t) => (
                    <span key={t} className="tag">
                      {t}
                    </span>
                  ))}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
      {list && list.length > 0 && shown.length === 0 && <p className="hint">No universe matches these filters.</p>}
      <DynamicUniverseForm />
    </section>
  );
}

function EmptyState() {
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorValue | null>(null);
  async function demo() {
    setBusy(true);
    setError(null);
    const err = await createDemo(client);
    setBusy(false);
    if (err) setError(err);
  }
  return (
    <section className="panel universe-empty" aria-labelledby="universe-empty-title">
      <h2 id="universe-empty-title">No universes yet</h2>
      <p className="muted">
        A universe is a named list of symbols that ingestion, updates and schedules start from. Create one on the left, drop a .csv
        file of symbols here, or start with a demo: AAPL, MSFT and SPY with their last five trading days from the fake provider.
      </p>
      <div>
        <button type="button" className="primary" onClick={() => void demo()} disabled={busy}>
          {busy ? 'Creating…' : 'Create demo universe'}
        </button>
      </div>
      <ErrorAlert error={error} title="Demo not created" />
    </section>
  );
}

function UniverseDetail({ universe, onImport, importing }: { universe: Universe; onImport: (f: File) => void; importing: boolean }) {
  const client = useClient();
  const coverage = useUniverses((s) => (s.coverageOf === universe.name ? s.coverage : null));
  const coverageError = useUniverses((s) => s.coverageError);
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

  async function run<T>(title: string, action: () => Promise<{ ok: true; value: T } | { ok: false; error: ErrorValue }>, done: (v: T) => void) {
    setBusy(true);
    setError(null);
    setNote('');
    const r = await action();
    setBusy(false);
    if (r.ok) done(r.value);
    else {
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
    void run('Not added', () => client.request('universe.add', { name: universe.name, symbols: list }), (v) => {
      applyUniverse(client, v.universe, universe.name, true);
      setSymbols('');
      setNote(v.added.length > 0 ? `Added ${v.added.join(', ')}.` : 'Already in the universe: nothing added.');
    });
  }

  function remove(symbol: string) {
    void run('Not removed', () => client.request('universe.remove', { name: universe.name, symbols: [symbol] }), (v) => {
      applyUniverse(client, v.universe, universe.name, true);
      setNote(`Removed ${v.removed.join(', ') || symbol}.`);
    });
  }

  function rename(e: FormEvent) {
    e.preventDefault();
    const to = newName.trim();
    if (!to || to === universe.name) {
      setRenaming(false);
      return;
    }
    void run('Not renamed', () => client.request('universe.rename', { name: universe.name, to }), (v) => {
      setRenaming(false);
      applyUniverse(client, v, universe.name);
    });
  }

  function saveTags(e: FormEvent) {
    e.preventDefault();
    void run('Tags not saved', () => client.request('universe.update', { name: universe.name, tags: parseTags(tags) }), (v) => {
      applyUniverse(client, v);
      setNote('Tags saved.');
    });
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
    void run('Not exported', () => client.request('universe.export', { name: universe.name }), (v) => {
      download(v.filename, v.csv);
      setNote(`Exported ${v.filename}.`);
    });
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
        <form className="inline-form" onSubmit={saveTags} noValidate>
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
              · {formatInt(summary.withData)} with data
              {summary.withData > 0 && (
                <>
                  {' '}
                  · {plural(summary.missing, 'session')} missing · {summary.behind > 0 ? `up to ${plural(summary.behind, 'session')} behind` : 'up to date'}
                </>
              )}
            </span>
          )}
        </h3>
        <input type="search" className="symbol-filter" aria-label="Filter symbols" placeholder="Filter symbols" value={symbolFilter} onChange={(e) => setSymbolFilter(e.target.value)} />
        <SymbolDataFilter />
      </div>
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
                <SymbolRowView key={r.symbol} symbol={r.symbol} coverage={r.coverage} loaded={coverage !== null} onRemove={() => remove(r.symbol)} busy={busy} />
              ))}
            </tbody>
          </table>
          {rows.length === 0 && <p className="empty">No symbol matches these filters.</p>}
        </div>
      )}
    </section>
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

function IngestMissing({ universe, coverage }: { universe: Universe; coverage: SymbolCoverage[] | null }) {
  const client = useClient();
  const providers = useSession((s) => s.providers);
  const go = useNav((s) => s.go);
  const [provider, setProvider] = useState('');
  const [from, setFrom] = useState(() => defaultFrom());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorValue | null>(null);
  const lastJob = useUniverses((s) => (s.lastJob?.universe === universe.name ? s.lastJob.jobId : null));
  const job = useJobs((s) => (lastJob ? s.byId[lastJob] : undefined));
  const chosen = provider || defaultProvider(providers);
  const needsFrom = coverage !== null && !everySymbolHasData(universe, coverage, chosen);
  const noSymbols = universe.symbols.length === 0;

  async function start(e: FormEvent) {
    e.preventDefault();
    if (!coverage || !chosen) return;
    setBusy(true);
    setError(null);
    const r = await client.request('ingest.start', missingDaysArg(universe, coverage, chosen, from));
    setBusy(false);
    if (r.ok) useUniverses.setState({ lastJob: { universe: universe.name, jobId: r.value.jobId } });
    else setError(r.error);
  }

  return (
    <div className="ingest-missing" role="group" aria-labelledby="ingest-missing-title">
      <form className="inline-form" onSubmit={(e) => void start(e)} noValidate>
        <h3 id="ingest-missing-title" className="panel-title">
          Ingest missing days
        </h3>
        <div className="field">
          <label htmlFor="universe-ingest-provider">Ingest provider</label>
          <select id="universe-ingest-provider" value={chosen} onChange={(e) => setProvider(e.target.value)} disabled={!providers}>
            {!providers && <option value="">Loading…</option>}
            {providers?.map((p) => (
              <option key={p.name} value={p.name} disabled={p.name === 'csv'}>
                {p.name}
                {p.configured ? '' : ' (not configured)'}
              </option>
            ))}
          </select>
        </div>
        {needsFrom && (
          <div className="field">
            <label htmlFor="universe-ingest-from">From</label>
            <input id="universe-ingest-from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} aria-describedby="universe-ingest-hint" />
          </div>
        )}
        <button type="submit" className="primary" disabled={busy || !coverage || !chosen || noSymbols} aria-describedby="universe-ingest-hint">
          Ingest missing days
        </button>
        <span id="universe-ingest-hint" className="hint">
          {noSymbols
            ? 'Add symbols first.'
            : needsFrom
              ? 'Symbols without data start at From; every symbol is brought up to the last closed session. Sessions already held are skipped.'
              : 'Each symbol from where it stops, up to the last closed session. Sessions already held are skipped.'}
        </span>
      </form>
      <ErrorAlert error={error} title="Not started" />
      <div role="status" className="form-status ingest-missing-status">
        {lastJob && (
          <>
            <span>
              Started job <code>{lastJob}</code>
            </span>
            {job && (
              <>
                <StatusBadge status={job.status} />
                <ProgressBar value={job.progress} label={`Progress of ingestion for ${universe.name}`} tone={job.status} compact />
              </>
            )}
            <a
              href="#/ingest"
              onClick={(e) => {
                e.preventDefault();
                go('ingest');
              }}
            >
              Follow it on the Ingest page
            </a>
          </>
        )}
      </div>
    </div>
  );
}

/** Saves a text as a file through a Blob link (the browser's own download; Electron shows its save dialog). */
function download(filename: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
