// What the benchmark scripts share: where the built CLI is, the median of a sample, and `marketpipe serve` on a free
// port (resolves with the child and the URL it printed, token included).
import { spawn } from 'node:child_process';
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
