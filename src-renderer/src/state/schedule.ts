import { create } from 'zustand';
import type { ProviderInfo, Schedule, ScheduleStatus, Timeframe, Universe } from '../../../src-main/contract/schemas';
import type { ErrorValue } from '../../../src-main/shared/errors';
import { NEW_YORK } from '../../../src-common/nyTime';
import type { Client } from '../client';
import { readsFiles, timeframesOf } from './ingestForm';
import { errorText } from '../errorWords';

/** What the schedule form holds: selects work with strings, '' meaning "none" / "the provider's default". */
interface ScheduleDraft {
  enabled: boolean;
  universe: string;
  provider: string;
  feed: string;
  timeframe: Timeframe;
  /** first session for symbols never ingested; '' = the engine's default (30 days back) */
  since: string;
  at: string;
}

interface ScheduleState {
  status: ScheduleStatus | null;
  loadError: string | null;
  universes: Universe[] | null;
  universesError: string | null;
  draft: ScheduleDraft | null;
  /** the draft differs from what the engine holds (a refresh then leaves it alone) */
  dirty: boolean;
  saving: boolean;
  saveError: ErrorValue | null;
  /** set after a successful save until the next edit, for a quiet confirmation */
  saved: boolean;
  expanded: boolean;
  edit(patch: Partial<ScheduleDraft>, providers?: ProviderInfo[] | null): void;
  /** Drops the edits: the form shows the engine's schedule again. */
  reset(): void;
  setExpanded(expanded: boolean): void;
}

export function draftOf(s: Schedule): ScheduleDraft {
  return { enabled: s.enabled, universe: s.universe ?? '', provider: s.provider, feed: s.feed ?? '', timeframe: s.timeframe, since: s.since ?? '', at: s.at };
}

export function scheduleOf(d: ScheduleDraft): Schedule {
  return { enabled: d.enabled, universe: d.universe || null, provider: d.provider, feed: d.feed || null, timeframe: d.timeframe, since: d.since || null, at: d.at };
}

/** Providers a schedule can update from: those that fetch from a market (not files). */
export function scheduleProviders(providers: ProviderInfo[] | null, current: string): ProviderInfo[] {
  return (providers ?? []).filter((p) => !readsFiles(p.name) || p.name === current);
}

const EXPANDED_KEY = 'mp.schedule.expanded';

function initialExpanded(): boolean {
  try {
    return typeof window !== 'undefined' && window.localStorage.getItem(EXPANDED_KEY) === '1';
  } catch {
    return false;
  }
}

export const useSchedule = create<ScheduleState>()((set, get) => ({
  status: null,
  loadError: null,
  universes: null,
  universesError: null,
  draft: null,
  dirty: false,
  saving: false,
  saveError: null,
  saved: false,
  expanded: initialExpanded(),
  edit: (patch, providers) => {
    const current = get().draft;
    if (!current) return;
    const next = { ...current, ...patch };
    // Another provider: its default feed, and a timeframe it offers.
    if (patch.provider !== undefined && patch.provider !== current.provider) {
      next.feed = '';
      const offered = timeframesOf(providers?.find((p) => p.name === patch.provider));
      if (!offered.includes(next.timeframe)) next.timeframe = offered.includes('1m') ? '1m' : (offered[0] ?? '1m');
    }
    set({ draft: next, dirty: true, saved: false });
  },
  reset: () => {
    const status = get().status;
    set({ draft: status ? draftOf(status.schedule) : null, dirty: false, saveError: null, saved: false });
  },
  setExpanded: (expanded) => {
    try {
      window.localStorage.setItem(EXPANDED_KEY, expanded ? '1' : '0');
    } catch {
      // no storage (private mode): the state lasts for this page only
    }
    set({ expanded });
  },
}));

/** A fresh status from the engine; the form follows it unless the user is editing. */
export function statusLoaded(status: ScheduleStatus): void {
  useSchedule.setState((s) => (s.dirty && s.draft ? { status, loadError: null } : { status, loadError: null, draft: draftOf(status.schedule) }));
}

export async function loadSchedule(client: Client): Promise<void> {
  const [status, universes] = await Promise.all([client.request('schedule.get', {}), client.request('universe.list', {})]);
  if (status.ok) statusLoaded(status.value);
  else useSchedule.setState({ loadError: errorText(status.error) });
  if (universes.ok) useSchedule.setState({ universes: universes.value, universesError: null });
  else useSchedule.setState({ universesError: errorText(universes.error) });
}

export async function saveSchedule(client: Client): Promise<boolean> {
  const { draft, saving } = useSchedule.getState();
  if (!draft || saving) return false;
  useSchedule.setState({ saving: true, saveError: null, saved: false });
  const r = await client.request('schedule.set', scheduleOf(draft));
  if (r.ok) useSchedule.setState({ saving: false, status: r.value, draft: draftOf(r.value.schedule), dirty: false, saved: true });
  else useSchedule.setState({ saving: false, saveError: r.error });
  return r.ok;
}

function parts(iso: string, timeZone: string | undefined): { date: string; time: string; weekday: string; zone: string } | null {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return null;
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  });
  const p: Record<string, string> = {};
  for (const { type, value } of f.formatToParts(d)) p[type] = value;
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}`, weekday: p.weekday ?? '', zone: p.timeZoneName ?? '' };
}

/**
 * A run time in the viewer's zone and in New York, e.g. { local: 'Mon 2024-06-03 02:15 GMT+2', newYork: 'Mon 20:15 EDT' }
 * (New York with its date too when the day differs). `localZone` is the system zone unless given (tests).
 */
export function describeRunTime(iso: string, localZone?: string): { local: string; newYork: string } | null {
  const local = parts(iso, localZone);
  const ny = parts(iso, NEW_YORK);
  if (!local || !ny) return null;
  const nyText = ny.date === local.date ? `${ny.weekday} ${ny.time} ${ny.zone}` : `${ny.weekday} ${ny.date} ${ny.time} ${ny.zone}`;
  return { local: `${local.weekday} ${local.date} ${local.time} ${local.zone}`, newYork: nyText };
}

/** One line for the collapsed panel: what the schedule does, or that it is off. */
export function scheduleSummary(s: Schedule): string {
  if (!s.enabled) return 'Off';
  return `Daily at ${s.at} New York · ${s.universe ?? '?'} from ${s.provider}${s.feed ? `/${s.feed}` : ''} · ${s.timeframe}`;
}
