import { useEffect, useRef } from 'react';
import type { Cell } from '../../../../src-main/contract/schemas';
import type { Column } from '../../../../src-main/contract/query';
import { cellText } from '../../state/query';

/** JSON text pretty-printed, or null when the text is not a JSON object or array. */
export function prettyJson(text: string): string | null {
  const t = text.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return null;
  try {
    return JSON.stringify(JSON.parse(t), null, 2);
  } catch {
    return null;
  }
}

/** A cell's whole value: long text wrapped, JSON indented, numbers exact; copy and close. */
export function CellViewer({ column, row, cell, shown, onCopy, onClose }: { column: Column; row: number; cell: Cell; shown: string; onCopy: (text: string) => void; onClose: () => void }) {
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => closeRef.current?.focus(), [row, column.name]);
  const exact = cellText(cell);
  const json = typeof cell === 'string' ? prettyJson(cell) : null;
  return (
    <aside className="query-viewer" role="dialog" aria-label="Cell value" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <div className="query-viewer-head">
        <strong>{column.name}</strong>
        <span className="muted">
          {column.type} · row {(row + 1).toLocaleString('en-US')}
          {json ? ' · JSON' : ''}
          {typeof cell === 'string' && cell.length > 80 ? ` · ${cell.length.toLocaleString('en-US')} characters` : ''}
        </span>
        <span className="query-sep" />
        <button type="button" className="small" onClick={() => onCopy(exact)}>
          Copy value
        </button>
        <button type="button" className="small" ref={closeRef} onClick={onClose} aria-label="Close cell viewer">
          Close
        </button>
      </div>
      {cell === null ? (
        <p className="muted">NULL</p>
      ) : (
        <pre className="query-viewer-value" data-testid="cell-value">
          {json ?? exact}
        </pre>
      )}
      {shown !== exact && cell !== null && !json && (
        <p className="hint">
          Shown in the grid as <span className="mono">{shown}</span>
        </p>
      )}
    </aside>
  );
}
