// The package check's own tests: it must pass a well-formed package and fail when a native binary is left inside the
// asar, when a development-only dependency slips in, when tests or maps are packed, and when the configuration loses
// its unpack, rebuild or fuse settings. Fixtures are small asars built with @electron/asar (no Electron needed).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inspectConfig, inspectResources, REQUIRED_ENTRIES } from './package-check-lib.mjs';

const require = createRequire(import.meta.url);
const asar = require('@electron/asar');
const yaml = require(createRequire(require.resolve('electron-builder')).resolve('js-yaml'));
const hook = require('./after-pack.cjs');
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

const LOCK = {
  packages: {
    '': { name: 'marketpipe' },
    'node_modules/better-sqlite3': { version: '12.11.1' },
    'node_modules/vitest': { version: '4.1.12', dev: true },
    // the same name and version in production and development: not dev-only
    'node_modules/semver': { version: '7.7.3', dev: true },
    'node_modules/rc/node_modules/semver': { version: '7.7.3' },
  },
};

let tmp;
beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-pkgcheck-test-'))));
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(dir, rel, content = 'x') {
  const f = path.join(dir, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, content);
}

/** An app folder like the real one; `extra` adds files, `unpack` is the asar unpack glob. */
async function fixture({ extra = {}, unpack = '*.node' } = {}) {
  const app = path.join(tmp, 'app');
  for (const e of REQUIRED_ENTRIES.filter((x) => x !== 'package.json')) write(app, e);
  write(app, 'package.json', JSON.stringify({ name: 'marketpipe', version: '0.1.0' }));
  write(app, 'node_modules/better-sqlite3/package.json', JSON.stringify({ name: 'better-sqlite3', version: '12.11.1' }));
  write(app, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node', 'ELF');
  write(app, 'node_modules/semver/package.json', JSON.stringify({ name: 'semver', version: '7.7.3' }));
  for (const [rel, content] of Object.entries(extra)) write(app, rel, content);
  const resources = path.join(tmp, 'resources');
  fs.mkdirSync(resources);
  await asar.createPackageWithOptions(app, path.join(resources, 'app.asar'), unpack ? { unpack } : {});
  return resources;
}

describe('inspectResources', () => {
  it('passes a well-formed package', async () => {
    expect(inspectResources(await fixture(), LOCK)).toEqual([]);
  });

  it('fails when a native binary is left inside the asar', async () => {
    const problems = inspectResources(await fixture({ unpack: null }), LOCK);
    expect(problems).toEqual([expect.stringMatching(/native binary inside the asar.*better_sqlite3\.node/)]);
  });

  it('fails when a development-only dependency slips in', async () => {
    const problems = inspectResources(await fixture({ extra: { 'node_modules/vitest/package.json': JSON.stringify({ name: 'vitest', version: '4.1.12' }) } }), LOCK);
    expect(problems).toEqual([expect.stringMatching(/development-only dependency.*vitest@4\.1\.12/)]);
  });

  it('fails on tests, benches, source maps, sources and missing entries', async () => {
    const resources = await fixture({
      extra: { 'out/main/electron.js.map': '{}', 'node_modules/x/test/a.js': '', 'src-main/engine.ts': '', 'bench/run.mjs': '', 'out/main/a.test.js': '' },
    });
    expect(inspectResources(resources, LOCK)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/source map.*electron\.js\.map/),
        expect.stringMatching(/test or bench folder.*node_modules\/x\/test/),
        expect.stringMatching(/TypeScript source.*engine\.ts/),
        expect.stringMatching(/not part of the app.*bench\/run\.mjs/),
        expect.stringMatching(/a test file.*a\.test\.js/),
      ]),
    );
    fs.rmSync(path.join(resources, 'app.asar'));
    expect(inspectResources(resources, LOCK)).toEqual([expect.stringMatching(/no app.asar/)]);
  });
});

describe('inspectConfig', () => {
  const config = () => yaml.load(fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8'));

  it('passes the repository configuration and the hook', () => {
    expect(inspectConfig(config(), hook)).toEqual([]);
  });

  it('fails without the unpack patterns, the rebuild, the fuses or the targets', () => {
    const c = config();
    c.asarUnpack = [];
    c.npmRebuild = false;
    c.mac.target = ['dmg'];
    const problems = inspectConfig(c, { FUSES: { ...hook.FUSES, RunAsNode: true } });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/asarUnpack lacks .*better-sqlite3/),
        expect.stringMatching(/asarUnpack lacks .*duckdb/),
        expect.stringMatching(/npmRebuild/),
        expect.stringMatching(/fuse RunAsNode must be off/),
        expect.stringMatching(/dmg for arm64 and x64/),
      ]),
    );
  });
});
