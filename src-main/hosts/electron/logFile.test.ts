import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../shared/log';
import { Redactor } from '../../shared/redact';
import { makeTmpDir, type TmpDir } from '../../testing/tmp';
import { aboutDetail, safeVersion } from './about';
import { logFilePath, RotatingLogFile, rotatedName } from './logFile';

describe('RotatingLogFile', () => {
  let tmp: TmpDir;
  beforeEach(() => (tmp = makeTmpDir('mp-log-')));
  afterEach(() => tmp.cleanup());

  it('lives in <data dir>/logs and rotates by size, keeping the newest files', () => {
    const file = logFilePath(tmp.dir);
    expect(file).toBe(path.join(tmp.dir, 'logs', 'marketpipe.log'));
    const log = new RotatingLogFile(file, { maxBytes: 100, keep: 2 });
    for (let i = 0; i < 10; i++) log.write(`${String(i).padStart(2, '0')}${'x'.repeat(37)}\n`); // 40 bytes each
    expect(log.files()).toEqual([file, rotatedName(file, 1), rotatedName(file, 2)]);
    expect(rotatedName(file, 1)).toBe(path.join(tmp.dir, 'logs', 'marketpipe.1.log'));
    const first = (f: string) => fs.readFileSync(f, 'utf8').slice(0, 2);
    expect([first(file), first(rotatedName(file, 1)), first(rotatedName(file, 2))]).toEqual(['08', '06', '04']);
    for (const f of log.files()) expect(fs.statSync(f).size).toBeLessThanOrEqual(100);
    expect(fs.existsSync(rotatedName(file, 3))).toBe(false);
  });

  it('continues an existing file after a restart', () => {
    const file = logFilePath(tmp.dir);
    new RotatingLogFile(file, { maxBytes: 100 }).write('a'.repeat(60) + '\n');
    const again = new RotatingLogFile(file, { maxBytes: 100 });
    again.write('b'.repeat(60) + '\n');
    expect(again.files()).toHaveLength(2);
  });

  it('with the pino logger and the redactor, a secret never reaches the file', () => {
    const file = logFilePath(tmp.dir);
    const sink = new RotatingLogFile(file);
    const log = createLogger({ redactor: new Redactor(['sk-live-SECRET-123']), write: (l) => sink.write(l) });
    log.warn('provider said sk-live-SECRET-123', { url: 'https://x.example/?token=sk-live-SECRET-123' });
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toContain('sk-live-SECRET-123');
    expect(JSON.parse(text.trim())).toMatchObject({ level: 40, msg: expect.stringContaining('provider said') });
  });
});

describe('about', () => {
  it('lists app, Electron, DuckDB and SQLite versions and the places', () => {
    const text = aboutDetail(
      { app: '0.1.0', electron: '45.4.1', chrome: '140', node: '22.20.0', duckdb: 'v1.5.5', sqlite: '3.50.4' },
      { dataDir: '/home/me/.local/share/marketpipe', logFile: '/home/me/.local/share/marketpipe/logs/marketpipe.log' },
    );
    for (const s of ['Version 0.1.0', 'Electron 45.4.1', 'DuckDB v1.5.5', 'SQLite 3.50.4', 'Log: /home/me/.local/share/marketpipe/logs/marketpipe.log']) expect(text).toContain(s);
  });

  it('a version that cannot be read says why instead of throwing', () => {
    expect(
      safeVersion(() => {
        throw new Error('binding missing');
      }),
    ).toBe('unknown (binding missing)');
  });
});
