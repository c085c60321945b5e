import { describe, expect, it } from 'vitest';
import type { Cell } from '../../../src-main/contract/schemas';
import { PageCache } from './pageCache';

/** A fake engine that answers when told to, so the test sees every step. */
function engine() {
  const calls: { offset: number; limit: number; resolve: () => void }[] = [];
  const fetch = (offset: number, limit: number) =>
    new Promise<Cell[][]>((resolve) => {
      calls.push({ offset, limit, resolve: () => resolve(Array.from({ length: limit }, (_, i) => [offset + i])) });
    });
  return { calls, fetch };
}

const settle = () => new Promise<void>((r) => setTimeout(r, 0));

describe('PageCache', () => {
  it('fetches only the pages of the view, a few at a time, and never twice', async () => {
    const e = engine();
    let changes = 0;
    const c = new PageCache({ rowCount: 1_000_000, fetch: e.fetch, pageSize: 100, concurrency: 2, onChange: () => changes++ });
    c.want(250, 520); // pages 2..5
    expect(e.calls.map((x) => x.offset)).toEqual([200, 300]);
    c.want(250, 520);
    expect(e.calls).toHaveLength(2);
    e.calls[0]!.resolve();
    await settle();
    expect(changes).toBe(1);
    expect(c.row(250)).toEqual([250]);
    expect(c.row(350)).toBeUndefined();
    expect(e.calls.map((x) => x.offset)).toEqual([200, 300, 400]);
  });

  it('skips pages scrolled past before their turn', async () => {
    const e = engine();
    const c = new PageCache({ rowCount: 1_000_000, fetch: e.fetch, pageSize: 100, concurrency: 1 });
    c.want(0, 350);
    c.want(999_900, 999_999); // jumped to the end
    e.calls[0]!.resolve();
    await settle();
    expect(e.calls.map((x) => x.offset)).toEqual([0, 999_900]);
    e.calls[1]!.resolve();
    await settle();
    expect(c.row(999_999)).toEqual([999_999]);
  });

  it('asks for a short last page and nothing past the end', () => {
    const e = engine();
    const c = new PageCache({ rowCount: 250, fetch: e.fetch, pageSize: 100 });
    expect(c.pagesFor(0, 10_000)).toEqual([0, 1, 2]);
    c.want(200, 10_000);
    expect(e.calls.map((x) => [x.offset, x.limit])).toEqual([[200, 50]]);
    expect(new PageCache({ rowCount: 0, fetch: e.fetch }).pagesFor(0, 10)).toEqual([]);
  });

  it('keeps a bounded number of pages, the view always among them', async () => {
    const e = engine();
    const c = new PageCache({ rowCount: 1_000_000, fetch: e.fetch, pageSize: 10, maxPages: 3, concurrency: 10 });
    c.put(0, Array.from({ length: 30 }, (_, i) => [i])); // pages 0, 1, 2
    expect(c.loadedPages).toBe(3);
    c.want(0, 9); // page 0 touched: now most recent
    c.want(500, 509);
    e.calls[0]!.resolve();
    await settle();
    expect(c.loadedPages).toBe(3);
    expect(c.hasPage(50)).toBe(true);
    expect(c.hasPage(1)).toBe(false);
    const tens = (from: number) => Array.from({ length: 10 }, (_, i) => from + i);
    expect(c.loadedRows().map((r) => r.index)).toEqual([...tens(0), ...tens(20), ...tens(500)]);
  });

  it('after dispose, late pages are dropped and nothing is reported', async () => {
    const e = engine();
    let changes = 0;
    const c = new PageCache({ rowCount: 1000, fetch: e.fetch, pageSize: 100, onChange: () => changes++ });
    c.want(0, 99);
    c.dispose();
    e.calls[0]!.resolve();
    await settle();
    expect(changes).toBe(0);
    expect(c.row(0)).toBeUndefined();
  });

  it('reports a failed fetch and can fetch that page again', async () => {
    let fail = true;
    const errors: unknown[] = [];
    const c = new PageCache({
      rowCount: 100,
      pageSize: 100,
      fetch: async (o, l) => {
        if (fail) throw new Error('E_NOT_FOUND');
        return Array.from({ length: l }, (_, i) => [o + i]);
      },
      onError: (e) => errors.push(e),
    });
    c.want(0, 10);
    await settle();
    expect(errors).toHaveLength(1);
    fail = false;
    c.want(0, 10);
    await settle();
    expect(c.row(5)).toEqual([5]);
  });
});
