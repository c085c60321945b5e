import { create } from 'zustand';
import type { Job } from '../../../src-main/contract/schemas';
import { formatInt, shortJobId } from '../format';
import { TERMINAL } from './jobs';
import { errorText } from '../errorWords';

// Short-lived notices, for now one per finished job (from `jobs.updated`, whichever page is open).

type ToastKind = 'ok' | 'error' | 'info';
export interface Toast {
  id: string;
  kind: ToastKind;
  title: string;
  message: string;
  /** one action offered with the notice (Undo) */
  action?: { label: string; run: () => void };
}

const MAX_TOASTS = 5;
/** long enough to read a line; hovering or focusing a toast keeps it (see Toasts.tsx) */
export const TOAST_MS = 8000;

export function jobToast(job: Job): Toast | null {
  if (!TERMINAL.has(job.status)) return null;
  const what = `${job.symbols.length <= 3 ? job.symbols.join(', ') : `${job.symbols.length} symbols`} from ${job.provider}`;
  const rows = `${formatInt(job.rowsWritten)} ${job.rowsWritten === 1 ? 'row' : 'rows'}`;
  // the first 8 characters tell jobs apart on screen, as in the jobs table
  const base = { id: `job:${job.id}:${job.status}`, title: `Job ${shortJobId(job.id)} ${job.status}` };
  if (job.status === 'succeeded') return { ...base, kind: 'ok', message: `${what}: ${rows} written.` };
  if (job.status === 'cancelled') return { ...base, kind: 'info', message: `${what}: ${rows} written before it stopped. Resume it from the Ingest page.` };
  return { ...base, kind: 'error', message: `${what}: ${job.error ? errorText(job.error) : 'failed'} (${rows} written). Open the job on the Ingest page to resume it.` };
}

interface ToastState {
  toasts: Toast[];
  push(t: Toast): void;
  dismiss(id: string): void;
}

export const useToasts = create<ToastState>()((set) => ({
  toasts: [],
  // the same notice twice (an event seen again after a reconnect) is shown once
  push: (t) => set((s) => (s.toasts.some((x) => x.id === t.id) ? s : { toasts: [...s.toasts, t].slice(-MAX_TOASTS) })),
  dismiss: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
}));

export function notifyJob(job: Job): void {
  const t = jobToast(job);
  if (t) useToasts.getState().push(t);
}
