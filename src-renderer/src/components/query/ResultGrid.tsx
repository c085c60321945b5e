import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type PointerEvent as ReactPointerEvent } from 'react';
import { observeElementOffset, useVirtualizer } from '@tanstack/react-virtual';
import type { Cell } from '../../../../src-main/contract/schemas';
import { formatCellInstant, zoneShortLabel, type TimeZoneSetting } from '../../../../src-common/zonedTime';
import { formatNumericCell, numberIsRounded } from '../../format';
import { cellText, chartTargetColumns, isInstantType, isNumericType, rowText, type ResultView } from '../../state/query';

const ROW_HEIGHT = 24;
const ROWNUM_WIDTH = 64;
const MIN_WIDTH = 48;
/**
 * The tallest body the grid lays out. Browsers cap an element's height (Chromium near 33.5 million px, Firefox near
 * 17.9 million), which at 24 px a row would end a plain virtual list before a million rows. A taller result scrolls
 * *scaled*: the body stays this tall and a scroll position maps proportionally onto the rows, so every row is
 * reachable by the scrollbar and the keys (a wheel step then moves more than a row, as in other data grids).
 */
const MAX_BODY_PX = 15_000_000;

/**
 * Row-space pixels per real scroll pixel: 1 unless the rows are taller than MAX_BODY_PX. `view` is the height rows
 * are seen through (the scroll box under its sticky header): the last real scroll position shows the last rows.
 */
function scrollScale(rowCount: number, view: number): number {
  const rows = rowCount * ROW_HEIGHT;
  if (rows <= MAX_BODY_PX) return 1;
  return Math.max(1, (rows - view) / Math.max(1, MAX_BODY_PX - view));
}

type Kind = 'num' | 'instant' | 'text';

/** A cell as the grid shows it: numbers grouped and rounded to what they hold, instants in the app's zone. */
export function cellDisplay(cell: Cell, kind: Kind, zone: TimeZoneSetting): string {
  if (cell === null) return 'NULL';
  if (typeof cell === 'boolean') return cell ? 'true' : 'false';
  if (kind === 'num' && (typeof cell === 'number' || typeof cell === 'string')) return formatNumericCell(cell);
  if (kind === 'instant' && typeof cell === 'string') return formatCellInstant(cell, zone);
  return String(cell);
}

function display(cell: Cell | undefined, kind: Kind, zone: TimeZoneSetting) {
  if (cell === undefined) return <span className="query-loading">…</span>;
  if (cell === null) return <span className="null">NULL</span>;
  return cellDisplay(cell, kind, zone);
}

const MAX_FIT = 420;
let measureCtx: CanvasRenderingContext2D | null | undefined;
/** Text width in px in the grid's fonts (canvas measureText; a per-character guess without a canvas). */
function textWidth(text: string, mono: boolean): number {
  if (measureCtx === undefined) measureCtx = typeof document !== 'undefined' ? document.createElement('canvas').getContext('2d') : null;
  const ctx = measureCtx;
  if (!ctx || typeof getComputedStyle === 'undefined') return text.length * (mono ? 7.3 : 7);
  const css = getComputedStyle(document.documentElement);
  ctx.font = mono ? `12px ${css.getPropertyValue('--mono') || 'monospace'}` : `13px ${css.getPropertyValue('--font') || 'sans-serif'}`;
  return ctx.measureText(text).width;
}

/** Auto-fit: the widest of the header and the loaded cells (the first rows), within MIN_WIDTH..MAX_FIT. */
function fitWidth(result: ResultView, col: number, kind: Kind, zone: TimeZoneSetting, rows: number[]): number {
  const c = result.columns[col]!;
  // header: upper-case 11px bold, the sort mark, the zone under instants
  let w = textWidth(c.name.toUpperCase(), false) * 0.95 + 30;
  if (kind === 'instant') w = Math.max(w, textWidth(zoneShortLabel(zone), false) * 0.85 + 30);
  let longest = '';
  for (const i of rows) {
    const cell = result.cache.row(i)?.[col];
    if (cell === undefined) continue;
    const t = cellDisplay(cell, kind, zone);
    if (t.length > longest.length) longest = t;
  }
  if (longest) w = Math.max(w, textWidth(longest, kind === 'num') + 20);
  return Math.round(Math.max(MIN_WIDTH, Math.min(MAX_FIT, w)));
}

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);

interface GridActions {
  onSort(column: string): void;
  onCopy(text: string, what: string): void;
  onOpenChart(symbol: string, at: string): void;
  /** opens the cell viewer on a cell */
  onView(row: number, col: number): void;
}

interface Menu {
  x: number;
  y: number;
  row: number;
  col: number;
}

/**
 * A virtualized grid over an open result: only the rows in view are in the DOM, and their pages are fetched as they
 * come into view (PageCache). Columns sort engine-side (header click) and resize (drag or arrow keys on the handle).
 * A cell is selected by click or arrow keys (PageUp/PageDown, Ctrl/Cmd+Home/End); Ctrl/Cmd+C or the context menu
 * copies it. Results taller than MAX_BODY_PX scroll scaled.
 */
export function ResultGrid({ result, version, sorting, actions, timeZone }: { result: ResultView; version: number; sorting: boolean; actions: GridActions; timeZone: TimeZoneSetting }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const kinds: Kind[] = result.columns.map((c) => (isNumericType(c.type) ? 'num' : isInstantType(c.type) ? 'instant' : 'text'));
  // auto-fit on open: the header and the first rows decide each column's width
  const [widths, setWidths] = useState(() => result.columns.map((_, i) => fitWidth(result, i, kinds[i]!, timeZone, range(0, Math.min(result.rowCount, 200)))));
  const [sel, setSel] = useState<{ row: number; col: number } | null>(null);
  const [menu, setMenu] = useState<Menu | null>(null);
  const numeric = kinds.map((k) => k === 'num');
  const target = chartTargetColumns(result.columns);
  const template = `${ROWNUM_WIDTH}px ${widths.map((w) => `${w}px`).join(' ')}`;
  const totalWidth = ROWNUM_WIDTH + widths.reduce((a, b) => a + b, 0);

  // scaled scrolling (see MAX_BODY_PX): the virtualizer works in row space, the scroll box in real pixels
  const headRef = useRef<HTMLDivElement>(null);
  const view = () => (scrollRef.current?.clientHeight ?? 0) - (headRef.current?.offsetHeight ?? 0);
  const scale = useRef(1);
  scale.current = scrollScale(result.rowCount, view());
  const virtualizer = useVirtualizer({
    count: result.rowCount,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    observeElementOffset: (instance, cb) => observeElementOffset(instance, (offset, scrolling) => cb(offset * scale.current, scrolling)),
  });
  const scaled = scale.current > 1;
  // where rows sit in the body: their row-space start, less how far the row-space offset runs ahead of the real one
  const virtualOffset = virtualizer.scrollOffset ?? 0;
  const shift = scaled ? virtualOffset - virtualOffset / scale.current : 0;

  /** Scrolls the least that shows row `index` whole under the header (our own: the virtualizer clamps to real pixels). */
  function revealRow(index: number) {
    const el = scrollRef.current;
    if (!el) return;
    const k = scale.current;
    const seen = view();
    const offset = el.scrollTop * k;
    const top = index * ROW_HEIGHT;
    const to = top < offset ? top : top + ROW_HEIGHT > offset + seen ? top + ROW_HEIGHT - seen : null;
    if (to !== null) el.scrollTop = Math.max(0, to) / k;
  }
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? -1;
  useEffect(() => {
    result.cache.want(first, last);
  }, [result.cache, first, last]);

  const copySelected = useCallback(
    (what: 'cell' | 'row', at = sel) => {
      if (!at) return;
      const row = result.cache.row(at.row);
      if (!row) return;
      actions.onCopy(what === 'cell' ? cellText(row[at.col]) : rowText(row), what);
    },
    [sel, result.cache, actions],
  );

  const openChartFor = (index: number) => {
    const row = result.cache.row(index);
    if (!row || !target) return;
    const symbol = row[target.symbol];
    const at = row[target.ts];
    if (typeof symbol === 'string' && typeof at === 'string') actions.onOpenChart(symbol, at);
  };

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (e.key === 'Escape') return setMenu(null);
    if (e.key === 'Enter' && sel) {
      e.preventDefault();
      return actions.onView(sel.row, sel.col);
    }
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'c') {
      if (sel) {
        e.preventDefault();
        copySelected('cell');
      }
      return;
    }
    const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1], PageDown: [20, 0], PageUp: [-20, 0] };
    // Ctrl/Cmd+Home and +End: the first and the last row
    const jump = (e.ctrlKey || e.metaKey) && (e.key === 'Home' || e.key === 'End') ? (e.key === 'Home' ? -Infinity : Infinity) : null;
    const m = jump !== null ? ([jump, 0] as [number, number]) : moves[e.key];
    if (!m || result.rowCount === 0) return;
    e.preventDefault();
    const cur = sel ?? { row: first, col: 0 };
    const next = { row: Math.max(0, Math.min(result.rowCount - 1, cur.row + m[0])), col: Math.max(0, Math.min(result.columns.length - 1, cur.col + m[1])) };
    setSel(next);
    revealRow(next.row);
  }

  function startResize(e: ReactPointerEvent<HTMLDivElement>, col: number) {
    e.preventDefault();
    e.stopPropagation();
    const startX = e.clientX;
    const start = widths[col] ?? 100;
    const move = (ev: PointerEvent) => setWidths((w) => w.map((x, i) => (i === col ? Math.max(MIN_WIDTH, start + ev.clientX - startX) : x)));
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  }

  function resizeKey(e: KeyboardEvent<HTMLDivElement>, col: number) {
    const d = e.key === 'ArrowRight' ? 16 : e.key === 'ArrowLeft' ? -16 : 0;
    if (!d) return;
    e.preventDefault();
    e.stopPropagation();
    setWidths((w) => w.map((x, i) => (i === col ? Math.max(MIN_WIDTH, x + d) : x)));
  }

  /** Double-click on a resize handle: fit the column to its header and the rows in view. */
  function fitColumn(col: number) {
    const w = fitWidth(result, col, kinds[col]!, timeZone, range(first, last + 1));
    setWidths((ws) => ws.map((x, i) => (i === col ? w : x)));
  }

  return (
    <div className="query-grid-wrap" data-version={version}>
      <div
        ref={scrollRef}
        className="query-grid-scroll"
        role="grid"
        aria-label="Result grid"
        aria-rowcount={result.rowCount + 1}
        aria-colcount={result.columns.length + 1}
        aria-busy={sorting}
        tabIndex={0}
        onKeyDown={onKeyDown}
        onScroll={() => menu && setMenu(null)}
      >
        <div ref={headRef} className="query-grid-head" role="row" aria-rowindex={1} style={{ gridTemplateColumns: template, width: totalWidth }}>
          <div role="columnheader" className="query-rownum">
            #
          </div>
          {result.columns.map((c, i) => {
            const sorted = result.sort?.column === c.name ? result.sort.dir : null;
            return (
              <div
                key={i}
                role="columnheader"
                aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}
                className={numeric[i] ? 'num' : undefined}
                title={kinds[i] === 'instant' ? `${c.type}, shown in ${zoneShortLabel(timeZone)} time (Settings › Time zone)` : c.type}
              >
                <button type="button" className="query-sort" aria-label={`Sort by ${c.name}`} onClick={() => actions.onSort(c.name)} disabled={sorting}>
                  <span className="col-name">{c.name}</span>
                  {kinds[i] === 'instant' && <span className="col-zone">{zoneShortLabel(timeZone)}</span>}
                  <span className="query-sort-mark" aria-hidden="true">
                    {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : ''}
                  </span>
                </button>
                <div
                  role="separator"
                  aria-orientation="vertical"
                  aria-label={`Resize ${c.name}`}
                  aria-valuenow={widths[i]}
                  tabIndex={0}
                  className="query-resize"
                  onPointerDown={(e) => startResize(e, i)}
                  onDoubleClick={() => fitColumn(i)}
                  title="Drag to resize, double-click to fit"
                  onKeyDown={(e) => resizeKey(e, i)}
                />
              </div>
            );
          })}
        </div>
        <div className="query-grid-body" style={{ height: scaled ? MAX_BODY_PX : virtualizer.getTotalSize(), width: totalWidth }}>
          {items.map((v) => {
            const row = result.cache.row(v.index);
            return (
              <div key={v.key} role="row" aria-rowindex={v.index + 2} className={v.index % 2 ? 'query-row odd' : 'query-row'} style={{ transform: `translateY(${v.start - shift}px)`, gridTemplateColumns: template }}>
                <div role="rowheader" className="query-rownum">
                  {target && row ? (
                    <button type="button" className="query-open-chart" aria-label={`Open chart for row ${v.index + 1}`} title="Open chart" onClick={() => openChartFor(v.index)}>
                      ↗
                    </button>
                  ) : null}
                  {v.index + 1}
                </div>
                {result.columns.map((_, c) => {
                  const selected = sel?.row === v.index && sel.col === c;
                  const cell = row?.[c];
                  // the exact value on hover where the grid rounds it, and for long text
                  const title = cell !== undefined && cell !== null && (numberIsRounded(cell as number | string) || (typeof cell === 'string' && cell.length > 60)) ? String(cell) : undefined;
                  return (
                    <div
                      key={c}
                      role="gridcell"
                      aria-selected={selected}
                      className={`${numeric[c] ? 'num' : ''}${selected ? ' selected' : ''}`}
                      title={title}
                      onClick={() => setSel({ row: v.index, col: c })}
                      onDoubleClick={() => actions.onView(v.index, c)}
                      onContextMenu={(e) => {
                        e.preventDefault();
                        setSel({ row: v.index, col: c });
                        const box = scrollRef.current?.getBoundingClientRect();
                        setMenu({ x: e.clientX - (box?.left ?? 0), y: e.clientY - (box?.top ?? 0), row: v.index, col: c });
                      }}
                    >
                      {display(cell, kinds[c]!, timeZone)}
                    </div>
                  );
                })}
              </div>
            );
          })}
        </div>
      </div>
      {menu && (
        <div className="query-menu" role="menu" aria-label="Cell actions" style={{ left: menu.x, top: menu.y }} onKeyDown={(e) => e.key === 'Escape' && setMenu(null)}>
          <button type="button" role="menuitem" autoFocus onClick={() => (copySelected('cell', menu), setMenu(null))}>
            Copy cell
          </button>
          <button type="button" role="menuitem" onClick={() => (copySelected('row', menu), setMenu(null))}>
            Copy row
          </button>
          <button type="button" role="menuitem" onClick={() => (actions.onView(menu.row, menu.col), setMenu(null))}>
            View value
          </button>
          {target && (
            <button type="button" role="menuitem" onClick={() => (openChartFor(menu.row), setMenu(null))}>
              Open chart
            </button>
          )}
        </div>
      )}
    </div>
  );
}
