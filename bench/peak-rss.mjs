#!/usr/bin/env node
// Peak memory of one ingest with its pipeline, by stage (not a test): runs `marketpipe ingest --provider fake` under
// GNU time, samples the CLI process's resident memory (VmRSS) every second and tags each sample with the stage the
// engine's log names ("stage started", MP_LOG_LEVEL=info): fetch until the validate stage starts, then validate, then
// aggregate. Prints the peak per stage, the process's high-water mark (GNU time's %M), wall and CPU time (user+sys)
// and the load average at the start and the end. The target: under 1 GB.
// Usage: node bench/peak-rss.mjs [--symbols 500] [--start 2024-01-02] [--end 2024-12-20] [--data-dir D] [--keep] [--trace FILE]
//   (build first: npm run build; without --data-dir a temp dir is used and removed unless --keep)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { bin } from './lib.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const NSYM = Number(opt('--symbols', '500'));
const START = opt('--start', '2024-01-02');
const END = opt('--end', '2024-12-20');
const dataDir = opt('--data-dir', undefined) ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mp-bench-rss-'));
const SYMBOLS = Array.from({ length: NSYM }, (_, i) => `S${String(i).padStart(3, '0')}`).join(',');
const timeOut = path.join(os.tmpdir(), `mp-bench-rss-time-${process.pid}`);
const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');

const readKb = (pid, field) => {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
};
// the CLI is GNU time's only child
const childOf = (pid) => {
  try {
    return Number(fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0]) || null;
  } catch {
    return null;
  }
};

const loadStart = load();
const t0 = performance.now();
const argv = ['-f', '%M %U %S %e', '-o', timeOut, process.execPath, bin, '--data-dir', dataDir, 'ingest', '--provider', 'fake', '--symbols', SYMBOLS, '--start', START, '--end', END, '--workers', '4', '--json'];
const child = spawn('/usr/bin/time', argv, { env: { ...process.env, MP_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
let stage = 'fetch';
// per stage: its peak, and its first sample (what the process holds as the stage starts)
const peaks = new Map([['fetch', { kb: 0, atS: 0, fromS: 0, startKb: null }]]);
const at = () => (performance.now() - t0) / 1000;
readline.createInterface({ input: child.stderr }).on('line', (line) => {
  const m = /"stage":"(\w+)","msg":"stage started"/.exec(line);
  if (m && m[1] !== stage) {
    stage = m[1];
    peaks.set(stage, { kb: 0, atS: 0, fromS: at(), startKb: null });
    console.log(`${at().toFixed(0)} s: ${stage} starts (load ${load()})`);
  } else if (/error|fail/i.test(line)) process.stderr.write(line + '\n');
});
let stdout = '';
child.stdout.on('data', (d) => (stdout += d));
let cli = null;
// --trace FILE: every sample (seconds, stage, kB)
const trace = args.includes('--trace') ? fs.createWriteStream(opt('--trace')) : null;
const timer = setInterval(() => {
  cli ??= childOf(child.pid);
  if (!cli) return;
  const kb = readKb(cli, 'VmRSS');
  const p = peaks.get(stage);
  if (kb === null) return;
  p.startKb ??= kb;
  if (kb > p.kb) Object.assign(p, { kb, atS: at() });
  if (trace) trace.write(`${at().toFixed(1)} ${stage} ${kb}\n`);
}, 1000);
child.on('exit', (code) => {
  clearInterval(timer);
  const [maxKb, user, sys] = fs.readFileSync(timeOut, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
  fs.rmSync(timeOut, { force: true });
  let rows = '?';
  try {
    rows = JSON.parse(stdout).rowsWritten;
  } catch {
    // the summary is not JSON (a failure): the exit code says it
  }
  const mb = (kb) => Math.round(kb / 1024);
  console.log(`${NSYM} symbols ${START}..${END}: ${rows} bars, exit ${code}, wall ${at().toFixed(0)} s, CPU ${(user + sys).toFixed(0)} s, load ${loadStart} -> ${load()}`);
  for (const [s, p] of peaks) console.log(`  ${s.padEnd(9)} from ${p.fromS.toFixed(0).padStart(5)} s: peak RSS ${mb(p.kb)} MB (sampled, at ${p.atS.toFixed(0)} s), ${mb(p.startKb ?? 0)} MB as it starts`);
  console.log(`  high-water mark (GNU time %M): ${mb(maxKb)} MB (${maxKb} kB)`);
  if (!args.includes('--keep') && !args.includes('--data-dir')) fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(code ?? 1);
});
