import { create } from 'zustand';
import type { ErrorValue } from '../../../src-main/shared/errors';
import type { Client } from '../client';
import type { IngestArgInput, ProviderInfo, Timeframe } from '../../../src-main/contract/schemas';
import { TIMEFRAMES } from '../../../src-main/contract/schemas';
import { NEW_YORK } from '../../../src-common/nyTime';
import { badSymbols, notSymbolsMessage, splitSymbols } from '../../../src-common/symbols';
import { localDate } from '../format';

export const DEFAULT_TZ = NEW_YORK;

/** Providers that read symbols, range and timeframe from their files when they are not given. */
export function readsFiles(provider: string): boolean {
  return provider === 'csv';
}

export interface IngestFormValues {
  /** '' until the user picks one: the default provider is then shown */
  provider: string;
  /** '' means the provider's default feed */
  feed: string;
  symbols: string;
  start: string;
  end: string;
  /** '' means "from the files" (providers that read files) */
  timeframe: Timeframe | '';
  force: boolean;
  source: string;
  tz: string;
}

interface IngestFormState extends IngestFormValues {
  set(patch: Partial<IngestFormValues>): void;
  /** A provider change resets what depends on the provider (feed, timeframe, and the range for file providers). */
  setProvider(provider: string, info: ProviderInfo | undefined, previous: string): void;
}

function marketDates(): Pick<IngestFormValues, 'start' | 'end'> {
  return { start: localDate(7), end: localDate(1) };
}

/** Kept in a store so that the form survives a visit to another page. */
export const useIngestForm = create<IngestFormState>()((set) => ({
  provider: '',
  feed: '',
  symbols: '',
  ...marketDates(),
  timeframe: '1m',
  force: false,
  source: '',
  tz: DEFAULT_TZ,
  set: (patch) => set(patch),
  setProvider: (provider, info, previous) =>
    set((s) => {
      const next: Partial<IngestFormValues> = { provider, feed: '', timeframe: defaultTimeframe(provider, info) };
      // A file provider reads the range from its files: a leftover "last week" would silently narrow it.
      if (readsFiles(provider) && !readsFiles(previous)) Object.assign(next, { start: '', end: '' });
      if (!readsFiles(provider) && readsFiles(previous) && !s.start && !s.end) Object.assign(next, marketDates());
      return next;
    }),
}));

function defaultTimeframe(provider: string, info: ProviderInfo | undefined): Timeframe | '' {
  if (readsFiles(provider)) return '';
  const offered = timeframesOf(info);
  return offered.includes('1m') ? '1m' : (offered[0] ?? '1m');
}

/** The provider's timeframes in the usual order (all of them while the provider list is not in). */
export function timeframesOf(info: ProviderInfo | undefined): Timeframe[] {
  return info && info.timeframes.length > 0 ? TIMEFRAMES.filter((t) => info.timeframes.includes(t)) : [...TIMEFRAMES];
}

/** Fake first (works offline, needs no keys), else the first configured one, else the first. */
export function defaultProvider(providers: ProviderInfo[] | null): string {
  if (!providers || providers.length === 0) return '';
  return (providers.find((p) => p.name === 'fake') ?? providers.find((p) => p.configured) ?? providers[0]!).name;
}

/**
 * The `ingest.start` argument for what the form holds. The engine checks it (and says what is wrong); here only
 * what is left empty on purpose is left out, so that a file provider can fill it from its files.
 */
export function buildIngestArg(v: IngestFormValues, info: ProviderInfo | undefined): IngestArgInput {
  const provider = v.provider;
  const feed = v.feed || info?.defaultFeed;
  const arg: IngestArgInput = { provider, symbols: splitSymbols(v.symbols), force: v.force };
  if (feed) arg.feed = feed;
  if (readsFiles(provider)) {
    if (v.start) arg.start = v.start;
    if (v.end) arg.end = v.end;
    if (v.timeframe) arg.timeframe = v.timeframe;
    if (v.source.trim()) arg.source = v.source.trim();
    if (v.tz.trim()) arg.tz = v.tz.trim();
  } else {
    arg.start = v.start;
    arg.end = v.end;
    arg.timeframe = v.timeframe || '1m';
  }
  return arg;
}

/** Why Start cannot be pressed, or null when it can. */
export function blockedReason(info: ProviderInfo | undefined): string | null {
  if (!info || info.configured) return null;
  const needs = info.needs.length > 0 ? `set ${info.needs.join(', ')} in the environment of the engine and restart it` : 'see its documentation';
  return `${info.name} is not configured: ${needs}.`;
}

/** Every bad entry of the Symbols field in one line, checked before anything is sent; null when all are symbols. */
export function symbolsProblem(text: string): string | null {
  const bad = badSymbols(splitSymbols(text));
  return bad.length > 0 ? notSymbolsMessage(bad) : null;
}

/** Starts the ingestion the form describes; the job's id, or the engine's refusal. */
export async function startIngest(client: Client, info: ProviderInfo | undefined): Promise<{ ok: true; jobId: string } | { ok: false; error: ErrorValue }> {
  const r = await client.request('ingest.start', buildIngestArg(useIngestForm.getState(), info));
  return r.ok ? { ok: true, jobId: r.value.jobId } : r;
}
