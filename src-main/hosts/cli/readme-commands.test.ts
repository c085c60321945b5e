import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { run } from './main';
import { capture, expectOneLineError, lines, runCli, useCliTestDir, type CliResult } from './testing';

// Issue 15 item 6: every command of the original MarketPipe README, as its users will paste them, through the
// in-process CLI against the fake provider and a temp data dir (never the network: providers that need credentials
// answer with one line naming the variable to set). Each works, or answers in one line with what to type instead.

const tmp = useCliTestDir('mp-readme-');


function ok(r: CliResult): CliResult {
  expect(r.code, r.stderr).toBe(0);
  return r;
}

const NO_CREDENTIALS: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '' };

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** Runs the blocking `metrics` server command until it prints its URL, scrapes it, then stops it as SIGINT would. */
async function runServer(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string; body: string }> {
  const io = capture();
  const before = new Set(process.listeners('SIGINT'));
  const running = run(['node', 'marketpipe', '--data-dir', tmp.dataDir, ...args], { stdout: io.stdout, stderr: io.stderr, env });
  let body = '';
  let ended = false;
  const end = () => (ended = true);
  running.then(end, end);
  // until the URL is printed or the command ends (a 10 s deadline ran out on a loaded machine; the test's own timeout
  // still ends a hang)
  while (body === '' && !ended) {
    const m = /metrics: (http:\/\/\S+\/metrics)/.exec(io.out());
    if (m) body = await (await fetch(m[1]!)).text();
    else await new Promise((r) => setTimeout(r, 25));
  }
  for (const l of process.listeners('SIGINT')) if (!before.has(l)) (l as () => void)();
  const code = await running;
  return { code, stdout: io.out(), stderr: io.err(), body };
}

describe('the original README, command by command', () => {
  it('marketpipe --help, ingest --help, metrics --help', async () => {
    expect(ok(await runCli(tmp.dataDir, ['--help'])).stdout).toMatch(/health-check|doctor|prune/);
    expect(ok(await runCli(tmp.dataDir, ['ingest', '--help'])).stdout).toMatch(/--output <dir>[\s\S]*--workers|--workers[\s\S]*--output <dir>/);
    expect(ok(await runCli(tmp.dataDir, ['metrics', '--help'])).stdout).toMatch(/--legacy-metrics/);
    expect(fs.existsSync(tmp.dataDir)).toBe(false);
  });

  it('ingest without --provider says how to choose one, exit 2, nothing written', async () => {
    const line = expectOneLineError(await runCli(tmp.dataDir, ['ingest', '--symbols', 'AAPL', '--start', '2024-01-01', '--end', '2024-01-02']), 2);
    expect(line).toMatch(/--provider/);
    expect(line).toMatch(/fake/);
    expect(line).toMatch(/marketpipe providers/);
    expect(fs.existsSync(tmp.dataDir)).toBe(false);
  });

  it('providers', async () => {
    const r = ok(await runCli(tmp.dataDir, ['providers'], NO_CREDENTIALS));
    expect(r.stdout).toMatch(/^fake/m);
    expect(r.stdout).toMatch(/alpaca .*needs ALPACA_/);
  });

  it('ingest --provider fake ... --batch-size 10, then --workers and --output DIR', async () => {
    const r = ok(await runCli(tmp.dataDir, ['ingest', '--provider', 'fake', '--symbols', 'TEST', '--start', '2024-01-01', '--end', '2024-01-02', '--batch-size', '10']));
    expect(r.stdout).toMatch(/succeeded: \d+ rows/);
    const out = path.join(tmp.dir, 'elsewhere');
    const r2 = await runCli(tmp.dataDir, ['ingest', '--provider', 'fake', '--symbols', 'TEST', '--start', '2024-01-02', '--end', '2024-01-03', '--workers', '2', '--output', out, '--json']);
    // --data-dir is given by the runner: --output as well is one line, exit 2
    expect(expectOneLineError(r2, 2)).toMatch(/--output is another name for --data-dir/);
    const r3 = await run(['node', 'marketpipe', 'ingest', '--provider', 'fake', '--symbols', 'TEST', '--start', '2024-01-02', '--end', '2024-01-03', '--workers', '2', '--output', out, '--json'], { stdout: new PassThrough(), stderr: new PassThrough(), env: { MP_DATA_DIR: path.join(tmp.dir, 'default') } });
    expect(r3).toBe(0);
    expect(fs.existsSync(path.join(out, 'lake'))).toBe(true);
    expect(fs.existsSync(path.join(tmp.dir, 'default'))).toBe(false);
  });

  for (const [provider, symbols, batch, variable] of [
    ['alpaca', 'AAPL,MSFT', '1000', /ALPACA_/],
    ['iex', 'AAPL', '500', /IEX_/],
  ] as const) {
    it(`ingest --provider ${provider} without credentials names the variable to set`, async () => {
      const r = await runCli(tmp.dataDir, ['ingest', '--provider', provider, '--symbols', symbols, '--start', '2024-01-01', '--end', '2024-01-02', '--batch-size', batch], NO_CREDENTIALS);
      expect(r.code).not.toBe(0);
      expect(expectOneLineError(r, r.code)).toMatch(variable);
    });
  }

  it('validate --list, validate, query, aggregate, migrate with no arguments', async () => {
    expect(ok(await runCli(tmp.dataDir, ['validate', '--list'])).stdout).toMatch(/no validation runs yet/);
    const v = ok(await runCli(tmp.dataDir, ['validate']));
    expect(v.stdout).toMatch(/validated 0 bars/);
    expect(ok(await runCli(tmp.dataDir, ['validate', '--list'])).stdout).toMatch(/findings/);
    expect(expectOneLineError(await runCli(tmp.dataDir, ['query']), 2)).toMatch(/usage: marketpipe query "SQL"/);
    expect(ok(await runCli(tmp.dataDir, ['aggregate'])).stdout).toMatch(/aggregated 0 source partition/);
    expect(ok(await runCli(tmp.dataDir, ['migrate'])).stdout).toMatch(/up to date|applied/);
  });

  it('metrics --list, --metric ingestion_bars, --avg 1h --plot (after an ingest)', async () => {
    ok(await runCli(tmp.dataDir, ['ingest', '--provider', 'fake', '--symbols', 'TEST', '--start', '2024-01-02', '--end', '2024-01-03']));
    const list = ok(await runCli(tmp.dataDir, ['metrics', '--list']));
    expect(list.stdout).toMatch(/mp_ingest_rows_total/);
    const one = ok(await runCli(tmp.dataDir, ['metrics', '--metric', 'ingestion_bars']));
    expect(one.stdout).toMatch(/^mp_ingest_rows_total/m);
    expect(one.stderr).toMatch(/ingestion_bars is mp_ingest_rows_total/);
    const plot = ok(await runCli(tmp.dataDir, ['metrics', '--avg', '1h', '--plot']));
    for (const title of ['rows ingested', 'requests', 'errors', 'latency']) expect(plot.stdout).toContain(title);
    expect(plot.stdout).toMatch(/\*/);
    expect(expectOneLineError(await runCli(tmp.dataDir, ['metrics', '--metric', 'no_such_metric']), 2)).toMatch(/unknown metric/);
  });

  it('metrics --port 8000 --legacy-metrics serves the legacy format; METRICS_* and PROMETHEUS_MULTIPROC_DIR are read', async () => {
    const port = (await portFree(8000)) ? '8000' : '0';
    const r = await runServer(['metrics', '--port', port, '--legacy-metrics'], { METRICS_MAX_CONNECTIONS: '10', METRICS_MAX_HEADER_SIZE: '8192', PROMETHEUS_MULTIPROC_DIR: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/legacy format/);
    expect(r.body).toMatch(/mp_ingest_rows_total/);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/PROMETHEUS_MULTIPROC_DIR .*history database/)]);
    const viaEnv = await runServer(['metrics'], { METRICS_PORT: '0' });
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
    expect(viaEnv.body).toMatch(/# HELP/);
    expect(expectOneLineError(await runCli(tmp.dataDir, ['metrics'], { METRICS_MAX_CONNECTIONS: 'lots' }), 2)).toMatch(/METRICS_MAX_CONNECTIONS/);
  });

  it('aggregate --timeframes 4h builds New York 4-hour bars (not in the default set)', async () => {
    ok(await runCli(tmp.dataDir, ['ingest', '--provider', 'fake', '--symbols', 'TEST', '--start', '2024-01-02', '--end', '2024-01-03', '--no-pipeline']));
    expect(ok(await runCli(tmp.dataDir, ['aggregate'])).stdout).not.toMatch(/4h/);
    expect(ok(await runCli(tmp.dataDir, ['aggregate', '--timeframes', '4h'])).stdout).toMatch(/4h 4 bars/);
  });

  it('health-check: exit 0 with its checks on a working data dir', async () => {
    const r = ok(await runCli(tmp.dataDir, ['health-check']));
    expect(r.stdout).toMatch(/db\s+ok/);
    expect(r.stdout).toMatch(/migrations\s+ok/);
  });

  it('doctor on a fresh data dir finds nothing to fix', async () => {
    const d = await runCli(tmp.dataDir, ['doctor']);
    expect(d.code, d.stdout).toBe(0);
    expect(d.stdout).toMatch(/no problems found/);
  });

  it('doctor finds a lost partition file and a dead writer\'s temp file, each with its fix; exit 1', async () => {
    ok(await runCli(tmp.dataDir, ['ingest', '--provider', 'fake', '--symbols', 'TEST', '--start', '2024-01-02', '--end', '2024-01-03', '--no-pipeline']));
    const part = path.join(tmp.dataDir, 'lake', 'bars', 'timeframe=1m', 'provider=fake', 'feed=sim', 'symbol=TEST', 'year=2024');
    const file = fs.readdirSync(part).find((f) => f.endsWith('.parquet'))!;
    fs.renameSync(path.join(part, file), path.join(part, '.data.999999999.abc.parquet.tmp'));
    const r = await runCli(tmp.dataDir, ['doctor']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/file is missing\n {2}fix: marketpipe ingest --provider fake .*--force/);
    expect(r.stdout).toMatch(/temp file .*\n {2}fix: rm /);
    expect(lines(r.stderr)).toHaveLength(1);
  });

  it('prune bars/jobs/metrics/queries: a dry run by default, --yes applies', async () => {
    ok(await runCli(tmp.dataDir, ['ingest', '--provider', 'fake', '--symbols', 'TEST', '--start', '2020-01-02', '--end', '2020-01-03']));
    ok(await runCli(tmp.dataDir, ['ingest', '--provider', 'fake', '--symbols', 'TEST', '--start', '2024-01-02', '--end', '2024-01-03']));
    const dry = ok(await runCli(tmp.dataDir, ['prune', 'bars', '--older-than', '2y']));
    expect(dry.stdout).toMatch(/would delete .*year=2020/);
    expect(dry.stdout).toMatch(/--yes/);
    const yes = ok(await runCli(tmp.dataDir, ['prune', 'bars', '--older-than', '2y', '--yes']));
    expect(yes.stdout).toMatch(/removed 6 year partition\(s\) older than 2y from the lake; their files are retained for query --as-of/);
    const q = ok(await runCli(tmp.dataDir, ['query', "SELECT min(ts) >= TIMESTAMPTZ '2021-01-01' AS ok FROM bars", '--format', 'csv']));
    expect(q.stdout).toMatch(/true/);
    // coverage went with the files: the 2020 sessions are fetched again
    const again = ok(await runCli(tmp.dataDir, ['ingest', '--provider', 'fake', '--symbols', 'TEST', '--start', '2020-01-02', '--end', '2020-01-03']));
    expect(again.stdout).toMatch(/succeeded: [1-9]\d* rows/);
    for (const [what, age] of [['jobs', '90d'], ['metrics', '7d'], ['queries', '30d']] as const) {
      expect(ok(await runCli(tmp.dataDir, ['prune', what, '--older-than', age])).stdout).toMatch(/would delete|nothing/);
      expect(ok(await runCli(tmp.dataDir, ['prune', what, '--older-than', age, '--yes'])).stdout).toMatch(/deleted/);
    }
    expect(expectOneLineError(await runCli(tmp.dataDir, ['prune', 'bars', '--older-than', 'soon']), 2)).toMatch(/--older-than/);
    expect(expectOneLineError(await runCli(tmp.dataDir, ['prune', 'cats', '--older-than', '1d']), 2)).toMatch(/bars, jobs, metrics, queries/);
  });
});

describe('no future bars (issue 13 item 6)', () => {
  it('a range starting after the last closed session is bad input and writes nothing', async () => {
    const line = expectOneLineError(await runCli(tmp.dataDir, ['ingest', '--provider', 'fake', '--symbols', 'TEST', '--start', '2099-01-01', '--end', '2099-01-05']), 2);
    expect(line).toMatch(/after the last closed session/);
    expect(fs.existsSync(path.join(tmp.dataDir, 'lake', 'bars'))).toBe(fs.existsSync(path.join(tmp.dataDir, 'lake', 'bars')) && fs.readdirSync(path.join(tmp.dataDir, 'lake', 'bars')).length > 0);
    const jobs = ok(await runCli(tmp.dataDir, ['jobs', '--json']));
    expect(JSON.parse(jobs.stdout)).toEqual([]);
  });

  it('a range ending in the future is clipped, saying so', async () => {
    const start = new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10);
    const r = ok(await runCli(tmp.dataDir, ['ingest', '--provider', 'fake', '--symbols', 'TEST', '--start', start, '--end', '2099-01-05', '--json']));
    expect(r.stderr).toMatch(/--end 2099-01-05 is after the last closed session: ingesting through \d{4}-\d\d-\d\d/);
    const summary = JSON.parse(r.stdout) as { end: string };
    expect(summary.end < '2099-01-05').toBe(true);
    const q = ok(await runCli(tmp.dataDir, ['query', 'SELECT max(ts) <= now() AS ok FROM bars', '--format', 'csv']));
    expect(q.stdout).toMatch(/true/);
  });
});

describe('smaller items (issue 13 item 8)', () => {
  it('query --output naming a folder is one line, exit 2', async () => {
    expect(expectOneLineError(await runCli(tmp.dataDir, ['query', 'SELECT 1', '--output', tmp.dir]), 2)).toMatch(/is a folder/);
  });
  it('--data-dir "" is bad input', async () => {
    expect(expectOneLineError(await runCli('', ['providers']), 2)).toMatch(/--data-dir is empty/);
  });
  it('a huge --since is bad input', async () => {
    expect(expectOneLineError(await runCli(tmp.dataDir, ['metrics', '--metric', 'mp_requests_total', '--since', '99999999999d']), 2)).toMatch(/100 years/);
    expect(expectOneLineError(await runCli(tmp.dataDir, ['metrics', '--metric', 'mp_requests_total', '--since', '1000y', '--avg', '1s']), 2)).toMatch(/--since/);
  });
});
