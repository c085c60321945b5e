import { PAGES, useNav, type PageId } from '../state/nav';
import { register } from './registry';
import { setShortcutsOpen } from './showShortcuts';

// "g" then a letter switches page (works in a browser, where Ctrl+1..7 belongs to the tabs), Ctrl/Cmd+1..7 too (the
// desktop app's View menu shows them).

const GO_LETTERS: Record<PageId, string> = { universe: 'u', ingest: 'i', query: 'q', chart: 'c', validation: 'v', metrics: 'm', settings: 's' };

/** The command id of "Go to <page>", as the desktop menu's View › page sends it. */
export const goToPageId = (page: string): string => `go.${page}`;

PAGES.forEach((p, i) =>
  register({
    id: goToPageId(p.id),
    label: `Go to ${p.label}`,
    keys: [`g ${GO_LETTERS[p.id]}`, `Ctrl+${i + 1}`],
    run: () => {
      setShortcutsOpen(false);
      useNav.getState().go(p.id);
    },
  }),
);
