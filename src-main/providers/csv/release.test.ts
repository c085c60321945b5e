import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useTestEngine } from '../../testing/engine';
import { createLogger } from '../../shared/log';
import { offline } from '../http/offline';
import { silentLogger } from '../../shared/log';
import { openSourceCount, sourceParses } from './cache';
import { closeIdleSources, csvProvider } from './index';

// The csv provider keeps a source's parsed copy (its own DuckDB, up to CSV_SOURCE_MEMORY) from prepare() through the
// job's fetches. These tests hold that the copy is given back when the job's fetch ends, not kept for good (or for
// the idle minute) by an app that imported a big file once.

const FIXTURES = path.join(__dirname, 'fixtures');
const lines: Array<Record<string, unknown>> = [];
const log = createLogger({ level: 'info', write: (line) => void lines.push(JSON.parse(line) as Record<string, unknown>) });

afterEach(async () => {
  await closeIdleSources();
  lines.length = 0;
});

describe('csv provider: the parsed copy of a source is released when its fetch ends', () => {
  const fx = useTestEngine('mp-csv-release-', { log });

  it('closes the copy after each job and parses the file again for the next job', async () => {
    const source = path.join(fx.dir, 'DBB_1min.csv');
    fs.copyFileSync(path.join(FIXTURES, 'DBB_1min.csv'), source);
    const parses = sourceParses();
    const first = await fx.engine.waitForJob((await fx.engine.startIngest({ provider: 'csv', source, tz: 'UTC', symbols: [], workers: 1, force: false })).id);
    expect(first.status).toBe('succeeded');
    // the job's fetch has ended: its copy is closed (it used to stay open for the idle minute, or until the next parse)
    expect(openSourceCount()).toBe(0);
    const second = await fx.engine.waitForJob((await fx.engine.startIngest({ provider: 'csv', source, tz: 'UTC', symbols: [], workers: 1, force: true })).id);
    expect(second.status).toBe('succeeded');
    expect(second.rowsWritten).toBe(513);
    expect(openSourceCount()).toBe(0);
    // each job's prepare() read the file: the first job's copy did not survive it
    const reads = lines.filter((l) => l.msg === 'csv source read');
    expect(reads.map((l) => l.parsedNow)).toEqual([true, true]);
    expect(sourceParses() - parses).toBe(2);
  });
});

describe('csv provider idle()', () => {
  const ctx = { signal: new AbortController().signal, env: {}, log: silentLogger, http: offline('csv') };

  it('keeps a parse only prepare() has used (its job is about to fetch) and closes one a fetch has used', async () => {
    const source = path.join(FIXTURES, 'DBB_1min.csv');
    const plan = await csvProvider.prepare!({ symbols: [], timeframe: undefined, start: undefined, end: undefined, feed: 'file', source, tz: 'UTC' }, ctx);
    await csvProvider.idle!();
    expect(openSourceCount()).toBe(1);
    const req = { symbol: 'DBB', timeframe: '1m' as const, start: plan.start, end: plan.end, feed: 'file', pageSize: 1000, source, tz: 'UTC' };
    const unit = await csvProvider.openUnit!(req, ctx);
    expect(unit).not.toBeNull();
    // a unit still held (the writer copying it) keeps its source open
    await csvProvider.idle!();
    expect(openSourceCount()).toBe(1);
    unit!.release();
    await csvProvider.idle!();
    expect(openSourceCount()).toBe(0);
  });
});
