import { create } from 'zustand';
import type { IngestArgInput, SymbolCoverage, Universe } from '../../../src-main/contract/schemas';
import type { RequestResult } from '../../../src-main/contract';
import type { ErrorValue } from '../../../src-main/shared/errors';
import type { Client } from '../client';
import { saveBlob } from '../download';
import { TERMINAL } from './jobs';
import { useToasts } from './toasts';
import { errorText } from '../errorWords';
import { formatInt, localDate, plural } from '../format';

const DEMO_UNIVERSE = { name: 'Demo', symbols: ['AAPL', 'MSFT', 'SPY'] } as const;
/** The demo ingests about the last five trading days: ten calendar days back covers them, weekends and a holiday included. */
const DEMO_DAYS_BACK = 10;
/** Where "Ingest missing days" starts symbols that have no data yet, unless the user says otherwise. */
const DEFAULT_FROM_DAYS_BACK = 30;

interface UniverseState {
  list: Universe[] | null;
  listError: ErrorValue | null;
  /** the universe shown on the right; kept across page visits */
  selected: string | null;
  /** coverage of `coverageOf`, by symbol; null while not loaded */
  coverage: SymbolCoverage[] | null;
  coverageOf: string | null;
  coverageError: ErrorValue | null;
  /** the last job "Ingest missing days" (or the demo) started, to follow it here */
  lastJob: { universe: string; jobId: string } | null;
  select(name: string | null): void;
}

export const useUniverses = create<UniverseState>()((set) => ({
  list: null,
  listError: null,
  selected: null,
  coverage: null,
  coverageOf: null,
  coverageError: null,
  lastJob: null,
  select: (name) => set((s) => (s.selected === name ? s : { selected: name, coverage: null, coverageOf: null, coverageError: null })),
}));

/** Case-insensitive, over name and tags. */
export function filterUniverses(list: Universe[], query: string): Universe[] {
  const q = query.trim().toLowerCase();
  if (!q) return list;
  return list.filter((u) => u.name.toLowerCase().includes(q) || u.tags.some((t) => t.toLowerCase().includes(q)));
}

/** Comma separated, trimmed, without empties or duplicates (case-insensitively), in the order given. */
export function parseTags(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of text.split(',')) {
    const t = raw.trim();
    if (!t || seen.has(t.toLowerCase())) continue;
    seen.add(t.toLowerCase());
    out.push(t);
  }
  return out;
}

/** One table row per member symbol, with its coverage when known (null: not loaded, or the engine has none). */
export interface SymbolRow {
  symbol: string;
  coverage: SymbolCoverage | null;
}

export function symbolRows(universe: Universe, coverage: SymbolCoverage[] | null, query: string): SymbolRow[] {
  const bySymbol = new Map((coverage ?? []).map((c) => [c.symbol, c]));
  const q = query.trim().toUpperCase();
  return universe.symbols.filter((s) => !q || s.toUpperCase().includes(q)).map((symbol) => ({ symbol, coverage: bySymbol.get(symbol) ?? null }));
}

interface CoverageSummary {
  symbols: number;
  withData: number;
  missing: number;
  /** the most sessions any symbol with data is behind */
  behind: number;
}

export function summarize(universe: Universe, coverage: SymbolCoverage[] | null): CoverageSummary {
  const rows = coverage ?? [];
  const withData = rows.filter((c) => c.sessions > 0);
  return {
    symbols: universe.symbols.length,
    withData: withData.length,
    missing: withData.reduce((n, c) => n + c.missingSessions, 0),
    behind: withData.reduce((n, c) => Math.max(n, c.behindSessions), 0),
  };
}

/**
 * The coverage summary in words: "up to date" only when every symbol has data and none lacks or is behind a session
 * (a universe where 8 of 10 symbols have no data says so first).
 */
export function coverageWords(s: CoverageSummary): string[] {
  const words = [`${formatInt(s.withData)} with data`];
  const without = s.symbols - s.withData;
  if (without > 0) words.push(`${formatInt(without)} of ${plural(s.symbols, 'symbol')} ${without === 1 ? 'has' : 'have'} no data`);
  if (s.withData === 0) return words;
  if (s.missing > 0) words.push(`${plural(s.missing, 'session')} missing`);
  if (s.behind > 0) words.push(`up to ${plural(s.behind, 'session')} behind`);
  if (without === 0 && s.missing === 0 && s.behind === 0) words.push('up to date');
  return words;
}

/**
 * Every member symbol has data (from `provider`, when given): an update can start each one where it stops, no start
 * date is needed. Coverage names one source per symbol, so data from another provider counts as none: the engine
 * would refuse an update without a start for a symbol that provider never served.
 */
export function everySymbolHasData(universe: Universe, coverage: SymbolCoverage[], provider?: string): boolean {
  const has = new Set(coverage.filter((c) => c.sessions > 0 && (!provider || c.provider === provider)).map((c) => c.symbol));
  return universe.symbols.every((s) => has.has(s));
}

/**
 * The `ingest.start` of "Ingest missing days". The engine skips sessions already held (incremental), so:
 * every symbol has data -> update without a start (each one from where it stops, through the last closed session);
 * otherwise -> update from `from` (symbols with data only fetch what they lack in that range).
 */
export function missingDaysArg(universe: Universe, coverage: SymbolCoverage[], provider: string, from: string): IngestArgInput {
  const arg: IngestArgInput = { provider, universe: universe.name, update: true };
  if (!everySymbolHasData(universe, coverage, provider)) arg.start = from;
  return arg;
}

export function defaultFrom(now: Date = new Date()): string {
  return localDate(DEFAULT_FROM_DAYS_BACK, now);
}

/** After a delete: the next universe in the list (or the previous one at the end), or none. */
export function nextSelection(list: Universe[], deleted: string): string | null {
  const i = list.findIndex((u) => u.name === deleted);
  const rest = list.filter((u) => u.name !== deleted);
  if (rest.length === 0) return null;
  return (rest[Math.min(Math.max(i, 0), rest.length - 1)] ?? rest[0]!).name;
}

/** Puts a changed universe into the list (replacing `previousName` when it was renamed), sorted by name. */
export function upsertUniverse(list: Universe[] | null, u: Universe, previousName: string = u.name): Universe[] {
  const rest = (list ?? []).filter((x) => x.name !== previousName && x.name !== u.name);
  return [...rest, u].sort((a, b) => a.name.localeCompare(b.name));
}

// ---------- engine calls (each updates the store and returns the error, if any, for the form that asked) ----------

/** What a form shows after an action: a note on success, the engine's error otherwise. */
export type Outcome = { ok: true; note: string } | { ok: false; error: ErrorValue };
const refused = (error: ErrorValue): Outcome => ({ ok: false, error });

/** The list on arrival and after every (re)connection; the selected universe's coverage again when a job finishes. Returns the unsubscribe. */
export function followUniverses(client: Client): () => void {
  const offStatus = client.onStatus((status) => {
    if (status === 'open') {
      void loadUniverses(client);
      const name = useUniverses.getState().selected;
      if (name) void loadCoverage(client, name);
    }
  });
  const offJob = client.on('jobs.updated', (job) => {
    const name = useUniverses.getState().selected;
    if (name && TERMINAL.has(job.status)) void loadCoverage(client, name);
  });
  return () => {
    offStatus();
    offJob();
  };
}

export async function loadUniverses(client: Client): Promise<void> {
  const r = await client.request('universe.list', {});
  if (!r.ok) {
    useUniverses.setState({ listError: r.error });
    return;
  }
  const list = [...r.value].sort((a, b) => a.name.localeCompare(b.name));
  const { selected } = useUniverses.getState();
  useUniverses.setState({ list, listError: null });
  if (!selected || !list.some((u) => u.name === selected)) useUniverses.getState().select(list[0]?.name ?? null);
}

export async function loadCoverage(client: Client, name: string): Promise<void> {
  const r = await client.request('universe.coverage', { name });
  // the selection may have moved on while we waited
  if (useUniverses.getState().selected !== name) return;
  if (r.ok) useUniverses.setState({ coverage: r.value, coverageOf: name, coverageError: null });
  else useUniverses.setState({ coverageError: r.error });
}

/** Applies a universe the engine returned; its coverage is fetched again when its members changed. */
export function applyUniverse(client: Client, u: Universe, previousName: string = u.name, membersChanged = false): void {
  const s = useUniverses.getState();
  useUniverses.setState({ list: upsertUniverse(s.list, u, previousName) });
  if (s.selected === previousName && previousName !== u.name) {
    // a rename: the coverage is the same, under the new name
    useUniverses.setState({ selected: u.name, coverageOf: s.coverageOf === previousName ? u.name : s.coverageOf });
  }
  if (membersChanged && useUniverses.getState().selected === u.name) void loadCoverage(client, u.name);
}

export async function createUniverse(client: Client, name: string, symbols: string[] = []): Promise<ErrorValue | null> {
  const r = await client.request('universe.create', { name, symbols });
  if (!r.ok) return r.error;
  applyUniverse(client, r.value);
  useUniverses.getState().select(r.value.name);
  void loadCoverage(client, r.value.name);
  return null;
}

export async function deleteUniverse(client: Client, name: string): Promise<ErrorValue | null> {
  const r = await client.request('universe.delete', { name });
  if (!r.ok) return r.error;
  const list = useUniverses.getState().list ?? [];
  const next = nextSelection(list, name);
  useUniverses.setState({ list: list.filter((u) => u.name !== name) });
  useUniverses.getState().select(next);
  return null;
}

/** Creates the Demo universe and ingests its last few trading days from the fake provider. */
export async function createDemo(client: Client, now: Date = new Date()): Promise<ErrorValue | null> {
  let created = await client.request('universe.create', { name: DEMO_UNIVERSE.name, symbols: [...DEMO_UNIVERSE.symbols] });
  // asked again from an empty lake (the demo universe exists, its data does not): ingest the one we have
  if (!created.ok && created.error.code === 'E_CONFLICT') created = await client.request('universe.get', { name: DEMO_UNIVERSE.name });
  if (!created.ok) return created.error;
  applyUniverse(client, created.value);
  useUniverses.getState().select(created.value.name);
  void loadCoverage(client, created.value.name);
  const started = await client.request('ingest.start', { provider: 'fake', universe: created.value.name, update: true, start: localDate(DEMO_DAYS_BACK, now) });
  if (!started.ok) return started.error;
  useUniverses.setState({ lastJob: { universe: created.value.name, jobId: started.value.jobId } });
  return null;
}

/** Reads a dropped or chosen file; only .csv (or text/csv) files are taken. */
export function isCsvFile(file: { name: string; type: string }): boolean {
  return /\.csv$/i.test(file.name) || file.type === 'text/csv';
}

/** A universe name for a file imported while none is selected: its base name. */
export function nameFromFile(fileName: string): string {
  return fileName.replace(/\.csv$/i, '').trim().slice(0, 64) || 'Imported';
}

export interface ImportOutcome {
  universe: string;
  file: string;
  imported: number;
  rejected: { line: number; value: string; reason: string }[];
}

/** Imports a .csv file of symbols into the selected universe (or a new one named after the file) and selects it. */
export async function importCsv(client: Client, file: File): Promise<{ ok: true; value: ImportOutcome } | { ok: false; error: ErrorValue }> {
  if (!isCsvFile(file)) return { ok: false, error: { code: 'E_BAD_INPUT', message: `${file.name} is not a .csv file` } };
  const name = useUniverses.getState().selected ?? nameFromFile(file.name);
  try {
    const csv = await file.text();
    const r = await client.request('universe.import', { name, csv });
    if (!r.ok) return r;
    applyUniverse(client, r.value.universe, r.value.universe.name, true);
    useUniverses.getState().select(r.value.universe.name);
    return { ok: true, value: { universe: r.value.universe.name, file: file.name, imported: r.value.imported, rejected: r.value.rejected } };
  } catch (e) {
    return { ok: false, error: { code: 'E_BAD_INPUT', message: `${file.name} could not be read: ${e instanceof Error ? e.message : String(e)}` } };
  }
}

export async function addSymbols(client: Client, name: string, symbols: string[]): Promise<Outcome> {
  const r = await client.request('universe.add', { name, symbols });
  if (!r.ok) return refused(r.error);
  applyUniverse(client, r.value.universe, name, true);
  return { ok: true, note: r.value.added.length > 0 ? `Added ${r.value.added.join(', ')}.` : 'Already in the universe: nothing added.' };
}

/** Removes one symbol at once (one click, no dialog) and offers Undo in a notice: putting it back is as easy. */
export async function removeSymbol(client: Client, name: string, symbol: string): Promise<Outcome> {
  const r = await client.request('universe.remove', { name, symbols: [symbol] });
  if (!r.ok) return refused(r.error);
  applyUniverse(client, r.value.universe, name, true);
  const removed = r.value.removed.join(', ') || symbol;
  useToasts.getState().push({
    id: `universe-remove:${name}:${symbol}:${++removals}`,
    kind: 'info',
    title: `Removed ${removed} from ${name}`,
    message: '',
    action: { label: `Undo`, run: () => void undoRemove(client, name, r.value.removed.length ? r.value.removed : [symbol]) },
  });
  return { ok: true, note: `Removed ${removed}.` };
}
let removals = 0;

/** Undo of a removal: the symbols go back (an error, if any, says so in a notice). */
export async function undoRemove(client: Client, name: string, symbols: string[]): Promise<void> {
  const r = await client.request('universe.add', { name, symbols });
  if (!r.ok) {
    useToasts.getState().push({ id: `universe-undo:${name}:${++removals}`, kind: 'error', title: `${symbols.join(', ')} not put back`, message: errorText(r.error) });
    return;
  }
  applyUniverse(client, r.value.universe, name, true);
}

export async function renameUniverse(client: Client, name: string, to: string): Promise<Outcome> {
  const r = await client.request('universe.rename', { name, to });
  if (!r.ok) return refused(r.error);
  applyUniverse(client, r.value, name);
  return { ok: true, note: '' };
}

export async function saveTags(client: Client, name: string, tags: string[]): Promise<Outcome> {
  const r = await client.request('universe.update', { name, tags });
  if (!r.ok) return refused(r.error);
  applyUniverse(client, r.value);
  return { ok: true, note: 'Tags saved.' };
}

/** The universe's symbols as a CSV file, through the browser's download (Electron shows its save dialog). */
export async function exportUniverse(client: Client, name: string): Promise<Outcome> {
  const r = await client.request('universe.export', { name });
  if (!r.ok) return refused(r.error);
  saveBlob(r.value.filename, new Blob([r.value.csv], { type: 'text/csv;charset=utf-8' }));
  return { ok: true, note: `Exported ${r.value.filename}.` };
}

/** "Ingest missing days": starts the job and remembers it, to follow it on the page. */
export async function ingestMissing(client: Client, universe: Universe, coverage: SymbolCoverage[], provider: string, from: string): Promise<ErrorValue | null> {
  const r = await client.request('ingest.start', missingDaysArg(universe, coverage, provider, from));
  if (!r.ok) return r.error;
  useUniverses.setState({ lastJob: { universe: universe.name, jobId: r.value.jobId } });
  return null;
}

// ---------- dynamic universes (a rule in SQL decides the members) ----------

export async function previewRule(client: Client, sql: string): Promise<{ ok: true; value: RequestResult<'universe.preview'> } | { ok: false; error: ErrorValue }> {
  return client.request('universe.preview', { sql });
}

export async function createDynamicUniverse(client: Client, name: string, rule: string): Promise<ErrorValue | null> {
  const r = await client.request('universe.createDynamic', { name, rule });
  if (!r.ok) return r.error;
  applyUniverse(client, r.value.universe);
  useUniverses.getState().select(r.value.universe.name);
  void loadCoverage(client, r.value.universe.name);
  return null;
}

/** Refresh from the rule, save a new rule (and refresh), or remove the rule (the members stay). */
export async function applyRule(client: Client, universe: Universe, action: 'refresh' | 'save' | 'clear', rule: string): Promise<Outcome> {
  const r =
    action === 'refresh'
      ? await client.request('universe.refresh', { name: universe.name })
      : await client.request('universe.setRule', { name: universe.name, rule: action === 'clear' ? null : rule });
  if (!r.ok) return refused(r.error);
  applyUniverse(client, r.value.universe, universe.name, r.value.added.length + r.value.removed.length > 0);
  const list = (xs: string[]) => (xs.length ? xs.join(', ') : 'none');
  return { ok: true, note: action === 'clear' ? 'Rule removed: the members stay as they are.' : `Added ${list(r.value.added)}; removed ${list(r.value.removed)}.` };
}
