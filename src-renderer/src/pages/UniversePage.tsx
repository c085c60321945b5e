import { useEffect, useRef, useState, type DragEvent } from 'react';
import type { ErrorValue } from '../../../src-main/shared/errors';
import { useClient } from '../clientContext';
import { EmptyLake } from '../components/EmptyLake';
import { ErrorAlert } from '../components/ErrorAlert';
import { ImportSummary } from '../components/universe/ImportSummary';
import { UniverseDetail } from '../components/universe/UniverseDetail';
import { UniverseEmptyState } from '../components/universe/UniverseEmptyState';
import { UniverseList } from '../components/universe/UniverseList';
import { followUniverses, importCsv, isCsvFile, loadCoverage, useUniverses, type ImportOutcome } from '../state/universe';

// The Universe page: the list on the left, the selected universe on the right, a .csv file dropped anywhere imports.

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

  // the list on arrival and after every (re)connection; coverage again when a job finishes
  useEffect(() => followUniverses(client), [client]);

  useEffect(() => {
    if (selected) void loadCoverage(client, selected);
  }, [client, selected]);

  async function importFile(file: File) {
    setImportError(null);
    setImportResult(null);
    if (isCsvFile(file)) setImporting(true);
    const r = await importCsv(client, file);
    setImporting(false);
    if (r.ok) setImportResult(r.value);
    else setImportError(r.error);
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
        {/* no universe yet: the empty state's one demo button (it creates the demo universe and ingests it) */}
        {list !== null && list.length > 0 && <EmptyLake />}
        {list === null ? (
          <section className="panel" aria-label="Universe">
            <ErrorAlert error={listError} title="Universes could not be listed" />
            {!listError && <p className="empty">Loading universes…</p>}
          </section>
        ) : list.length === 0 ? (
          <UniverseEmptyState />
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
