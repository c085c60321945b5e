#!/usr/bin/env node
// Analysis (not a test) of V8 CPU profiles (`node --cpu-prof`, as bench/event-loop.mjs --cpu-prof DIR writes them):
// how long the event loop of each thread was held, measured on the profile rather than on the wall clock, so a run on
// a loaded machine can be compared with one on an idle machine.
//   - a stretch is a run of consecutive non-idle samples (`(idle)` is V8's sample of a thread waiting in its event
//     loop); stretches over --over ms (default 50) are counted and summed: each one is a task that held the loop;
//   - per thread: busy time (non-idle samples: CPU time on an idle machine, more under load), and within the long stretches the functions with the most self time
//     and the engine's own functions (bundle or source paths) with the most time on the stack, which is what to move.
// Under load a sample's interval also covers the time the OS had the thread descheduled, so stretches grow with the
// load; their count and their functions are the load-independent part. The main thread's profile is the one whose
// file name has thread id 0 (CPU.<date>.<time>.<pid>.<tid>.<seq>.cpuprofile).
// Usage: node bench/cpuprof-stretches.mjs DIR|FILE... [--over 50] [--top 12] [--after 0] [--json]
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const opt = (name, d) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : d);
const OVER_MS = opt('--over', 50);
const TOP = opt('--top', 12);
/** stretches that begin in the profile's first AFTER seconds (module loading at start-up) are left out */
const AFTER = opt('--after', 0);
const json = args.includes('--json');
const inputs = args.filter((a, i) => !a.startsWith('--') && !['--over', '--top', '--after'].includes(args[i - 1]));

/** Profiles of `p` (a file, or every .cpuprofile in a folder), main thread first. */
function profileFiles(p) {
  const files = fs.statSync(p).isDirectory() ? fs.readdirSync(p).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(p, f)) : [p];
  const tid = (f) => Number(path.basename(f).split('.')[4] ?? NaN);
  return files.sort((a, b) => tid(a) - tid(b) || a.localeCompare(b));
}

const ours = (url) => /[/\\](out[/\\]main|src-main)[/\\]/.test(url);
const label = (cf) => `${cf.functionName || '(anonymous)'} ${cf.url ? `${path.basename(cf.url)}:${cf.lineNumber + 1}` : ''}`.trim();

/** The stretches of one profile and what they hold. */
export function analyse(profile, overMs = OVER_MS, afterS = AFTER) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const { samples, timeDeltas } = profile;
  // sample i lasts until sample i+1 (the last one until the profile's end)
  const times = [];
  let t = profile.startTime;
  for (let i = 0; i < samples.length; i++) times.push((t += timeDeltas[i]));
  const dur = (i) => ((i + 1 < samples.length ? times[i + 1] : profile.endTime) - times[i]) / 1000;
  const idle = (i) => byId.get(samples[i]).callFrame.functionName === '(idle)';
  let cpuMs = 0;
  const stretches = [];
  let start = -1;
  let ms = 0;
  const close = (end) => {
    if (start >= 0 && ms > overMs && (times[start] - profile.startTime) / 1e6 >= afterS) stretches.push({ from: start, to: end, ms, at: (times[start] - profile.startTime) / 1e6 });
    start = -1;
    ms = 0;
  };
  for (let i = 0; i < samples.length; i++) {
    if (idle(i)) {
      close(i);
      continue;
    }
    const d = dur(i);
    cpuMs += d;
    if (start < 0) start = i;
    ms += d;
  }
  close(samples.length);
  const self = new Map();
  const stack = new Map();
  for (const s of stretches) {
    for (let i = s.from; i < s.to; i++) {
      const d = dur(i);
      const leaf = byId.get(samples[i]);
      const k = label(leaf.callFrame);
      self.set(k, (self.get(k) ?? 0) + d);
      // each of our functions on the stack once per sample (recursion counted once)
      const seen = new Set();
      for (let id = samples[i]; id !== undefined; id = parent.get(id)) {
        const cf = byId.get(id).callFrame;
        if (!ours(cf.url)) continue;
        const key = label(cf);
        if (seen.has(key)) continue;
        seen.add(key);
        stack.set(key, (stack.get(key) ?? 0) + d);
      }
    }
  }
  const top = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, TOP).map(([fn, v]) => ({ fn, ms: Math.round(v) }));
  return {
    seconds: (profile.endTime - profile.startTime) / 1e6,
    busyMs: Math.round(cpuMs),
    stretches: stretches.length,
    stretchMs: Math.round(stretches.reduce((n, s) => n + s.ms, 0)),
    longestMs: Math.round(Math.max(0, ...stretches.map((s) => s.ms))),
    all: stretches.map((s) => ({ atS: Number(s.at.toFixed(2)), ms: Math.round(s.ms) })),
    longest: [...stretches].sort((a, b) => b.ms - a.ms).slice(0, 5).map((s) => ({ atS: Number(s.at.toFixed(1)), ms: Math.round(s.ms) })),
    selfInStretches: top(self),
    oursInStretches: top(stack),
  };
}

/** analyse() for every profile given; the first is the main thread when a folder of one run is given. */
export function analyseAll(paths, overMs = OVER_MS, afterS = AFTER) {
  return paths.flatMap(profileFiles).map((f) => ({ file: path.basename(f), ...analyse(JSON.parse(fs.readFileSync(f, 'utf8')), overMs, afterS) }));
}

/** Human-readable lines of analyseAll()'s result. */
export function report(results, overMs = OVER_MS) {
  const out = [];
  for (const r of results) {
    out.push(`${r.file}: ${r.seconds.toFixed(1)} s profiled, busy ${(r.busyMs / 1000).toFixed(2)} s; stretches over ${overMs} ms: ${r.stretches}, ${(r.stretchMs / 1000).toFixed(2)} s in all, longest ${r.longestMs} ms`);
    if (r.stretches === 0) continue;
    out.push(`  longest at: ${r.longest.map((s) => `${s.atS} s (${s.ms} ms)`).join(', ')}`);
    out.push(`  self time in them: ${r.selfInStretches.map((x) => `${x.fn} ${x.ms}`).join('; ')}`);
    if (r.oursInStretches.length) out.push(`  engine functions on the stack in them: ${r.oursInStretches.map((x) => `${x.fn} ${x.ms}`).join('; ')}`);
  }
  return out.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (inputs.length === 0) {
    console.error('usage: node bench/cpuprof-stretches.mjs DIR|FILE... [--over 50] [--top 12] [--after 0] [--json]');
    process.exit(2);
  }
  const results = analyseAll(inputs);
  console.log(json ? JSON.stringify(results.map(({ all: _all, ...r }) => r), null, 2) : report(results));
}
