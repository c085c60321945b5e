// Instants shown in the app's one time zone setting (New York, UTC or the viewer's own zone), with the date and the
// zone always visible. Intl only (standard JavaScript), so it runs alike in Node, Electron and the browser.

import { utcToZonedParts } from './tz';

/** The app's time zone setting: the exchange's zone (default), UTC, or the viewer's own zone. */
export type TimeZoneSetting = 'America/New_York' | 'UTC' | 'local';
export const TIME_ZONE_SETTINGS: readonly TimeZoneSetting[] = ['America/New_York', 'UTC', 'local'];
export const DEFAULT_TIME_ZONE: TimeZoneSetting = 'America/New_York';

export function isTimeZoneSetting(v: unknown): v is TimeZoneSetting {
  return typeof v === 'string' && (TIME_ZONE_SETTINGS as readonly string[]).includes(v);
}

/** The IANA zone a setting stands for; `local` is the runtime's zone (the browser's in web mode). */
export function resolveZone(setting: TimeZoneSetting, localZone?: string): string {
  if (setting !== 'local') return setting;
  return localZone ?? (Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
}

/** How a setting is named in the UI: "New York", "UTC", "local (Europe/Berlin)". */
export function zoneLabel(setting: TimeZoneSetting, localZone?: string): string {
  if (setting === 'America/New_York') return 'New York';
  if (setting === 'UTC') return 'UTC';
  return `local (${resolveZone('local', localZone)})`;
}

/** A short name for a column header: "New York", "UTC", or the local IANA zone. */
export function zoneShortLabel(setting: TimeZoneSetting, localZone?: string): string {
  return setting === 'local' ? resolveZone('local', localZone) : zoneLabel(setting);
}

interface WallParts {
  date: string; // 2024-01-02
  time: string; // 09:30:05
  zone: string; // EST, EDT, UTC, GMT+1
}

const zoneNamers = new Map<string, Intl.DateTimeFormat>();
// Names already formatted, per zone and quarter of an hour (zones change names only at transitions, and every
// transition falls on a quarter hour): a page of findings formats formatToParts once per quarter, not once per row.
const zoneNames = new Map<string, Map<number, string>>();
const QUARTER_HOUR_MS = 15 * 60_000;
const ZONE_NAMES_KEPT = 20_000;
/** The zone's short name at an instant ("EST", "EDT", "GMT+1"): the only part Intl must format; the wall time itself
 * comes from tz.ts's cached offsets. */
function zoneName(ms: number, zone: string): string {
  const quarter = Math.floor(ms / QUARTER_HOUR_MS);
  let names = zoneNames.get(zone);
  const known = names?.get(quarter);
  if (known !== undefined) return known;
  let f = zoneNamers.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'short' });
    zoneNamers.set(zone, f);
  }
  const raw = f.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? zone;
  const name = raw === 'GMT' && zone === 'UTC' ? 'UTC' : raw;
  if (!names || names.size >= ZONE_NAMES_KEPT) zoneNames.set(zone, (names = new Map()));
  names.set(quarter, name);
  return name;
}

const two = (n: number): string => String(n).padStart(2, '0');

/** An instant's wall-clock date, time and zone abbreviation in `zone` (an IANA name); null for an invalid instant. */
export function wallParts(ms: number, zone: string): WallParts | null {
  if (!Number.isFinite(ms)) return null;
  try {
    const p = utcToZonedParts(Math.floor(ms), zone);
    return { date: p.date, time: `${two(p.hour)}:${two(p.minute)}:${two(p.second)}`, zone: zoneName(ms, zone) };
  } catch {
    return null;
  }
}

function toMs(at: string | number | Date): number {
  if (typeof at === 'number') return at;
  if (at instanceof Date) return at.getTime();
  return Date.parse(at);
}

export interface InstantOptions {
  /** show seconds (default true) */
  seconds?: boolean;
  /** append the zone abbreviation (default true) */
  zone?: boolean;
}

/**
 * An instant as "2024-01-02 09:30:05 EST" in the setting's zone: date, time and zone always shown, one format app-wide.
 * Returns the input unchanged when it is not an instant (so nothing is hidden), '' for null.
 */
export function formatInstant(at: string | number | Date | null | undefined, setting: TimeZoneSetting, o: InstantOptions = {}, localZone?: string): string {
  if (at === null || at === undefined || at === '') return '';
  const p = wallParts(toMs(at), resolveZone(setting, localZone));
  if (!p) return String(at);
  const time = o.seconds === false ? p.time.slice(0, 5) : p.time;
  return o.zone === false ? `${p.date} ${time}` : `${p.date} ${time} ${p.zone}`;
}

const ZONED_ISO = /^(\d{4,}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;
const NAIVE_ISO = /^(\d{4,}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?$/;

/**
 * A result cell holding a timestamp, for the grid: an ISO instant (with Z or an offset) in the setting's zone without
 * the zone (the column header names it), its fraction of a second kept as sent ("2024-01-02 09:30:00.123456"); a naive
 * timestamp (no zone) as written, only the T replaced. Anything else unchanged.
 */
export function formatCellInstant(value: string, setting: TimeZoneSetting, localZone?: string): string {
  const m = ZONED_ISO.exec(value);
  if (m) {
    const p = wallParts(Date.parse(value), resolveZone(setting, localZone));
    if (!p) return value;
    const fraction = m[3] && !/^\.0+$/.test(m[3]) ? m[3] : '';
    return `${p.date} ${p.time}${fraction}`;
  }
  const n = NAIVE_ISO.exec(value);
  if (n) return `${n[1]} ${n[2]}${n[3] && !/^\.0+$/.test(n[3]) ? n[3] : ''}`;
  return value;
}

/** Whether a cell string is an instant (ISO 8601 with Z or an offset) rather than a naive timestamp. */
export function isZonedIso(value: string): boolean {
  return ZONED_ISO.test(value);
}
