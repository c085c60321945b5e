import { create } from 'zustand';

export const PAGES = [
  { id: 'universe', label: 'Universe' },
  { id: 'ingest', label: 'Ingest' },
  { id: 'query', label: 'Query' },
  { id: 'validation', label: 'Validation' },
  { id: 'metrics', label: 'Metrics' },
  { id: 'settings', label: 'Settings' },
] as const;
export type PageId = (typeof PAGES)[number]['id'];
export const DEFAULT_PAGE: PageId = 'ingest';

export function pageFromHash(hash: string): PageId {
  const id = hash.replace(/^#\/?/, '');
  return PAGES.find((p) => p.id === id)?.id ?? DEFAULT_PAGE;
}

export function hashFor(page: PageId): string {
  return `#/${page}`;
}

interface NavState {
  page: PageId;
  go(page: PageId): void;
}

/** The page lives in the location hash, so a reload (and the back button) keeps it. */
export const useNav = create<NavState>()((set) => ({
  page: typeof window === 'undefined' ? DEFAULT_PAGE : pageFromHash(window.location.hash),
  go: (page) => {
    if (typeof window !== 'undefined' && window.location.hash !== hashFor(page)) window.location.hash = hashFor(page);
    set({ page });
  },
}));

export function followHash(): () => void {
  const onHashChange = (): void => useNav.setState({ page: pageFromHash(window.location.hash) });
  window.addEventListener('hashchange', onHashChange);
  return () => window.removeEventListener('hashchange', onHashChange);
}
