#!/usr/bin/env node
// The Electronegativity gate in `npm test`: Doyensec's Electron security scanner over the BUILT main and preload
// bundles (its parser predates TypeScript's `satisfies`, so the sources are not scanned). Its CLI always exits 0, so
// this runs its programmatic API and decides: any finding of MEDIUM severity or worse fails, unless it is a
// manual-review finding listed in REVIEWED below with the reason it is safe; any file it cannot parse fails.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const SEVERITY = { INFORMATIONAL: 0, LOW: 1, MEDIUM: 2, HIGH: 3 };

/** Manual-review findings we reviewed: check id -> the bundle it may appear in and why it is safe. */
export const REVIEWED = {
  OPEN_EXTERNAL_JS_CHECK: {
    file: 'main/electron.js',
    reason: 'every URL reaches shell.openExternal through isSafeExternalUrl (http/https, a host, no credentials: src-main/hosts/electron/externalLinks.ts) or is the constant DOCS_URL',
  },
};

/** Splits a run's result into failures, reviewed findings and notes. `relative` makes a file path readable. */
export function judge(result, relative = (f) => f, reviewed = REVIEWED) {
  const failures = [];
  const accepted = [];
  const notes = [];
  for (const e of result.errors ?? []) {
    if (e.tolerable) notes.push(`parsed with a fallback: ${relative(e.file)}: ${e.message}`);
    else failures.push(`cannot parse ${relative(e.file)}: ${e.message}`);
  }
  for (const i of result.issues ?? []) {
    const where = `${relative(i.file)}:${i.location?.line ?? '?'}`;
    const line = `${i.id} ${i.severity?.name} (${i.confidence?.name}${i.manualReview ? ', manual review' : ''}) ${where}: ${i.description}`;
    if ((i.severity?.value ?? SEVERITY.HIGH) < SEVERITY.MEDIUM) notes.push(line);
    else if (i.manualReview && reviewed[i.id] && reviewed[i.id].file === relative(i.file)) accepted.push(`${line}\n      reviewed: ${reviewed[i.id].reason}`);
    else failures.push(line);
  }
  return { failures, accepted, notes };
}

async function main() {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const require = createRequire(import.meta.url);
  const run = require('@doyensec/electronegativity');
  const electronVersion = require('electron/package.json').version;
  const dirs = ['main', 'preload'];
  for (const d of dirs) {
    if (!fs.existsSync(path.join(root, 'out', d))) {
      console.error(`electronegativity: out/${d} is missing; run \`npm run build\` first`);
      process.exit(1);
    }
  }
  // one scan over both bundles (global checks such as the CSP and permission handlers see the whole app)
  const input = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-electronegativity-'));
  try {
    for (const d of dirs) fs.cpSync(path.join(root, 'out', d), path.join(input, d), { recursive: true, filter: (f) => !f.endsWith('.map') });
    const result = await run({ input, isRelative: false, electronVersionOverride: electronVersion, customScan: [], excludeFromScan: [], parserPlugins: [] });
    const { failures, accepted, notes } = judge(result, (f) => path.relative(input, f).split(path.sep).join('/'));
    console.log(`\nelectronegativity ${require('@doyensec/electronegativity/package.json').version} over out/main and out/preload (Electron ${electronVersion}): ${result.globalChecks + result.atomicChecks} checks`);
    for (const n of notes) console.log(`  note      ${n}`);
    for (const a of accepted) console.log(`  reviewed  ${a}`);
    for (const f of failures) console.log(`  FAIL      ${f}`);
    console.log(failures.length === 0 ? 'electronegativity: passed (nothing MEDIUM or worse left unreviewed, every file parsed)' : `electronegativity: FAILED (${failures.length})`);
    process.exitCode = failures.length === 0 ? 0 : 1;
  } finally {
    fs.rmSync(input, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
