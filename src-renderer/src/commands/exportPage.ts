import { useEffect, useRef } from 'react';
import { useToasts } from '../state/toasts';
import { register } from './registry';

// File › Export… (CmdOrCtrl+E in the desktop menu): the open page's export. Each page that can export binds what its
// own export button does, while it can; the command runs that, or says where exports live.

interface PageExport {
  /** what the page's button says, e.g. "Export CSV" */
  label: string;
  run: () => void;
  owner: object;
}

let current: PageExport | null = null;

/** Makes `run` the open page's export for `owner`; the returned function withdraws it (unless another took its place). */
export function registerPageExport(owner: object, label: string, run: () => void): () => void {
  current = { owner, label, run };
  return () => {
    if (current?.owner === owner) current = null;
  };
}

/** Runs the open page's export; false when there is none. */
export function runPageExport(): boolean {
  if (!current) return false;
  current.run();
  return true;
}

/** Binds the page's export while mounted; `run` null while there is nothing to export (no result yet, …). */
export function usePageExport(label: string, run: (() => void) | null): void {
  const owner = useRef({}).current;
  // the latest callback, without binding again on every render
  const latest = useRef(run);
  latest.current = run;
  const enabled = run !== null;
  useEffect(() => (enabled ? registerPageExport(owner, label, () => latest.current?.()) : undefined), [owner, label, enabled]);
}

// No keys of its own in the app (Ctrl+E stays the browser's): the desktop menu runs it.
register({
  id: 'page.export',
  label: 'Export what the page shows',
  keys: [],
  run: () => {
    if (runPageExport()) return;
    useToasts.getState().push({
      id: `export:${Date.now()}`,
      kind: 'info',
      title: 'Nothing to export here',
      message: 'Exports live on the Query page (a result), the Validation page (a report) and the Universe page (a symbol list).',
    });
  },
});
