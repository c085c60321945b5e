import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryRows, useTestEngine } from '../../testing/engine';
import { exchangeDate } from '../../calendar';
import { MpError } from '../../shared/errors';
import { silentLogger } from '../../shared/log';
import { BatchBuffer } from '../batch';
import { offline } from '../http/offline';
import type { BarBatch, PreparedIngest, PrepareRequest } from '../types';
import { closeIdleSources, csvProvider } from './index';
import { openSourceCount } from './cache';
import { keepLastOfEqualTs } from './pages';
import { emptyBatch } from '../batch';
import { lineOfRecord } from './lines';

const FIXTURES = path.join(__dirname, 'fixtures');
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-csv-'));
});
afterEach(async () => {
  await closeIdleSources();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Copies fixtures into this test's own folder (so folder sources hold exactly what the test says). */
function place(names: string[], into = dir): string {
  fs.mkdirSync(into, { recursive: true });
  for (const n of names) fs.copyFileSync(path.join(FIXTURES, n), path.join(into, path.basename(n)));
  return names.length === 1 ? path.join(into, path.basename(names[0]!)) : into;
}

function write(name: string, text: string | Buffer): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

const ctx = (signal = new AbortController().signal) => ({ signal, env: {}, log: silentLogger, http: offline('csv') });

/** The plan, without its row counts (hostile.test.ts checks those). */
async function prepare(source: string, more: Partial<PrepareRequest> = {}): Promise<Omit<PreparedIngest, 'rows'>> {
  const { rows: _rows, ...plan } = await csvProvider.prepare!({ symbols: [], timeframe: undefined, start: undefined, end: undefined, feed: 'file', source, tz: undefined, ...more }, ctx());
  return plan;
}

async function fetchAll(source: string, symbol: string, start: string, end: string, opts: { tz?: string; pageSize?: number; signal?: AbortSignal } = {}): Promise<{ bars: BarBatch; pages: number[] }> {
  const buf = new BatchBuffer(symbol);
  const pages: number[] = [];
  const req = { symbol, timeframe: '1m' as const, start, end, feed: 'file', pageSize: opts.pageSize ?? 50_000, source, tz: opts.tz };
  for await (const page of csvProvider.fetchBars(req, ctx(opts.signal))) {
    expect(page.symbol).toBe(symbol);
    buf.append(page);
    pages.push(page.length);
  }
  return { bars: buf.view(), pages };
}

/** prepare, then every symbol's bars over the prepared range, as the ingest runner would (one fetch per symbol). */
async function importAll(source: string, more: Partial<PrepareRequest> = {}) {
  const plan = await prepare(source, more);
  const bars = new Map<string, BarBatch>();
  for (const s of plan.symbols) bars.set(s, (await fetchAll(source, s, plan.start, plan.end, { tz: more.tz })).bars);
  return { plan, bars };
}

const iso = (ms: number) => new Date(ms).toISOString();
const tsList = (b: BarBatch) => Array.from(b.ts.subarray(0, b.length), iso);

async function refusal(p: Promise<unknown>): Promise<MpError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(MpError);
  const err = e as MpError;
  expect(err.code).toBe('E_BAD_INPUT');
  expect(err.message).not.toContain('\n');
  expect(err.message.startsWith('csv: ')).toBe(true);
  return err;
}

function expectAscending(b: BarBatch) {
  for (let i = 1; i < b.length; i++) expect(b.ts[i]! > b.ts[i - 1]!).toBe(true);
}

describe('csv provider: real bars', () => {
  it('imports the DBB slice (UTC timestamps) with the right count, first/last bar and an inferred 1m', async () => {
    const file = place(['DBB_1min.csv']);
    const { plan, bars } = await importAll(file, { tz: 'UTC' });
    expect(plan).toEqual({ symbols: ['DBB'], timeframe: '1m', start: '2024-03-07', end: '2024-11-05' });
    const b = bars.get('DBB')!;
    expect(b.length).toBe(513);
    expect(iso(b.ts[0]!)).toBe('2024-03-07T14:28:00.000Z');
    expect(iso(b.ts[b.length - 1]!)).toBe('2024-11-05T20:59:00.000Z');
    expect([b.open[0], b.high[0], b.low[0], b.close[0], b.volume[0]]).toEqual([17.71, 17.71, 17.71, 17.71, 300]);
    expect(Number.isNaN(b.tradeCount[0]!)).toBe(true);
    expect(Number.isNaN(b.vwap[0]!)).toBe(true);
    expectAscending(b);
  });

  it('pages by pageSize, ascending, and serves only the requested exchange-local dates', async () => {
    const file = place(['DBB_1min.csv']);
    const all = (await fetchAll(file, 'DBB', '2024-01-01', '2024-12-31', { tz: 'UTC' })).bars;
    const { bars, pages } = await fetchAll(file, 'DBB', '2024-03-08', '2024-03-11', { tz: 'UTC', pageSize: 50 });
    const expected = tsList(all).filter((t) => exchangeDate(Date.parse(t)) >= '2024-03-08' && exchangeDate(Date.parse(t)) <= '2024-03-11');
    expect(expected.length).toBeGreaterThan(100);
    expect(tsList(bars)).toEqual(expected);
    expect(pages.slice(0, -1).every((n) => n === 50)).toBe(true);
    expect(pages.at(-1)).toBe(expected.length - 50 * (pages.length - 1));
  });

  it('reads offset-less times in --tz correctly across both DST changes', async () => {
    // the same bars written as New York wall time: 09:30 is 14:30Z before 10 March and 13:30Z after it
    const utc = place(['DBB_1min.csv']);
    const local = place(['DBB_local.csv']);
    const a = await importAll(utc, { tz: 'UTC' });
    const b = await importAll(local); // default --tz: America/New_York
    expect(b.plan).toEqual(a.plan);
    expect(tsList(b.bars.get('DBB')!)).toEqual(tsList(a.bars.get('DBB')!));
    const ts = tsList(b.bars.get('DBB')!);
    expect(ts).toContain('2024-03-08T14:30:00.000Z'); // 09:30 EST
    expect(ts).toContain('2024-03-11T13:30:00.000Z'); // 09:30 EDT
    expect(ts).toContain('2024-11-01T13:30:00.000Z'); // 09:30 EDT
    expect(ts).toContain('2024-11-04T14:30:00.000Z'); // 09:30 EST
    // read as London time instead, every bar moves by London's offset, which changes on other dates than New York's
    const london = await importAll(local, { tz: 'Europe/London' });
    const lts = london.bars.get('DBB')!.ts;
    const nts = b.bars.get('DBB')!.ts;
    expect(lts[0]! - nts[0]!).toBe(-5 * 3_600_000); // 7 March: London UTC+0, New York UTC-5
  });

  it('refuses a --tz that is not an IANA zone', async () => {
    const file = place(['DBB_1min.csv']);
    const e = await refusal(prepare(file, { tz: 'Mars/Olympus' }));
    expect(e.message).toContain('--tz "Mars/Olympus" is not an IANA time zone');
  });
});

describe('csv provider: formats', () => {
  it('honours offsets and Z whatever --tz says; keeps float volumes', async () => {
    const file = place(['AAPL_offsets.csv']);
    for (const tz of [undefined, 'UTC', 'Asia/Tokyo']) {
      const { plan, bars } = await importAll(file, { tz });
      expect(plan).toEqual({ symbols: ['AAPL'], timeframe: '1m', start: '2024-03-08', end: '2024-03-11' });
      const b = bars.get('AAPL')!;
      expect(tsList(b)).toEqual([
        '2024-03-08T14:30:00.000Z',
        '2024-03-08T14:31:00.000Z',
        '2024-03-08T14:32:00.000Z',
        '2024-03-11T13:30:00.000Z',
        '2024-03-11T13:31:00.000Z',
        '2024-03-11T13:32:00.000Z',
      ]);
      expect(Array.from(b.volume.subarray(0, 2))).toEqual([1200.5, 980.25]);
    }
  });

  it('reads vendor epoch-ms dumps (t,o,h,l,c,v,n,vw) and infers 5m; empty n/vw become NaN', async () => {
    const file = place(['MSFT_polygon.csv']);
    const { plan, bars } = await importAll(file);
    expect(plan).toEqual({ symbols: ['MSFT'], timeframe: '5m', start: '2024-01-02', end: '2024-01-02' });
    const b = bars.get('MSFT')!;
    expect(b.length).toBe(12);
    expect(b.ts[0]).toBe(1704205800000);
    expect(b.ts[11]).toBe(1704205800000 + 11 * 300_000);
    expect([b.open[0], b.close[0], b.volume[0], b.tradeCount[0], b.vwap[0]]).toEqual([375, 375.1, 10000, 120, 375.05]);
    expect(b.volume[7]).toBe(5321.5);
    expect(Number.isNaN(b.tradeCount[7]!)).toBe(true);
    expect(Number.isNaN(b.vwap[7]!)).toBe(true);
  });

  it('reads minutes without seconds and fractional seconds in UTC too', async () => {
    const file = write('UT_1m.csv', 'timestamp,open,high,low,close,volume\n2024-01-02 14:30,1,2,0.5,1.5,10\n2024-01-02 14:31:00.000,1,2,0.5,1.5,10\n 2024-01-02 14:32:00 ,1,2,0.5,1.5,10\n');
    const { plan, bars } = await importAll(file, { tz: 'UTC' });
    expect(plan.timeframe).toBe('1m');
    expect(tsList(bars.get('UT')!)).toEqual(['2024-01-02T14:30:00.000Z', '2024-01-02T14:31:00.000Z', '2024-01-02T14:32:00.000Z']);
  });

  it('reads epoch seconds too', async () => {
    const file = write('ES_secs.csv', 'time,open,high,low,close,volume\n1704205800,1,2,0.5,1.5,10\n1704205860,1,2,0.5,1.5,10\n1704205920,1,2,0.5,1.5,10\n');
    const { plan, bars } = await importAll(file);
    expect(plan.timeframe).toBe('1m');
    expect(tsList(bars.get('ES')!)[0]).toBe('2024-01-02T14:30:00.000Z');
  });

  it('reads daily date-only bars as 1d at exchange midnight, whatever --tz says', async () => {
    const file = place(['SPY_daily.csv']);
    for (const tz of [undefined, 'UTC', 'Asia/Tokyo']) {
      const { plan, bars } = await importAll(file, { tz });
      expect(plan).toEqual({ symbols: ['SPY'], timeframe: '1d', start: '2024-01-02', end: '2024-01-12' });
      const b = bars.get('SPY')!;
      expect(b.length).toBe(9);
      expect(iso(b.ts[0]!)).toBe('2024-01-02T05:00:00.000Z');
      expect(Array.from(b.ts.subarray(0, b.length), exchangeDate)).toEqual(['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08', '2024-01-09', '2024-01-10', '2024-01-11', '2024-01-12']);
      expect(b.volume[0]).toBe(123623700);
    }
  });

  it('matches upper-case headers and reads trade_count/vwap; infers 15m', async () => {
    const file = place(['QQQ_upper.csv']);
    const { plan, bars } = await importAll(file);
    expect(plan).toEqual({ symbols: ['QQQ'], timeframe: '15m', start: '2024-01-02', end: '2024-01-02' });
    const b = bars.get('QQQ')!;
    expect(b.length).toBe(7);
    expect(iso(b.ts[0]!)).toBe('2024-01-02T14:30:00.000Z');
    expect([b.tradeCount[0], b.vwap[0]]).toEqual([3000, 402.1]);
  });

  it('reads separate Date and Time columns; infers 1h', async () => {
    const file = place(['IWM_split.csv']);
    const { plan, bars } = await importAll(file);
    expect(plan).toEqual({ symbols: ['IWM'], timeframe: '1h', start: '2024-01-02', end: '2024-01-03' });
    expect(bars.get('IWM')!.length).toBe(14);
    expect(iso(bars.get('IWM')!.ts[0]!)).toBe('2024-01-02T14:30:00.000Z');
  });

  it('splits a symbol column into symbols, sorts, normalises case and keeps the last of a repeated timestamp', async () => {
    const file = place(['two_symbols.csv']);
    const { plan, bars } = await importAll(file);
    expect(plan).toEqual({ symbols: ['AAA', 'BBB'], timeframe: '1m', start: '2024-01-02', end: '2024-01-02' });
    const a = bars.get('AAA')!;
    expect(tsList(a).map((t) => t.slice(11, 16))).toEqual(['14:30', '14:31', '14:32', '14:33', '14:34']);
    expect([a.close[3], a.volume[3], a.tradeCount[3]]).toEqual([10.22, 1350, 14]); // the later copy of 09:33
    const b = bars.get('BBB')!;
    expect(tsList(b).map((t) => t.slice(11, 16))).toEqual(['14:30', '14:31', '14:32', '14:33', '14:34']);
    expect(b.close[1]).toBe(20.15); // the lower-case "bbb" row, out of order in the file
    expect(Number.isNaN(b.tradeCount[3]!)).toBe(true);
    expect(Number.isNaN(b.vwap[3]!)).toBe(true);
    // --symbols filters; a symbol the file does not hold is refused
    expect((await prepare(file, { symbols: ['BBB'] })).symbols).toEqual(['BBB']);
    const e = await refusal(prepare(file, { symbols: ['ZZZ'] }));
    expect(e.message).toContain('no bars for ZZZ');
    expect(e.message).toContain('AAA, BBB');
  });

  it('keeps the last copy of repeats that straddle pages and chunks', async () => {
    const rows = ['timestamp,open,high,low,close,volume'];
    for (let i = 0; i < 5000; i++) {
      const t = new Date(Date.UTC(2024, 0, 2, 14, 30) + i * 60_000).toISOString();
      rows.push(`${t},1,1,1,${i},1`);
      if (i % 7 === 0) rows.push(`${t},1,1,1,${i + 0.5},2`); // a corrected repeat right after
    }
    const file = write('DUP_1m.csv', rows.join('\n') + '\n');
    const plan = await prepare(file);
    expect(plan.timeframe).toBe('1m');
    const { bars } = await fetchAll(file, 'DUP', plan.start, plan.end, { pageSize: 333 });
    expect(bars.length).toBe(5000);
    expectAscending(bars);
    for (let i = 0; i < 5000; i++) expect(bars.close[i]).toBe(i % 7 === 0 ? i + 0.5 : i);
  });

  it('imports a folder: every *.csv in it (not in subfolders), symbol per file name or column; --symbols filters', async () => {
    place(['DBB_1min.csv', 'AAPL_offsets.csv', 'two_symbols.csv']);
    place(['bad/ragged.csv'], path.join(dir, 'sub'));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a csv');
    const plan = await prepare(dir, { tz: 'UTC' });
    expect(plan).toEqual({ symbols: ['AAA', 'AAPL', 'BBB', 'DBB'], timeframe: '1m', start: '2024-01-02', end: '2024-11-05' });
    const only = await prepare(dir, { tz: 'UTC', symbols: ['DBB', 'AAA'] });
    expect(only).toEqual({ symbols: ['DBB', 'AAA'], timeframe: '1m', start: '2024-01-02', end: '2024-11-05' });
    const dbb = await fetchAll(dir, 'DBB', '2024-01-01', '2024-12-31', { tz: 'UTC' });
    expect(dbb.bars.length).toBe(513);
  });

  it('streams a symbol split over several files in order, file after file', async () => {
    const lines = fs.readFileSync(path.join(FIXTURES, 'DBB_1min.csv'), 'utf8').trim().split('\n');
    write('DBB_2024a.csv', [lines[0], ...lines.slice(1, 304)].join('\n') + '\n');
    write('DBB_2024b.csv', [lines[0], ...lines.slice(304)].join('\n') + '\n');
    const plan = await prepare(dir, { tz: 'UTC' });
    expect(plan).toEqual({ symbols: ['DBB'], timeframe: '1m', start: '2024-03-07', end: '2024-11-05' });
    const split = await fetchAll(dir, 'DBB', plan.start, plan.end, { tz: 'UTC', pageSize: 100 });
    const whole = await fetchAll(place(['DBB_1min.csv'], path.join(dir, 'whole')), 'DBB', plan.start, plan.end, { tz: 'UTC' });
    expect(tsList(split.bars)).toEqual(tsList(whole.bars));
    expect(Array.from(split.bars.close.subarray(0, split.bars.length))).toEqual(Array.from(whole.bars.close.subarray(0, whole.bars.length)));
  });

  it('merges several files of one symbol in a folder, the later file winning a repeated timestamp', async () => {
    write('XYZ_2024a.csv', 'timestamp,open,high,low,close,volume\n2024-01-02 09:30,1,1,1,1,1\n2024-01-02 09:31,1,1,1,2,1\n');
    write('XYZ_2024b.csv', 'timestamp,open,high,low,close,volume\n2024-01-02 09:31,1,1,1,20,1\n2024-01-02 09:32,1,1,1,3,1\n');
    const plan = await prepare(dir);
    expect(plan).toEqual({ symbols: ['XYZ'], timeframe: '1m', start: '2024-01-02', end: '2024-01-02' });
    const { bars } = await fetchAll(dir, 'XYZ', plan.start, plan.end);
    expect(Array.from(bars.close.subarray(0, bars.length))).toEqual([1, 20, 3]);
  });

  it('--start/--end keep the exchange-local dates given, and say so when nothing is left', async () => {
    const file = place(['DBB_1min.csv']);
    const plan = await prepare(file, { tz: 'UTC', start: '2024-03-09', end: '2024-11-01' });
    expect(plan).toEqual({ symbols: ['DBB'], timeframe: '1m', start: '2024-03-11', end: '2024-11-01' });
    const e = await refusal(prepare(file, { tz: 'UTC', start: '2024-05-01', end: '2024-05-31' }));
    expect(e.message).toContain('no bars between 2024-05-01 and 2024-05-31');
    expect(e.message).toContain('2024-03-07..2024-11-05');
  });
});

describe('csv provider: symbols and timeframes', () => {
  it('a single file takes its symbol from --symbols, or from its name, or asks for --symbols', async () => {
    const file = write('my bars.csv', fs.readFileSync(path.join(FIXTURES, 'AAPL_offsets.csv')));
    const e = await refusal(prepare(file));
    expect(e.message).toContain('cannot tell the symbol of my bars.csv');
    expect(e.message).toContain('--symbols');
    const plan = await prepare(file, { symbols: ['BRK.B'] });
    expect(plan.symbols).toEqual(['BRK.B']);
    const { bars } = await fetchAll(file, 'BRK.B', plan.start, plan.end);
    expect(bars.length).toBe(6);
    const two = await refusal(prepare(file, { symbols: ['A', 'B'] }));
    expect(two.message).toContain('holds one symbol');
  });

  it('a folder file whose name is no symbol and that has no symbol column is refused', async () => {
    place(['AAPL_offsets.csv']);
    write('_misc.csv', 'timestamp,open,high,low,close,volume\n2024-01-02 09:30,1,1,1,1,1\n');
    const e = await refusal(prepare(dir));
    expect(e.message).toContain('cannot tell the symbol of _misc.csv from its name');
  });

  it('refuses a spacing that is no timeframe, naming the file and the spacing; --timeframe overrides', async () => {
    const file = write('TWO_2min.csv', 'timestamp,open,high,low,close,volume\n2024-01-02 09:30,1,1,1,1,1\n2024-01-02 09:32,1,1,1,1,1\n2024-01-02 09:34,1,1,1,1,1\n');
    const e = await refusal(prepare(file));
    expect(e.message).toBe("csv: TWO_2min.csv: TWO's bars are most often 2 min apart, which is none of 1m, 5m, 15m, 30m, 1h, 1d: give --timeframe");
    expect((await prepare(file, { timeframe: '1m' })).timeframe).toBe('1m');
  });

  it('infers 30m, and daily from a spacing of a day or more', async () => {
    const f30 = write('THIRTY.csv', 'timestamp,open,high,low,close,volume\n2024-01-02 09:30,1,1,1,1,1\n2024-01-02 10:00,1,1,1,1,1\n2024-01-02 10:30,1,1,1,1,1\n');
    expect((await prepare(f30)).timeframe).toBe('30m');
    const fd = write('DAILY.csv', 'timestamp,open,high,low,close,volume\n2024-01-02T16:00:00-05:00,1,1,1,1,1\n2024-01-03T16:00:00-05:00,1,1,1,1,1\n2024-01-05T16:00:00-05:00,1,1,1,1,1\n');
    expect((await prepare(fd)).timeframe).toBe('1d');
  });

  it('asks for --timeframe when a symbol has a single bar', async () => {
    const file = write('ONE.csv', 'timestamp,open,high,low,close,volume\n2024-01-02 09:30,1,1,1,1,1\n');
    const e = await refusal(prepare(file));
    expect(e.message).toContain('single bar');
    expect((await prepare(file, { timeframe: '5m' })).timeframe).toBe('5m');
  });

  it('refuses symbols with different spacings in one import', async () => {
    place(['DBB_1min.csv', 'QQQ_upper.csv']);
    const e = await refusal(prepare(dir, { tz: 'UTC' }));
    expect(e.message).toContain('different spacings (DBB 1m, QQQ 15m)');
    expect((await prepare(dir, { tz: 'UTC', symbols: ['QQQ'] })).timeframe).toBe('15m');
  });
});

describe('csv provider: refusals', () => {
  const cases: [string, string | RegExp][] = [
    ['bad/binary.csv', 'csv: binary.csv is not a text CSV file (binary bytes near byte 5)'],
    ['bad/missing_close.csv', 'csv: missing_close.csv has no "close" column ("close" or "c"); its header is: timestamp, open, high, low, volume'],
    ['bad/prices.csv', 'csv: prices.csv line 17, column "close": "12,5x" is not a number'],
    ['bad/bad_timestamp.csv', /^csv: bad_timestamp\.csv line 4, column "timestamp": "2024-01-02 25:61:00" is not a timestamp/],
    ['bad/unbalanced_quote.csv', 'csv: unbalanced_quote.csv line 3: a quoted field is never closed (unbalanced ")'],
    ['bad/header_only.csv', 'csv: header_only.csv has a header but no data rows'],
    ['bad/ragged.csv', 'csv: ragged.csv line 5: expected 6 fields as in the header, found 7'],
  ];
  for (const [fixture, expected] of cases) {
    it(`refuses ${fixture} in prepare, naming file, line and column`, async () => {
      const file = place([fixture]);
      const e = await refusal(prepare(file, { symbols: ['X'] }));
      if (typeof expected === 'string') expect(e.message).toBe(expected);
      else expect(e.message).toMatch(expected);
      expect(openSourceCount()).toBe(0); // a refused parse is not kept
    });
  }

  it('refuses fields that are empty, infinite, short rows, bad symbols and unreadable optional fields', async () => {
    const NON_FINITE = "is not a finite number (NaN, infinities and values beyond a double's range are refused)";
    const h = 'timestamp,open,high,low,close,volume';
    const ok = '2024-01-02 09:30,1,1,1,1,1';
    const t = [
      [`${h}\n${ok}\n2024-01-02 09:31,1,,1,1,1\n`, 'csv: A.csv line 3, column "high" is empty'],
      [`${h}\n${ok}\n2024-01-02 09:31,1,1,1,inf,1\n`, `csv: A.csv line 3, column "close": "inf" ${NON_FINITE}`],
      [`${h}\n${ok}\n2024-01-02 09:31,NaN,1,1,1,1\n`, `csv: A.csv line 3, column "open": "NaN" ${NON_FINITE}`],
      [`${h}\n${ok}\n2024-01-02 09:31,1,1,1,1,1e400\n`, `csv: A.csv line 3, column "volume": "1e400" ${NON_FINITE}`],
      [`${h},vwap\n${ok},1\n2024-01-02 09:31,1,1,1,1,1,NaN\n`, `csv: A.csv line 3, column "vwap": "NaN" ${NON_FINITE}`],
      [`${h},trade_count\n${ok},1\n2024-01-02 09:31,1,1,1,1,1,-Infinity\n`, `csv: A.csv line 3, column "trade_count": "-Infinity" ${NON_FINITE}`],
      [`${h}\n${ok}\n2024-01-02 09:31,1,1,1,1\n`, 'csv: A.csv line 3: expected 6 fields as in the header, found 5'],
      [`symbol,${h}\nAA,${ok}\nA B,${ok}\n`, 'csv: A.csv line 3, column "symbol": "A B" is not a symbol (letters, digits, ".", "-", 1-15 characters)'],
      [`symbol,${h}\nAA,${ok}\n,${ok}\n`, 'csv: A.csv line 3, column "symbol" is empty'],
      [`${h},vwap\n${ok},1\n2024-01-02 09:31,1,1,1,1,1,n/a\n`, 'csv: A.csv line 3, column "vwap": "n/a" is not a number'],
      [`t,o,h,l,c,v\n1704205800000,1,1,1,1,1\n2024-01-02,1,1,1,1,1\n`, 'csv: A.csv line 3, column "t": "2024-01-02" is not an epoch timestamp like the first row (seconds or milliseconds since 1970)'],
      [`Date,Time,o,h,l,c,v\n2024-01-02,09:30,1,1,1,1,1\n2024-01-02,9h31,1,1,1,1,1\n`, /^csv: A\.csv line 3, columns "Date" and "Time": "2024-01-02 9h31" is not a timestamp/],
      [`${h}\n"2024-01-02\n09:30",1,1,1,1,1\n\n2024-01-02 09:31,1,1,1,x,1\n`, 'csv: A.csv line 5, column "close": "x" is not a number'],
      ['timestamp;open;high;low;close;volume\n2024-01-02 09:30;1;1;1;1;1\n', 'csv: A.csv has no timestamp column ("timestamp" or "datetime" or "date" or "time" or "t"); its header is: timestamp;open;high;low;close;volume (fields must be separated by ",")'],
      ['', 'csv: A.csv is empty'],
      ['\n\n', 'csv: A.csv is empty'],
    ] as const;
    for (const [text, expected] of t) {
      const file = write('A.csv', text);
      const e = await refusal(prepare(file));
      if (typeof expected === 'string') expect(e.message).toBe(expected);
      else expect(e.message).toMatch(expected);
    }
  });

  it('refuses a missing file or folder, and a folder without CSV files', async () => {
    expect((await refusal(prepare(path.join(dir, 'nope.csv')))).message).toContain('no such file or folder');
    expect((await refusal(prepare(dir))).message).toContain('no *.csv files in');
    expect((await refusal(csvProvider.prepare!({ symbols: [], timeframe: undefined, start: undefined, end: undefined, feed: 'file', source: undefined, tz: undefined }, ctx()))).message).toContain('--source is required');
  });

  it('one bad file refuses the whole folder', async () => {
    place(['DBB_1min.csv', 'bad/prices.csv']);
    const e = await refusal(prepare(dir, { tz: 'UTC' }));
    expect(e.message).toBe('csv: prices.csv line 17, column "close": "12,5x" is not a number');
  });

  it('refuses bars outside the exchange calendar unless --start/--end leave them out', async () => {
    const file = write('OLD.csv', 'date,open,high,low,close,volume\n1989-12-28,1,1,1,1,1\n1989-12-29,1,1,1,1,1\n1990-01-02,1,1,1,1,1\n1990-01-03,1,1,1,1,1\n');
    const e = await refusal(prepare(file));
    expect(e.message).toContain('holds bars from 1989-12-28, before the exchange calendar starts (1990): give --start 1990-01-01 or later');
    expect(await prepare(file, { start: '1990-01-01' })).toEqual({ symbols: ['OLD'], timeframe: '1d', start: '1990-01-02', end: '1990-01-03' });
  });

  it('does not reject semantically odd bars (high < low, negative volume): validation reports those', async () => {
    const file = write('ODD.csv', 'timestamp,open,high,low,close,volume\n2024-01-02 09:30,5,1,9,5,-3\n2024-01-02 09:31,5,1,9,5,0\n');
    const { bars } = await importAll(file);
    expect(bars.get('ODD')!.length).toBe(2);
  });
});

describe('csv provider: streaming', () => {
  it('honours the abort signal between chunks', async () => {
    const rows = ['timestamp,open,high,low,close,volume'];
    for (let i = 0; i < 20_000; i++) rows.push(`${new Date(Date.UTC(2024, 0, 2) + i * 60_000).toISOString()},1,1,1,1,1`);
    const file = write('BIG.csv', rows.join('\n') + '\n');
    const plan = await prepare(file);
    const ac = new AbortController();
    const req = { symbol: 'BIG', timeframe: '1m' as const, start: plan.start, end: plan.end, feed: 'file', pageSize: 1000, source: file, tz: undefined };
    let pages = 0;
    const run = async () => {
      for await (const _page of csvProvider.fetchBars(req, ctx(ac.signal))) {
        pages++;
        ac.abort();
      }
    };
    await expect(run()).rejects.toMatchObject({ code: 'E_CANCELLED' });
    expect(pages).toBe(1);
  });

  it('parses a source once for prepare and all its fetches, and again when a file changes', async () => {
    const file = write('CHG.csv', 'timestamp,open,high,low,close,volume\n2024-01-02 09:30,1,1,1,1,1\n2024-01-02 09:31,1,1,1,2,1\n');
    const plan = await prepare(file);
    expect(openSourceCount()).toBe(1);
    expect((await fetchAll(file, 'CHG', plan.start, plan.end)).bars.length).toBe(2);
    expect(openSourceCount()).toBe(1);
    fs.appendFileSync(file, '2024-01-02 09:32,1,1,1,3,1\n');
    expect((await fetchAll(file, 'CHG', plan.start, plan.end)).bars.length).toBe(3);
    expect(openSourceCount()).toBe(1); // the stale parse was idle, so it was closed
    await closeIdleSources();
    expect(openSourceCount()).toBe(0);
    // concurrent requests for the same files share one parse
    const [p1, p2] = await Promise.all([prepare(file), prepare(file)]);
    expect(p1).toEqual(p2);
    expect(openSourceCount()).toBe(1);
  });

  it('keepLastOfEqualTs keeps the last of each run, including a run that started before `start`', () => {
    const b = emptyBatch('X', 8);
    const ts = [1, 2, 2, 3, 3, 3, 4, 4];
    ts.forEach((t, i) => {
      b.ts[i] = t;
      b.close[i] = i;
    });
    expect(keepLastOfEqualTs(b, 0, 8)).toBe(4);
    expect(Array.from(b.ts.subarray(0, 4))).toEqual([1, 2, 3, 4]);
    expect(Array.from(b.close.subarray(0, 4))).toEqual([0, 2, 5, 7]);
    const c = emptyBatch('X', 4);
    [5, 6, 6, 7].forEach((t, i) => (c.ts[i] = t));
    expect(keepLastOfEqualTs(c, 2, 4)).toBe(3);
  });

  it('lineOfRecord counts empty lines and quoted newlines the way the reader does', async () => {
    const file = write('L.csv', 'h1,h2\r\n1,2\r\n\r\n"a\nb",3\n4,5');
    expect(await lineOfRecord(file, 0)).toBe(1);
    expect(await lineOfRecord(file, 1)).toBe(2);
    expect(await lineOfRecord(file, 2)).toBe(4);
    expect(await lineOfRecord(file, 3)).toBe(6);
    expect(await lineOfRecord(file, 4)).toBe(null);
  });

  it('lineOfRecord keeps its count across the reads of a file of several MiB (a quoted newline on a read boundary)', async () => {
    // 1 MiB reads: the quoted field "x\ny" is placed so that its newline is the first byte of the second read
    const row = '1,2\n';
    const head = 'h1,h2\n' + row.repeat(Math.floor((1024 * 1024 - 100) / row.length));
    const pad = 'z'.repeat(1024 * 1024 - head.length - 3);
    const body = head + pad + ',"x' + '\ny"\n' + row.repeat(300_000);
    expect(body.indexOf('\ny"')).toBe(1024 * 1024);
    const file = write('big.csv', body);
    const before = head.split('\n').length - 1; // records 0..before-1 take one line each
    expect(await lineOfRecord(file, before)).toBe(before + 1); // the record holding the quoted newline
    expect(await lineOfRecord(file, before + 1)).toBe(before + 3); // the next one starts two lines further
    expect(await lineOfRecord(file, before + 300_000)).toBe(before + 300_002);
    expect(await lineOfRecord(file, before + 300_001)).toBe(null);
  });
});

describe('csv provider through the engine', () => {
  const fx = useTestEngine('mp-csv-engine-');

  const listFiles = (root: string): string[] => (fs.existsSync(root) ? fs.readdirSync(root, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => d.name) : []);

  it('ingests a file end to end: the job succeeds and the lake holds every bar', async () => {
    const source = place(['DBB_1min.csv'], path.join(dir, 'in'));
    const job = await fx.engine.startIngest({ provider: 'csv', source, tz: 'UTC', symbols: [], workers: 1, force: false });
    expect(job).toMatchObject({ provider: 'csv', feed: 'file', timeframe: '1m', symbols: ['DBB'], start: '2024-03-07', end: '2024-11-05' });
    const done = await fx.engine.waitForJob(job.id);
    expect(done.status).toBe('succeeded');
    expect(done.rowsWritten).toBe(513);
    const rows = await queryRows(fx.engine, "SELECT count(*), min(ts), max(ts) FROM bars WHERE timeframe = '1m' AND provider = 'csv'", 10);
    expect(rows[0]![0]).toBe(513);
    expect(String(rows[0]![1])).toMatch(/^2024-03-07T14:28:00(\.000)?Z$|^2024-03-07 14:28:00/);
  });

  it('ingests a two-symbol file with several workers', async () => {
    const source = place(['two_symbols.csv'], path.join(dir, 'in'));
    const done = await fx.engine.waitForJob((await fx.engine.startIngest({ provider: 'csv', source, symbols: [], workers: 2, force: false })).id);
    expect(done.status).toBe('succeeded');
    expect(await queryRows(fx.engine, "SELECT symbol, count(*) FROM bars WHERE timeframe = '1m' AND provider = 'csv' GROUP BY 1 ORDER BY 1", 10)).toEqual([
      ['AAA', 5],
      ['BBB', 5],
    ]);
  });

  it('a refused file leaves the lake untouched and creates no job', async () => {
    const source = place(['bad/prices.csv'], path.join(dir, 'in'));
    const err = await fx.engine.startIngest({ provider: 'csv', source, tz: 'UTC', symbols: ['PRC'], workers: 1, force: false }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'E_BAD_INPUT', message: 'csv: prices.csv line 17, column "close": "12,5x" is not a number' });
    expect(listFiles(fx.engine.paths.bars)).toEqual([]);
    const jobs = await fx.engine.dispatcher.dispatch('jobs.list', {}, { transport: 'in-process' });
    expect(jobs).toEqual({ ok: true, value: [] });
  });
});
