import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli, useCliTestDir } from './testing';

// `marketpipe validate` and `marketpipe aggregate` through the CLI, in-process, on a real lake.

const tmp = useCliTestDir('mp-va-');

const cli = (args: string[]) => runCli(tmp.dataDir, args);

describe('validate and aggregate commands', () => {
  it('validate writes a CSV audit report and records the run; aggregate builds every coarser timeframe', async () => {
    expect((await cli(['ingest', '--provider', 'fake', '--symbols', 'AAPL,MSFT', '--start', '2024-01-02', '--end', '2024-01-05', '--no-pipeline'])).code).toBe(0);
    const v = await cli(['validate', '--json']);
    expect(v.code, v.stderr).toBe(0);
    const r = JSON.parse(v.stdout) as { totalFindings: number; barsChecked: number; reportFile: string; calendarVersion: string };
    expect(r).toMatchObject({ barsChecked: 3120, totalFindings: 0 });
    expect(fs.readFileSync(r.reportFile, 'utf8').split('\r\n')[0]).toMatch(/^symbol,timeframe,ts,rule,severity,message/);
    const list = JSON.parse((await cli(['validate', '--list', '--json'])).stdout) as { reportFile: string }[];
    expect(list.map((x) => x.reportFile)).toEqual([r.reportFile]);

    const a = await cli(['aggregate', '--json']);
    expect(a.code, a.stderr).toBe(0);
    // 4 sessions x 2 symbols: 78 five-minute bars a session, 7 hourly (09:00-15:00 buckets), 1 daily
    expect(JSON.parse(a.stdout).rows).toEqual({ '5m': 624, '15m': 208, '30m': 104, '1h': 56, '1d': 8 });
    const q = await cli(['query', 'SELECT timeframe, count(*) AS n FROM bars GROUP BY 1 ORDER BY 1', '--format', 'csv']);
    expect(q.stdout).toBe('timeframe,n\n15m,208\n1d,8\n1h,56\n1m,3120\n30m,104\n5m,624\n');
    // idempotent
    await cli(['aggregate']);
    expect((await cli(['query', 'SELECT count(*) AS n FROM bars', '--format', 'csv'])).stdout).toBe('n\n4120\n');
  });

  it('refuses bad input with one line and exit 2, creating nothing', async () => {
    for (const args of [['validate', '--start', '2024-02-30'], ['aggregate', '--timeframes', '1m'], ['aggregate', '--timeframes', '7m'], ['validate', '--symbols', 'A$']]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(fs.existsSync(tmp.dataDir)).toBe(false);
  });
});
