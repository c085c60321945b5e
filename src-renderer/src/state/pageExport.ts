import { useEffect, useRef } from 'react';
import { create } from 'zustand';

// The open page's export, for the desktop menu's File › Export… (CmdOrCtrl+E): each page that can export registers
// what its own export button does, while it can; the menu runs that, or says where exports live.

export interface PageExport {
  /** what the page's button says, e.g. "Export CSV" */
  label: string;
  run: () => void;
}

interface PageExportState {
  current: (PageExport & { owner: object }) | null;
}

export const usePageExportStore = create<PageExportState>()(() => ({ current: null }));

/** Makes `run` the current export for `owner`; the returned function withdraws it (unless another took its place). */
export function registerPageExport(owner: object, label: string, run: () => void): () => void {
  usePageExportStore.setState({ current: { owner, label, run } });
  return () => {
    if (usePageExportStore.getState().current?.owner === owner) usePageExportStore.setState({ current: null });
  };
}

/** Runs the current page's export; false when there is none (the menu then says where exports live). */
export function runPageExport(): boolean {
  const current = usePageExportStore.getState().current;
  if (!current) return false;
  current.run();
  return true;
}

/** Registers the page's export while mounted; `run` null while there is nothing to export (no result yet, …). */
export function usePageExport(label: string, run: (() => void) | null): void {
  const owner = useRef({}).current;
  // the latest callback, without registering again on every render
  const latest = useRef(run);
  latest.current = run;
  const enabled = run !== null;
  useEffect(() => (enabled ? registerPageExport(owner, label, () => latest.current?.()) : undefined), [owner, label, enabled]);
}
