import { z } from 'zod';
import { sessionFor } from '../calendar';
import { emptyBatch } from './batch';
import { BAR_COLUMNS, type BarBatch } from './types';

// The fake provider's bars, as pure functions: every bar is a function of (symbol, exchange date, minute), so the same
// request gives the same bars on every machine, in any range, on the event loop or in a worker thread
// (fakeWorker.ts). Only +, -, *, / and rounding are used (exact in IEEE 754), never Math.sin/exp/log, whose last bits
// may differ between engines.

const MINUTE = 60_000;
const ANCHOR_DAYS = 16;

/** FNV-1a, 32 bit. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a small, fast PRNG with a 32-bit state, uniform in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const round4 = (x: number) => Math.round(x * 10000) / 10000;

function dayNumber(date: string): number {
  return Math.floor(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 86_400_000);
}

/** Slow price level of a symbol on a day: value noise between anchors every ANCHOR_DAYS days, smoothstep-blended. */
function dayLevel(symbol: string, base: number, day: number): number {
  const k = Math.floor(day / ANCHOR_DAYS);
  const f = (day - k * ANCHOR_DAYS) / ANCHOR_DAYS;
  const anchor = (i: number) => prng(hash32(`${symbol}|anchor|${i}`))() * 0.5 - 0.25;
  const s = f * f * (3 - 2 * f);
  return base * (1 + anchor(k) * (1 - s) + anchor(k + 1) * s);
}

/** The bars of one symbol on one trading day, written into `out` at `offset`. Returns the number of bars. */
export function fakeDay(symbol: string, date: string, out: BarBatch, offset: number): number {
  const session = sessionFor(date);
  if (!session) return 0;
  const minutes = Math.round((session.regularClose - session.regularOpen) / MINUTE);
  const sym = hash32(symbol);
  const base = 20 + (sym % 480);
  const baseVolume = 2_000 + (hash32(`${symbol}|vol`) % 40_000);
  const rnd = prng(hash32(`${symbol}|${date}`));
  const normal = () => rnd() + rnd() + rnd() + rnd() - 2; // Irwin-Hall: close enough to N(0, 1/3), exact arithmetic
  const sigma = 0.0012;
  const level = dayLevel(symbol, base, dayNumber(date));
  let price = level * (1 + normal() * 0.01);
  for (let m = 0; m < minutes; m++) {
    const i = offset + m;
    const open = round2(price);
    // a pull back towards the day's level keeps prices near it over a long day
    price = price * (1 + sigma * normal()) + (level - price) * 0.002;
    const close = round2(Math.max(price, 0.01));
    const high = round2(Math.max(open, close) * (1 + Math.abs(normal()) * sigma));
    const low = Math.max(0.01, round2(Math.min(open, close) * (1 - Math.abs(normal()) * sigma)));
    const u = (m - minutes / 2) / (minutes / 2);
    const volume = Math.max(1, Math.round(baseVolume * (1 + 2 * u * u) * (0.5 + rnd())));
    out.ts[i] = session.regularOpen + m * MINUTE;
    out.open[i] = open;
    out.high[i] = Math.max(high, open, close);
    out.low[i] = Math.min(low, open, close);
    out.close[i] = close;
    out.volume[i] = volume;
    out.tradeCount[i] = Math.max(1, Math.round(volume / (40 + rnd() * 80)));
    out.vwap[i] = round4((out.high[i]! + out.low[i]! + close) / 3);
  }
  return minutes;
}

/** Regular-session minutes (= bars) of a day; 0 when the exchange is closed. */
export function fakeDayBars(date: string): number {
  const session = sessionFor(date);
  return session ? Math.round((session.regularClose - session.regularOpen) / MINUTE) : 0;
}

/**
 * One page: rows [skip, skip + take) of the bars of `symbol` on consecutive trading `days`, in arrays of exactly
 * `take` rows (so their buffers can be handed over whole).
 */
export function fakePage(symbol: string, days: readonly string[], skip: number, take: number): BarBatch {
  const all = emptyBatch(symbol, days.length * 390);
  for (const day of days) all.length += fakeDay(symbol, day, all, all.length);
  const n = Math.max(0, Math.min(take, all.length - skip));
  const out = emptyBatch(symbol, n);
  for (const c of BAR_COLUMNS) out[c].set(all[c].subarray(skip, skip + n));
  out.length = n;
  return out;
}

/** A worker task: fakePage's rows, answered as columns whose buffers are transferred. */
export const FakePageArgSchema = z
  .object({
    symbol: z.string().min(1),
    days: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)).max(1000),
    skip: z.number().int().nonnegative(),
    take: z.number().int().nonnegative().max(1_000_000),
  })
  .strict();
const Column = z.custom<Float64Array>((v) => v instanceof Float64Array, 'a Float64Array');
export const FakePageResultSchema = z.object({
  length: z.number().int().nonnegative(),
  ts: Column,
  open: Column,
  high: Column,
  low: Column,
  close: Column,
  volume: Column,
  tradeCount: Column,
  vwap: Column,
});

export const FAKE_TASKS = { 'fake.page': { arg: FakePageArgSchema, result: FakePageResultSchema } } as const;
