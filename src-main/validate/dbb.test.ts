import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTmpDir, type TmpDir } from '../testing/tmp';
import { runValidation } from './run';
import { loadUtcCsv, readReport } from './fixtures/lake';

// A month of a real thin ETF (DBB, Invesco base metals; 1-minute bars, UTC), March 2024 (it crosses the DST switch).
const DBB = path.join(__dirname, 'fixtures', 'DBB_1min_2024-03.csv');

let tmp: TmpDir;
beforeEach(() => (tmp = makeTmpDir('mp-validate-dbb-')));
afterEach(() => tmp.cleanup());

describe('validation of real thin data (DBB, March 2024)', () => {
  it('runs and reports plausible findings: gaps on every day, info only (thin), nothing broken', async () => {
    const barsRoot = path.join(tmp.dir, 'bars');
    await loadUtcCsv(barsRoot, { timeframe: '1m', provider: 'csv', feed: 'file', symbol: 'DBB', year: 2024 }, DBB);
    const r = await runValidation({ barsRoot, reportDir: path.join(tmp.dir, 'reports'), now: Date.UTC(2025, 0, 1), scope: { start: '2024-03-01', end: '2024-03-29' } });
    const rows = await readReport(r.reportFile);
    expect(r.barsChecked).toBe(1346);
    // 20 sessions in March 2024 up to the 29th (Good Friday, 03-29, is a holiday)
    const gaps = rows.filter((x) => x.rule === 'intraday_gap');
    expect(gaps.length).toBe(20);
    expect(new Set(gaps.map((x) => x.severity))).toEqual(new Set(['info']));
    expect(gaps.every((x) => x.message.endsWith('; thin symbol'))).toBe(true);
    expect(r.findings.ohlc_consistency.error + r.findings.non_positive_price.error + r.findings.negative_volume.error + r.findings.non_trading_day.error).toBe(0);
    expect(r.findings.timestamp_alignment.error + r.findings.duplicate_bar.error + r.findings.missing_session.error).toBe(0);
  });
});
