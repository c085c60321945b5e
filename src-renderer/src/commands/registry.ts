// One registry of the app's commands, as excalidraw registers its actions: each command is registered once, in a file
// of its own, with an id, the label the shortcut list shows, its keys and what it does. The key handler, the
// shortcut list (? / Ctrl+/) and the desktop menu's commands (File › Export…, View › page) all read it.

export interface Command {
  /** unique: 'app.shortcuts', 'go.query', 'page.export' */
  id: string;
  /** what the shortcut list says it does */
  label: string;
  /**
   * The keys, as the shortcut list shows them: a key ('?'), Ctrl/Cmd with a key ('Ctrl+/'), or "g" then a letter
   * ('g q'). None: reached from the menu only, and not listed.
   */
  keys: string[];
  /**
   * What it does. Absent for keys a focused component handles itself (the SQL editor's Ctrl+Enter, the result
   * grid's arrows): those are listed, never matched by the global key handler.
   */
  run?: () => void;
}

/** the key that starts a two-key chord ("g" then a page letter) */
const CHORD_KEY = 'g';
/** how long after "g" the second key counts */
export const CHORD_MS = 1500;

const registry = new Map<string, Command>();

/** Registers a command; a second command with the same id is a programming error. */
export function register(command: Command): Command {
  if (registry.has(command.id)) throw new Error(`command "${command.id}" is registered twice`);
  // keys that are matched (the command runs) must be ones `matches` understands
  for (const k of command.run ? command.keys : []) {
    const parts = k.split(' ');
    if (parts.length > 2 || (parts.length === 2 && parts[0] !== CHORD_KEY)) throw new Error(`command "${command.id}": a chord starts with "${CHORD_KEY}", got "${k}"`);
  }
  registry.set(command.id, command);
  return command;
}

/** Every command, in the order registered (the shortcut list's order). */
export function commands(): Command[] {
  return [...registry.values()];
}

/** Runs a command by id; false when there is no such command, or it has nothing to run. */
export function runCommand(id: string): boolean {
  const run = registry.get(id)?.run;
  if (!run) return false;
  run();
  return true;
}

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

type KeyOutcome = { type: 'run'; command: Command } | { type: 'chord' } | null;

/** Typing in a field (inputs, selects, text areas, CodeMirror and any contenteditable) never triggers a shortcut. */
function isTyping(target: KeyLike['target']): boolean {
  if (!target) return false;
  const tag = (target.tagName ?? '').toUpperCase();
  if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (target.isContentEditable) return true;
  return Boolean(target.closest?.('.cm-editor, [contenteditable=""], [contenteditable="true"]'));
}

/** Whether a key press is `spec` ('?', 'Ctrl+/', 'g q'), given when "g" was last pressed (or null). Ctrl is Ctrl or Cmd. */
function matches(spec: string, e: KeyLike, chordAt: number | null): boolean {
  const mod = e.ctrlKey || e.metaKey;
  if (e.altKey) return false;
  const [first, second] = spec.split(' ');
  if (second !== undefined) return !mod && chordAt !== null && e.timeStamp - chordAt <= CHORD_MS && e.key.toLowerCase() === second;
  if (first!.startsWith('Ctrl+')) return mod && e.key === first!.slice('Ctrl+'.length);
  return !mod && e.key === first;
}

/** What a key press means: a command to run, the start of a chord, or nothing. */
export function commandForKey(e: KeyLike, chordAt: number | null, list: Command[] = commands()): KeyOutcome {
  if (isTyping(e.target)) return null;
  for (const command of list) {
    if (!command.run) continue;
    if (command.keys.some((k) => matches(k, e, chordAt))) return { type: 'run', command };
  }
  if (!e.ctrlKey && !e.metaKey && !e.altKey && e.key === CHORD_KEY) return { type: 'chord' };
  return null;
}
