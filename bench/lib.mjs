// What the benchmark scripts share: where the built CLI is, the median of a sample, `marketpipe serve` on a free
// port (resolves with the child and the URL it printed, token included), and peak RSS of what they measure.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const bin = path.join(root, 'bin', 'marketpipe.cjs');
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * `marketpipe serve` on port 0. Options: `nodeArgs` (before the script, e.g. --cpu-prof), `env` (added), and
 * `metrics: true` to wait also for the Prometheus URL it prints on stderr (resolved as `metricsUrl`).
 */
export function startServe(dataDir, opts = {}) {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), bin, 'serve', '--port', '0', '--data-dir', dataDir], {
    cwd: root,
    env: { ...process.env, METRICS_PORT: '0', ...(opts.env ?? {}) },
    stdio: ['ignore', 'pipe', opts.metrics ? 'pipe' : 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let url;
    let metricsUrl;
    const done = () => {
      if (url && (!opts.metrics || metricsUrl)) resolve({ child, url, metricsUrl });
    };
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /https?:\/\/\S+\?token=\S+/.exec(line);
      if (m) url ??= m[0];
      done();
    });
    if (opts.metrics) {
      readline.createInterface({ input: child.stderr }).on('line', (line) => {
        process.stderr.write(line + '\n');
        const m = /Prometheus metrics: (\S+)/.exec(line);
        if (m) metricsUrl ??= m[1];
        done();
      });
    }
    child.once('exit', (code) => reject(new Error(`serve exited with ${code} before printing its URL`)));
  });
}

const GNU_TIME = '/usr/bin/time';

/**
 * spawnSync, plus `peakRssMb`: the peak resident memory of the child and its descendants (GNU time's %M: the largest
 * maximum RSS of one process of the tree, e.g. the CLI or the query process it forks), and `cpuMs`: the CPU time
 * (user + system) of the child and its waited-for descendants, which a loaded machine inflates far less than wall
 * time; both null where /usr/bin/time is absent.
 */
export function spawnMeasured(cmd, argv, opts = {}) {
  if (!fs.existsSync(GNU_TIME)) return { ...spawnSync(cmd, argv, opts), peakRssMb: null, cpuMs: null };
  const out = path.join(os.tmpdir(), `mp-bench-rss-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
  const r = spawnSync(GNU_TIME, ['-f', '%M %U %S', '-o', out, cmd, ...argv], opts);
  let fields = [];
  try {
    // a failed command's line ("Command exited with non-zero status N") comes first: the figures are the last line
    fields = fs.readFileSync(out, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
  } catch {
    // time did not run the command: no figures
  } finally {
    fs.rmSync(out, { force: true });
  }
  const [kb, user, sys] = fields;
  return { ...r, peakRssMb: Number.isFinite(kb) ? Math.round(kb / 1024) : null, cpuMs: Number.isFinite(user) && Number.isFinite(sys) ? Math.round((user + sys) * 1000) : null };
}

/** The peak resident memory of this process so far, in MB (an in-process benchmark's DuckDB included). */
export const selfPeakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
