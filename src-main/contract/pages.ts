// The app's pages, in navigation order: the renderer's navigation and the desktop menu (with its accelerators) both
// read this list, so they cannot drift apart.
export const PAGES = [
  { id: 'universe', label: 'Universe' },
  { id: 'ingest', label: 'Ingest' },
  { id: 'query', label: 'Query' },
  { id: 'chart', label: 'Chart' },
  { id: 'validation', label: 'Validation' },
  { id: 'metrics', label: 'Metrics' },
  { id: 'settings', label: 'Settings' },
] as const;
export type PageId = (typeof PAGES)[number]['id'];
