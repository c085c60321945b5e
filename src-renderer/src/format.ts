import { wallParts } from '../../src-common/zonedTime';
import { appZone } from './state/display';

const intFormat = new Intl.NumberFormat('en-US');

export function formatInt(n: number): string {
  return intFormat.format(n);
}

/** Enough of a job id to tell jobs apart on screen (the jobs table, notices); the full id goes in a tooltip. */
export function shortJobId(id: string): string {
  return id.length > 10 ? id.slice(0, 8) : id;
}

/** "1 symbol", "2,000 symbols" */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatInt(n)} ${n === 1 ? one : many}`;
}

export function formatElapsed(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

export function duration(startIso: string | null, endIso: string | null): string {
  if (!startIso || !endIso) return '';
  const ms = new Date(endIso).getTime() - new Date(startIso).getTime();
  return Number.isFinite(ms) && ms >= 0 ? formatElapsed(ms) : '';
}

/** A YYYY-MM-DD for the local calendar day `daysAgo` days before today. */
export function localDate(daysAgo: number, now: Date = new Date()): string {
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() - daysAgo);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** A human duration for an ETA: "45 s", "2 m 10 s", "1 h 05 m". */
export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} m ${s % 60} s`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} m`;
}

/** A rate or small quantity: "0", "0.25", "3.5", "1,234". Never a misleading "0" for a small positive value. */
export function formatRate(n: number): string {
  if (!Number.isFinite(n) || n === 0) return '0';
  const a = Math.abs(n);
  if (a >= 100) return intFormat.format(Math.round(n));
  if (a >= 10) return n.toFixed(1);
  if (a >= 0.01) return n.toFixed(2);
  return n > 0 ? '<0.01' : '>-0.01';
}

/** Seconds as a latency: "0.8 ms", "42 ms", "1.25 s"; "–" for none. */
export function formatSeconds(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '–';
  return formatElapsed(s * 1000);
}

const compactFormat = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** For chart axes: 950, 1.2K, 3.4M. */
export function formatCompact(n: number): string {
  return compactFormat.format(n);
}

/** HH:MM (or HH:MM:SS) of a timestamp in ms on the app's time zone setting (Settings › Time zone): metrics axes. */
export function formatClock(ms: number, seconds = false, zone: string = appZone()): string {
  const p = wallParts(ms, zone);
  if (!p) return '';
  return seconds ? p.time : p.time.slice(0, 5);
}
/** "1234567" -> "1,234,567" (a sign and a fraction are kept). */
export function groupDigits(s: string): string {
  const m = /^([+-]?)(\d+)(\.\d*)?$/.exec(s);
  if (!m) return s;
  return `${m[1]}${m[2]!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${m[3] ?? ''}`;
}

/** Significant digits a double reliably holds: more shows only binary noise (0.1 + 0.2 = 0.30000000000000004). */
const DISPLAY_DIGITS = 15;

/**
 * A number for a results grid: thousands separators and the fewest decimals that show the value to 15 significant
 * digits (300.34749999999997 -> "300.3475", 0.1 + 0.2 -> "0.3"); integers exact ("9,007,199,254,740,991"); very
 * large or very small magnitudes in exponent form ("1.5e+21", "1.2e-9"); NaN and ±Infinity by name. The exact value
 * (`String(n)`, the shortest text that round-trips) is what a cell viewer and a copy show.
 */
export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (n === 0) return '0';
  const a = Math.abs(n);
  if (Number.isInteger(n) && a < 1e21) return groupDigits(String(n));
  const short = String(Number(n.toPrecision(DISPLAY_DIGITS)));
  if (a >= 1e21 || /e/.test(short)) return short;
  return groupDigits(short);
}

/**
 * A numeric result cell: a number as formatNumber; a string (integers beyond 2^53, NaN, inf from the engine) grouped
 * when it is a plain integer or decimal, otherwise as sent.
 */
export function formatNumericCell(cell: number | string): string {
  if (typeof cell === 'number') return formatNumber(cell);
  const t = cell.trim();
  if (/^[+-]?\d+(\.\d+)?$/.test(t)) return groupDigits(t);
  if (/^[+-]?inf(inity)?$/i.test(t)) return t.startsWith('-') ? '-Infinity' : 'Infinity';
  if (/^[+-]?nan$/i.test(t)) return 'NaN';
  return cell;
}

/** Whether the grid shows a number differently from its exact value (then the exact value is a hover away). */
export function numberIsRounded(cell: number | string): boolean {
  return typeof cell === 'number' && Number.isFinite(cell) && !Number.isInteger(cell) && String(Number(cell.toPrecision(DISPLAY_DIGITS))) !== String(cell);
}
