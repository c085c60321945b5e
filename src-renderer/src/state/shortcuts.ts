import { create } from 'zustand';
import { PAGES, type PageId } from './nav';

// Keyboard shortcuts: "g" then a letter switches page (works in a browser, where Ctrl+1..7 belongs to the tabs),
// Ctrl/Cmd+1..7 too (the desktop app's View menu shows them), "?" or Ctrl+/ lists them. None fires while typing.

export const GO_KEYS: Record<string, PageId> = { u: 'universe', i: 'ingest', q: 'query', c: 'chart', v: 'validation', m: 'metrics', s: 'settings' };
/** how long after "g" the page letter counts */
export const CHORD_MS = 1500;

export interface ShortcutInfo {
  keys: string[];
  what: string;
}

export const SHORTCUTS: ShortcutInfo[] = [
  { keys: ['?', 'Ctrl+/'], what: 'Show this list of keyboard shortcuts' },
  ...PAGES.map((p, i) => ({
    keys: [`g ${Object.entries(GO_KEYS).find(([, id]) => id === p.id)?.[0] ?? ''}`, `Ctrl+${i + 1}`],
    what: `Go to ${p.label}`,
  })),
  { keys: ['Ctrl+Enter'], what: 'Query: run the SQL in the editor' },
  { keys: ['Arrows', 'PageUp / PageDown'], what: 'Query results: move the selected cell' },
  { keys: ['Ctrl+Home', 'Ctrl+End'], what: 'Query results: first / last row' },
  { keys: ['Ctrl+C'], what: 'Query results: copy the selected cell' },
  { keys: ['Esc'], what: 'Close a dialog' },
];

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  /** the focused element: its tag, whether it is editable (contenteditable, CodeMirror) */
  target: { tagName?: string; isContentEditable?: boolean; closest?: (sel: string) => unknown } | null;
  /** ms, from the event */
  timeStamp: number;
}

export type ShortcutAction = { type: 'help' } | { type: 'go'; page: PageId } | { type: 'chord' } | null;

/** Typing in a field (inputs, selects, text areas, CodeMirror and any contenteditable) never triggers a shortcut. */
export function isTyping(target: KeyLike['target']): boolean {
  if (!target) return false;
  const tag = (target.tagName ?? '').toUpperCase();
  if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (target.isContentEditable) return true;
  return Boolean(target.closest?.('.cm-editor, [contenteditable=""], [contenteditable="true"]'));
}

/** What a key press means, given when "g" was last pressed (or null). */
export function shortcutFor(e: KeyLike, chordAt: number | null): ShortcutAction {
  if (isTyping(e.target)) return null;
  const mod = e.ctrlKey || e.metaKey;
  if (mod && !e.altKey && e.key === '/') return { type: 'help' };
  if (mod && !e.altKey && /^[1-7]$/.test(e.key)) return { type: 'go', page: PAGES[Number(e.key) - 1]!.id };
  if (mod || e.altKey) return null;
  if (e.key === '?') return { type: 'help' };
  if (chordAt !== null && e.timeStamp - chordAt <= CHORD_MS) {
    const page = GO_KEYS[e.key.toLowerCase()];
    if (page) return { type: 'go', page };
  }
  if (e.key === 'g') return { type: 'chord' };
  return null;
}

export const useShortcutsDialog = create<{ open: boolean; setOpen(open: boolean): void }>()((set) => ({
  open: false,
  setOpen: (open) => set({ open }),
}));
