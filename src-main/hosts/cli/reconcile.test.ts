import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, useCliTestDir } from './testing';

// `marketpipe reconcile` in-process on a real lake: the fake provider's bars against a copy of them exported with
// `query`, edited, and imported back through the csv provider (a second source, provider csv, feed file).

const tmp = useCliTestDir('mp-reconcile-cli-');

const cli = (args: string[]) => runCli(tmp.dataDir, args);

describe('reconcile command', () => {
  it('finds the one edited bar and the one deleted bar, writes the report, records the run', async () => {
    expect((await cli(['ingest', '--provider', 'fake', '--symbols', 'AAPL', '--start', '2024-01-02', '--end', '2024-01-02', '--no-pipeline'])).code).toBe(0);
    const exported = path.join(tmp.dir, 'AAPL.csv');
    const q = await cli(['query', `SELECT ts AS timestamp, open, high, low, close, volume FROM bars ORDER BY ts`, '--format', 'csv', '--output', exported]);
    expect(q.code, q.stderr).toBe(0);
    const lines = fs.readFileSync(exported, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(391);
    // line 101: close up 5%; line 201: deleted
    const cells = lines[100]!.split(',');
    cells[4] = String(Number(cells[4]) * 1.05);
    lines[100] = cells.join(',');
    const edited = lines.filter((_, i) => i !== 200);
    fs.writeFileSync(exported, edited.join('\n') + '\n');
    const imp = await cli(['ingest', '--provider', 'csv', '--source', exported, '--symbols', 'AAPL', '--no-pipeline']);
    expect(imp.code, imp.stderr).toBe(0);

    const reportDir = path.join(tmp.dir, 'audit');
    const r = await cli(['reconcile', '--symbols', 'AAPL', '--start', '2024-01-02', '--end', '2024-01-02', '--sources', 'fake:sim,csv', '--report-dir', reportDir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { runId: string; totalFindings: number; priceMismatches: number; missing: Record<string, number>; reportFile: string; barsCompared: number };
    expect(out).toMatchObject({ totalFindings: 2, priceMismatches: 1, missing: { 'csv:file': 1, 'fake:sim': 0 }, barsCompared: 390 });
    expect(path.dirname(out.reportFile)).toBe(reportDir);
    const report = fs.readFileSync(out.reportFile, 'utf8').trimEnd().split('\r\n');
    expect(report[0]).toMatch(/^symbol,timeframe,ts,rule,severity,message,/);
    expect(report.slice(1).map((l) => l.split(',').slice(0, 5).join(','))).toEqual([
      `AAPL,1m,${lines[100]!.split(',')[0]!.replace(/\.000Z$|\+00$/, 'Z').replace(/ /, 'T')},source_mismatch,error`,
      `AAPL,1m,${lines[200]!.split(',')[0]!.replace(/\.000Z$|\+00$/, 'Z').replace(/ /, 'T')},source_mismatch,warning`,
    ]);
    // recorded with the validation runs
    const list = JSON.parse((await cli(['validate', '--list', '--json'])).stdout) as { id: string; reportFile: string }[];
    expect(list.map((x) => x.id)).toEqual([out.runId]);

    const human = await cli(['reconcile', '--start', '2024-01-02', '--end', '2024-01-02', '--sources', 'fake,csv:file']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('compared 390 bars of 1 symbol(s), fake:sim vs csv:file: 2 difference(s)');
  });

  it('refuses bad input with one line and exit 2, creating nothing', async () => {
    const base = ['reconcile', '--start', '2024-01-02', '--end', '2024-01-05'];
    for (const args of [
      [...base, '--sources', 'alpaca:sip'],
      [...base, '--sources', 'alpaca:sip,polygon,iex'],
      [...base, '--sources', 'alpaca,alpaca'],
      [...base, '--sources', 'alpaca/../x,polygon'],
      [...base, '--sources', 'alpaca,polygon', '--price-tolerance', 'abc'],
      [...base, '--sources', 'alpaca,polygon', '--volume-tolerance', '-1'],
      [...base, '--sources', 'alpaca,polygon', '--timeframe', '7m'],
      [...base, '--sources', 'alpaca,polygon', '--symbols', 'A$'],
      ['reconcile', '--start', '2024-02-30', '--end', '2024-03-01', '--sources', 'alpaca,polygon'],
      ['reconcile', '--start', '2024-03-02', '--end', '2024-03-01', '--sources', 'alpaca,polygon'],
      ['reconcile', '--start', '2024-03-01', '--sources', 'alpaca,polygon'],
    ]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
    expect(fs.existsSync(tmp.dataDir)).toBe(false);
  });

  it('a source the lake does not hold is a runtime error (exit 1), one line', async () => {
    expect((await cli(['ingest', '--provider', 'fake', '--symbols', 'AAPL', '--start', '2024-01-02', '--end', '2024-01-02', '--no-pipeline'])).code).toBe(0);
    const r = await cli(['reconcile', '--start', '2024-01-02', '--end', '2024-01-02', '--sources', 'fake,polygon']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('marketpipe: error: the lake holds no 1m bars from polygon');
  });
});
