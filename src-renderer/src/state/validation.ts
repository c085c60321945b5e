import { create } from 'zustand';
import type { RequestArgInput } from '../../../src-main/contract';
import { SYMBOL_RE } from '../../../src-main/contract/schemas';
import type { Ack, Finding, FindingsPage, FindingsSort, ValidationRunSummary } from '../../../src-main/contract/validation';
import type { ErrorValue } from '../../../src-main/shared/errors';
import { splitSymbols } from '../../../src-common/symbols';
import type { Client } from '../client';
import { saveBlob } from '../download';
import { findingsArg, findingsQuery, nextSort, NO_FILTERS, offsetForSize, PAGE_SIZE, symbolFilterError, type FindingFilters, type FindingsSortState } from './validationFindings';

// The Validation page's state, the logic behind it and its engine calls (module-level actions), kept out of the
// components so vitest covers the logic without a DOM.

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
  sort: FindingsSortState | null;
  pageSize: number;
  offset: number;
  page: FindingsPage | null;
  pageLoading: boolean;
  pageError: ErrorValue | null;
  form: RunForm;
  running: boolean;
  runError: ErrorValue | null;
  exportStatus: string | null;
  exportError: ErrorValue | null;
  /** the acknowledgement being written (its note), if any */
  ackDraft: AckDraft | null;
  ackBusy: boolean;
  ackError: ErrorValue | null;
  /** the last acknowledgement made or undone, with the way back */
  ackStatus: { message: string; undo: Ack | null } | null;
}

/** What an acknowledgement will cover: the finding of a row, or its rule for its symbol. */
export interface AckDraft {
  runId: string;
  finding: Finding;
  kind: 'finding' | 'rule';
  note: string;
}

export const useValidation = create<ValidationState>()(() => ({
  runs: [],
  runsLoaded: false,
  runsError: null,
  selected: null,
  filters: NO_FILTERS,
  sort: null,
  pageSize: PAGE_SIZE,
  offset: 0,
  page: null,
  pageLoading: false,
  pageError: null,
  form: { symbols: '', start: '', end: '', sources: '' },
  running: false,
  runError: null,
  exportStatus: null,
  exportError: null,
  ackDraft: null,
  ackBusy: false,
  ackError: null,
  ackStatus: null,
}));

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
  const { selected, filters, sort, pageSize } = useValidation.getState();
  if (!selected) return;
  if (symbolFilterError(filters.symbol)) return;
  const seq = ++pageSeq;
  useValidation.setState({ pageLoading: true, offset });
  const r = await client.request('validation.findings', findingsArg(selected, filters, offset, pageSize, sort));
  if (seq !== pageSeq) return;
  // past the end (the last page's findings were acknowledged, or the page size grew): the last page instead
  if (r.ok && r.value.rows.length === 0 && r.value.total > 0 && offset > 0) return loadPage(client, offsetForSize(r.value.total - 1, pageSize));
  if (r.ok) useValidation.setState({ page: r.value, pageLoading: false, pageError: null });
  else useValidation.setState({ page: null, pageLoading: false, pageError: r.error });
}

export async function selectRun(client: Client, runId: string): Promise<void> {
  useValidation.setState({ selected: runId, filters: NO_FILTERS, sort: null, page: null, pageError: null, exportStatus: null, exportError: null, ackDraft: null, ackStatus: null });
  await loadPage(client, 0);
}

export function setFilter(client: Client, patch: Partial<FindingFilters>): void {
  useValidation.setState((s) => ({ filters: { ...s.filters, ...patch } }));
  void loadPage(client, 0);
}

/** A column header's click: ascending, descending, then the report's order; back to the first page. */
export function sortBy(client: Client, column: FindingsSort): void {
  useValidation.setState((s) => ({ sort: nextSort(s.sort, column) }));
  void loadPage(client, 0);
}

export function setPageSize(client: Client, size: number): void {
  useValidation.setState({ pageSize: size });
  void loadPage(client, offsetForSize(useValidation.getState().offset, size));
}

// ---------- acknowledgements ----------

export function startAck(runId: string, finding: Finding): void {
  useValidation.setState({ ackDraft: { runId, finding, kind: 'finding', note: '' }, ackError: null });
}

export function editAck(patch: Partial<Pick<AckDraft, 'kind' | 'note'>>): void {
  useValidation.setState((s) => (s.ackDraft ? { ackDraft: { ...s.ackDraft, ...patch }, ackError: null } : {}));
}

export function cancelAck(): void {
  useValidation.setState({ ackDraft: null, ackError: null });
}

function ackLabel(a: Pick<Ack, 'kind' | 'symbol' | 'rule'>): string {
  return a.kind === 'rule' ? `every ${a.rule} finding of ${a.symbol}` : `this ${a.rule} finding of ${a.symbol}`;
}

export async function confirmAck(client: Client): Promise<void> {
  const d = useValidation.getState().ackDraft;
  if (!d) return;
  if (!d.note.trim()) return useValidation.setState({ ackError: { code: 'E_BAD_INPUT', message: 'Write a note: why is this acceptable?' } });
  useValidation.setState({ ackBusy: true, ackError: null });
  const arg: RequestArgInput<'validation.acknowledge'> =
    d.kind === 'rule' ? { kind: 'rule', symbol: d.finding.symbol, rule: d.finding.rule, note: d.note } : { kind: 'finding', runId: d.runId, seq: d.finding.seq, note: d.note };
  const r = await client.request('validation.acknowledge', arg);
  if (!r.ok) return useValidation.setState({ ackBusy: false, ackError: r.error });
  useValidation.setState({ ackBusy: false, ackDraft: null, ackStatus: { message: `Acknowledged ${ackLabel(r.value)}`, undo: r.value } });
  await loadPage(client, useValidation.getState().offset);
}

/** Undoes an acknowledgement (from the status after making it, or from an acknowledged row). */
export async function undoAck(client: Client, ack: Ack): Promise<void> {
  const r = await client.request('validation.unacknowledge', { id: ack.id });
  if (!r.ok) return useValidation.setState({ ackError: r.error });
  useValidation.setState({ ackStatus: { message: `Undone: ${ackLabel(ack)} is shown again`, undo: null }, ackError: null });
  await loadPage(client, useValidation.getState().offset);
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

/**
 * The findings the page's filters select (acknowledged ones with their note when shown), as CSV: desktop, the
 * engine writes it and the host opens a save dialog; web, it comes over the socket a piece at a time, then downloads.
 */
export async function exportFindings(client: Client, run: ValidationRunSummary): Promise<void> {
  const { filters, sort } = useValidation.getState();
  const filter = findingsQuery(filters, sort);
  useValidation.setState({ exportStatus: 'Exporting…', exportError: null });
  if (client.transport === 'ipc') {
    const r = await client.request('validation.export', { runId: run.id, filter });
    if (!r.ok) return useValidation.setState({ exportStatus: null, exportError: r.error });
    return useValidation.setState({ exportStatus: r.value.saved ? `Saved ${r.value.rows ?? 0} rows to ${r.value.path ?? ''}` : null });
  }
  const parts: string[] = [];
  let rows = 0;
  let fileName = run.reportName;
  for (;;) {
    const r = await client.request('validation.findingsCsv', { runId: run.id, ...filter, offset: rows });
    if (!r.ok) return useValidation.setState({ exportStatus: null, exportError: r.error });
    parts.push(r.value.csv);
    rows += r.value.rows;
    fileName = r.value.fileName;
    if (r.value.done || r.value.rows === 0) break;
  }
  saveBlob(fileName, new Blob(parts, { type: 'text/csv' }));
  useValidation.setState({ exportStatus: `Downloaded ${fileName} (${rows.toLocaleString('en-US')} rows)` });
}

/** The run's whole audit report as written (every finding, the columns other tools read). */
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
