import type { Cell } from '../../../src-main/contract/schemas';

/** Rows per `query.page` request: small enough for one quick message, large enough that scrolling asks rarely. */
export const PAGE_SIZE = 500;

type FetchPage = (offset: number, limit: number) => Promise<Cell[][]>;

interface PageCacheOptions {
  rowCount: number;
  fetch: FetchPage;
  pageSize?: number;
  /** pages kept; the least recently used beyond this are dropped (a million rows are never all held) */
  maxPages?: number;
  /** requests in flight at once */
  concurrency?: number;
  /** called when pages arrive (to re-render) */
  onChange?: () => void;
  /** called when a fetch fails */
  onError?: (e: unknown) => void;
}

/**
 * The rows of one open result (in one order) as the grid sees them: pages fetched on demand as the user scrolls.
 * Only the pages of the current view are fetched (`want`); pages the user scrolled past before their turn are never
 * requested. A new result or a new order gets a new cache, so a late page of an old order can never show.
 */
export class PageCache {
  readonly rowCount: number;
  readonly pageSize: number;
  private readonly pages = new Map<number, Cell[][]>();
  private readonly inFlight = new Set<number>();
  private wanted: number[] = [];
  private disposed = false;

  constructor(private readonly o: PageCacheOptions) {
    this.rowCount = o.rowCount;
    this.pageSize = o.pageSize ?? PAGE_SIZE;
  }

  /** Seeds a page (the first page comes with the query's answer). */
  put(offset: number, rows: Cell[][]): void {
    const size = this.pageSize;
    for (let i = 0; i < rows.length; i += size) this.store(Math.floor((offset + i) / size), rows.slice(i, i + size));
  }

  private store(page: number, rows: Cell[][]): void {
    this.pages.delete(page);
    this.pages.set(page, rows);
    const max = this.o.maxPages ?? 60;
    while (this.pages.size > max) {
      // Map keeps insertion order: the first key is the least recently stored or touched
      const oldest = this.pages.keys().next().value as number;
      if (this.wanted.includes(oldest)) break;
      this.pages.delete(oldest);
    }
  }

  /** The row, or undefined while its page is not loaded. */
  row(index: number): Cell[] | undefined {
    const page = Math.floor(index / this.pageSize);
    return this.pages.get(page)?.[index - page * this.pageSize];
  }

  hasPage(page: number): boolean {
    return this.pages.has(page);
  }

  get loadedPages(): number {
    return this.pages.size;
  }

  /** Every loaded row with its index, in order (for charts of what was loaded). */
  loadedRows(limit = Infinity): { index: number; row: Cell[] }[] {
    const out: { index: number; row: Cell[] }[] = [];
    for (const p of [...this.pages.keys()].sort((a, b) => a - b)) {
      const rows = this.pages.get(p)!;
      for (let i = 0; i < rows.length && out.length < limit; i++) out.push({ index: p * this.pageSize + i, row: rows[i]! });
    }
    return out;
  }

  /** The pages rows [start, end] fall in. */
  pagesFor(start: number, end: number): number[] {
    if (this.rowCount === 0 || end < start) return [];
    const first = Math.max(0, Math.floor(start / this.pageSize));
    const last = Math.min(Math.floor((this.rowCount - 1) / this.pageSize), Math.floor(end / this.pageSize));
    const out: number[] = [];
    for (let p = first; p <= last; p++) out.push(p);
    return out;
  }

  /** The view now shows rows [start, end]: fetch what is missing there, and forget what was wanted before. */
  want(start: number, end: number): void {
    this.wanted = this.pagesFor(start, end);
    for (const p of this.wanted) {
      const rows = this.pages.get(p);
      if (rows) this.store(p, rows); // touched: recently used
    }
    this.pump();
  }

  private pump(): void {
    const limit = this.o.concurrency ?? 2;
    for (const p of this.wanted) {
      if (this.disposed || this.inFlight.size >= limit) return;
      if (this.pages.has(p) || this.inFlight.has(p)) continue;
      this.inFlight.add(p);
      const offset = p * this.pageSize;
      this.o
        .fetch(offset, Math.min(this.pageSize, this.rowCount - offset))
        .then(
          (rows) => {
            if (this.disposed) return;
            this.store(p, rows);
            this.o.onChange?.();
          },
          (e: unknown) => {
            // not retried until the view asks again: a failing engine must not be hammered in a loop
            this.wanted = this.wanted.filter((w) => w !== p);
            if (!this.disposed) this.o.onError?.(e);
          },
        )
        .finally(() => {
          this.inFlight.delete(p);
          if (!this.disposed) this.pump();
        });
    }
  }

  /** Nothing more is fetched or reported. */
  dispose(): void {
    this.disposed = true;
    this.wanted = [];
  }
}
