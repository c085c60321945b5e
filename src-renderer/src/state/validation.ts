import { create } from 'zustand';
import type { RequestArgInput } from '../../../src-main/contract';
import { SYMBOL_RE } from '../../../src-main/contract/schemas';
import type { FindingsPage, ValidationRunSummary } from '../../../src-main/contract/validation';
import type { ErrorValue } from '../../../src-main/shared/errors';
import { splitSymbols } from '../../../src-common/symbols';
import type { Client } from '../client';
import { saveBlob } from '../download';

// The Validation page's state, the logic behind it and its engine calls (module-level actions), kept out of the
// components so vitest covers the logic without a DOM.

export const PAGE_SIZE = 100;

interface FindingFilters {
  symbol: string;
  rule: string;
  severity: string;
}

export const NO_FILTERS: FindingFilters = { symbol: '', rule: '', severity: '' };

export interface RunForm {
  symbols: string;
  start: string;
  end: string;
  /** reconcile only: two sources, `provider` or `provider:feed`, separated by a comma or a space */
  sources: string;
}

interface ValidationState {
  runs: ValidationRunSummary[];
  runsLoaded: boolean;
  runsError: ErrorValue | null;
  selected: string | null;
  filters: FindingFilters;
  offset: number;
  page: FindingsPage | null;
  pageLoading: boolean;
  pageError: ErrorValue | null;
  form: RunForm;
  running: boolean;
  runError: ErrorValue | null;
  exportStatus: string | null;
  exportError: ErrorValue | null;
}

export const useValidation = create<ValidationState>()(() => ({
  runs: [],
  runsLoaded: false,
  runsError: null,
  selected: null,
  filters: NO_FILTERS,
  offset: 0,
  page: null,
  pageLoading: false,
  pageError: null,
  form: { symbols: '', start: '', end: '', sources: '' },
  running: false,
  runError: null,
  exportStatus: null,
  exportError: null,
}));

/** The findings request for the current filters: empty filters are left out, the symbol is normalised. */
export function findingsArg(runId: string, f: FindingFilters, offset: number, limit = PAGE_SIZE): RequestArgInput<'validation.findings'> {
  const symbol = f.symbol.trim().toUpperCase();
  return {
    runId,
    offset,
    limit,
    ...(symbol ? { symbol } : {}),
    ...(f.rule ? { rule: f.rule } : {}),
    ...(f.severity === 'error' || f.severity === 'warning' || f.severity === 'info' ? { severity: f.severity } : {}),
  };
}

/** A symbol filter the engine would refuse is told on the spot instead of sent. */
export function symbolFilterError(raw: string): string | null {
  const s = raw.trim().toUpperCase();
  return s === '' || SYMBOL_RE.test(s) ? null : `"${raw.trim()}" is not a symbol`;
}

/** The scope of "Run validation" from the form: blank fields mean "everything". */
export function runArg(form: RunForm): { ok: true; arg: RequestArgInput<'validation.run'> } | { ok: false; message: string } {
  const symbols = splitSymbols(form.symbols);
  const bad = symbols.find((s) => !SYMBOL_RE.test(s));
  if (bad) return { ok: false, message: `"${bad}" is not a symbol` };
  if (form.start && form.end && form.start > form.end) return { ok: false, message: 'Start is after End' };
  return {
    ok: true,
    arg: { ...(symbols.length ? { symbols } : {}), ...(form.start ? { start: form.start } : {}), ...(form.end ? { end: form.end } : {}) },
  };
}

const SOURCE_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}(:[A-Za-z0-9][A-Za-z0-9_.-]{0,39})?$/;

/** The reconcile request from the form: two sources and a date range are needed. */
export function reconcileArg(form: RunForm): { ok: true; arg: RequestArgInput<'reconcile.run'> } | { ok: false; message: string } {
  const scope = runArg(form);
  if (!scope.ok) return scope;
  const sources = form.sources.split(/[\s,]+/).filter(Boolean);
  if (sources.length !== 2) return { ok: false, message: 'Sources: give two, e.g. alpaca:sip, polygon' };
  const bad = sources.find((s) => !SOURCE_RE.test(s));
  if (bad) return { ok: false, message: `"${bad}" is not a source (provider or provider:feed)` };
  if (!form.start || !form.end) return { ok: false, message: 'Reconciling needs Start and End' };
  return { ok: true, arg: { sources, start: form.start, end: form.end, ...(scope.arg.symbols ? { symbols: scope.arg.symbols } : {}) } };
}

/** "101–200 of 6,000" */
export function rangeLabel(page: FindingsPage | null, format: (n: number) => string = String): string {
  if (!page || page.total === 0) return '0 findings';
  const first = page.offset + 1;
  const last = page.offset + page.rows.length;
  return `${format(first)}–${format(last)} of ${format(page.total)}`;
}

export function canPage(page: FindingsPage | null, dir: -1 | 1, size = PAGE_SIZE): boolean {
  if (!page) return false;
  return dir < 0 ? page.offset > 0 : page.offset + size < page.total;
}

/** What the runs table shows as a run's scope. */
export function scopeText(r: ValidationRunSummary): string {
  const symbols = r.symbols === null ? 'all symbols' : r.symbols.length <= 4 ? r.symbols.join(', ') : `${r.symbols.slice(0, 4).join(', ')} +${r.symbols.length - 4}`;
  const range = r.start || r.end ? `${r.start ?? '…'} → ${r.end ?? '…'}` : 'all dates';
  return `${symbols} · ${range}${r.timeframe ? ` · ${r.timeframe}` : ''}`;
}

export function sourceText(r: ValidationRunSummary): string {
  if (r.kind === 'reconcile' && r.sources) return r.sources.join(' vs ');
  if (!r.provider) return '—';
  return r.feed ? `${r.provider} / ${r.feed}` : r.provider;
}

/** base64 chunks of a report back to bytes (a chunk may end inside a UTF-8 character: decode only the whole). */
export function bytesOfChunks(chunks: string[]): Uint8Array {
  const parts = chunks.map((c) => {
    const bin = atob(c);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  });
  const total = parts.reduce((n, p) => n + p.length, 0);
  const all = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.length;
  }
  return all;
}

/** A newly completed run goes to the top; the list stays newest first and without duplicates. */
export function mergeRuns(current: ValidationRunSummary[], fresh: ValidationRunSummary[]): ValidationRunSummary[] {
  const byId = new Map(current.map((r) => [r.id, r]));
  for (const r of fresh) byId.set(r.id, r);
  return [...byId.values()].sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1));
}

// ---------- actions: the engine calls, writing the store ----------

/** The run form's fields; editing one clears the last refusal. */
export function setRunForm(patch: Partial<RunForm>): void {
  useValidation.setState((s) => ({ form: { ...s.form, ...patch }, runError: null }));
}

// Every findings request carries a number; an answer that is not the latest (filters changed meanwhile) is dropped.
let pageSeq = 0;

async function refreshRuns(client: Client): Promise<void> {
  const r = await client.request('validation.runs', { limit: 200 });
  if (!r.ok) return useValidation.setState({ runsError: r.error, runsLoaded: true });
  const s = useValidation.getState();
  useValidation.setState({ runs: mergeRuns([], r.value), runsLoaded: true, runsError: null });
  // The first visit opens the newest run: the page is never blank when there is something to show.
  if (s.selected === null && r.value[0]) void selectRun(client, r.value[0].id);
}

/** Shows the findings of the selected run from `offset`, with the current filters. */
export async function loadPage(client: Client, offset: number): Promise<void> {
  const { selected, filters } = useValidation.getState();
  if (!selected) return;
  if (symbolFilterError(filters.symbol)) return;
  const seq = ++pageSeq;
  useValidation.setState({ pageLoading: true, offset });
  const r = await client.request('validation.findings', findingsArg(selected, filters, offset));
  if (seq !== pageSeq) return;
  if (r.ok) useValidation.setState({ page: r.value, pageLoading: false, pageError: null });
  else useValidation.setState({ page: null, pageLoading: false, pageError: r.error });
}

export async function selectRun(client: Client, runId: string): Promise<void> {
  useValidation.setState({ selected: runId, filters: NO_FILTERS, page: null, pageError: null, exportStatus: null, exportError: null });
  await loadPage(client, 0);
}

export function setFilter(client: Client, patch: Partial<FindingFilters>): void {
  useValidation.setState((s) => ({ filters: { ...s.filters, ...patch } }));
  void loadPage(client, 0);
}

export async function runNow(client: Client): Promise<void> {
  const parsed = runArg(useValidation.getState().form);
  if (!parsed.ok) return useValidation.setState({ runError: { code: 'E_BAD_INPUT', message: parsed.message } });
  useValidation.setState({ running: true, runError: null });
  const r = await client.request('validation.run', parsed.arg);
  if (!r.ok) return useValidation.setState({ running: false, runError: r.error });
  useValidation.setState((s) => ({ running: false, runs: mergeRuns(s.runs, [r.value]) }));
  await selectRun(client, r.value.id);
}

export async function reconcileNow(client: Client): Promise<void> {
  const parsed = reconcileArg(useValidation.getState().form);
  if (!parsed.ok) return useValidation.setState({ runError: { code: 'E_BAD_INPUT', message: parsed.message } });
  useValidation.setState({ running: true, runError: null });
  const r = await client.request('reconcile.run', parsed.arg);
  if (!r.ok) return useValidation.setState({ running: false, runError: r.error });
  useValidation.setState((s) => ({ running: false, runs: mergeRuns(s.runs, [r.value]) }));
  await selectRun(client, r.value.id);
}

/** Desktop: the engine's host opens a save dialog. Web: the report comes over the socket in chunks, then downloads. */
export async function exportReport(client: Client, run: ValidationRunSummary): Promise<void> {
  useValidation.setState({ exportStatus: 'Exporting…', exportError: null });
  if (client.transport === 'ipc') {
    const r = await client.request('validation.export', { runId: run.id });
    if (!r.ok) return useValidation.setState({ exportStatus: null, exportError: r.error });
    return useValidation.setState({ exportStatus: r.value.saved ? `Saved to ${r.value.path ?? ''}` : null });
  }
  const chunks: string[] = [];
  let offset = 0;
  let fileName = run.reportName;
  for (;;) {
    const r = await client.request('validation.report', { runId: run.id, offset });
    if (!r.ok) return useValidation.setState({ exportStatus: null, exportError: r.error });
    chunks.push(r.value.data);
    fileName = r.value.fileName;
    offset += atob(r.value.data).length;
    if (r.value.done) break;
  }
  saveBlob(fileName, new Blob([bytesOfChunks(chunks) as BlobPart], { type: 'text/csv' }));
  useValidation.setState({ exportStatus: `Downloaded ${fileName}` });
}

/** The runs now and whenever one completes (from this page, the CLI in this process, or the ingest pipeline) or the connection opens again; returns the unsubscribe. */
export function followValidation(client: Client): () => void {
  void refreshRuns(client);
  const offs = [
    client.on('validation.completed', () => void refreshRuns(client)),
    client.onStatus((s) => {
      if (s === 'open') void refreshRuns(client);
    }),
  ];
  return () => offs.forEach((off) => off());
}
