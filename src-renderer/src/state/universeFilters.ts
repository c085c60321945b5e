import { create } from 'zustand';
import type { Universe } from '../../../src-main/contract/schemas';
import type { SymbolRow } from './universe';

// Filters of the Universe page: universes by tag, exchange and asset class; a universe's symbols by whether the lake
// holds data for them and how fresh it is (`behindSessions` of universe.coverage).

export type DataFilter = 'all' | 'with-data' | 'no-data' | 'up-to-date' | 'behind';
export const DATA_FILTERS: { id: DataFilter; label: string }[] = [
  { id: 'all', label: 'All symbols' },
  { id: 'with-data', label: 'With data' },
  { id: 'no-data', label: 'No data' },
  { id: 'up-to-date', label: 'Up to date' },
  { id: 'behind', label: 'Behind' },
];

interface Facets {
  tag: string;
  exchange: string;
  assetClass: string;
}
const NO_FACETS: Facets = { tag: '', exchange: '', assetClass: '' };

interface FilterState {
  facets: Facets;
  data: DataFilter;
  /** for `behind`: at least this many sessions behind */
  minBehind: number;
  set(p: Partial<Omit<FilterState, 'set'>>): void;
}

export const useUniverseFilters = create<FilterState>()((set) => ({
  facets: NO_FACETS,
  data: 'all',
  minBehind: 1,
  set: (p) => set(p),
}));

/** The values present, for the filters' choices. */
export function facetValues(list: Universe[]): { tags: string[]; exchanges: string[]; assetClasses: string[] } {
  const sorted = (xs: (string | null)[]) => [...new Set(xs.filter((x): x is string => !!x))].sort((a, b) => a.localeCompare(b));
  return { tags: sorted(list.flatMap((u) => u.tags)), exchanges: sorted(list.map((u) => u.exchange)), assetClasses: sorted(list.map((u) => u.assetClass)) };
}

export function filterByFacets(list: Universe[], f: Facets): Universe[] {
  return list.filter(
    (u) => (!f.tag || u.tags.includes(f.tag)) && (!f.exchange || u.exchange === f.exchange) && (!f.assetClass || u.assetClass === f.assetClass),
  );
}

/** Rows whose coverage is unknown yet pass only `all`: nothing is claimed before coverage is loaded. */
export function filterRowsByData(rows: SymbolRow[], data: DataFilter, minBehind = 1): SymbolRow[] {
  if (data === 'all') return rows;
  return rows.filter((r) => {
    const has = r.coverage !== null && r.coverage.sessions > 0;
    switch (data) {
      case 'with-data':
        return has;
      case 'no-data':
        return r.coverage !== null && !has;
      case 'up-to-date':
        return has && r.coverage!.behindSessions === 0;
      case 'behind':
        return has && r.coverage!.behindSessions >= Math.max(1, minBehind);
    }
  });
}
