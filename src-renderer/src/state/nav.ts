import { create } from 'zustand';

import { PAGES, type PageId } from '../../../src-main/contract/pages';

export { PAGES, type PageId };
const DEFAULT_PAGE: PageId = 'ingest';

/** Parameters a page can be opened with, kept in the hash after `?` (e.g. `#/chart?symbol=AAPL&timeframe=1m&at=…`). */
type PageParams = Record<string, string>;

/** What the chart explorer is asked to show: one symbol and timeframe, optionally centred on an instant. */
export interface ChartTarget {
  symbol: string;
  timeframe?: string;
  /** ISO 8601 UTC instant to centre on (a finding, a query row) */
  at?: string;
  provider?: string;
  feed?: string;
}

function parseHash(hash: string): { page: PageId; params: PageParams } {
  const raw = hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const id = q >= 0 ? raw.slice(0, q) : raw;
  const params: PageParams = {};
  if (q >= 0) new URLSearchParams(raw.slice(q + 1)).forEach((v, k) => (params[k] = v));
  const page = PAGES.find((p) => p.id === id)?.id ?? DEFAULT_PAGE;
  return { page, params: page === id ? params : {} };
}

export function hashFor(page: PageId, params?: PageParams): string {
  const qs = params && Object.keys(params).length ? `?${new URLSearchParams(params).toString()}` : '';
  return `#/${page}${qs}`;
}

interface NavState {
  page: PageId;
  params: PageParams;
  go(page: PageId, params?: PageParams): void;
  /** Opens the chart explorer on a symbol (from the Universe page, a query result or a validation finding). */
  openChart(target: ChartTarget): void;
}

const initial = typeof window === 'undefined' ? { page: DEFAULT_PAGE, params: {} } : parseHash(window.location.hash);

/** The page (and its parameters) live in the location hash, so a reload and the back button keep them. */
export const useNav = create<NavState>()((set, get) => ({
  page: initial.page,
  params: initial.params,
  go: (page, params = {}) => {
    const h = hashFor(page, params);
    if (typeof window !== 'undefined' && window.location.hash !== h) window.location.hash = h;
    set({ page, params });
  },
  openChart: (t) => {
    const params: PageParams = { symbol: t.symbol };
    if (t.timeframe) params.timeframe = t.timeframe;
    if (t.at) params.at = t.at;
    if (t.provider) params.provider = t.provider;
    if (t.feed) params.feed = t.feed;
    get().go('chart', params);
  },
}));

export function followHash(): () => void {
  const onHashChange = (): void => useNav.setState(parseHash(window.location.hash));
  window.addEventListener('hashchange', onHashChange);
  return () => window.removeEventListener('hashchange', onHashChange);
}
