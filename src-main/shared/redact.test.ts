import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from './log';
import { REDACTED, Redactor } from './redact';
import { withDotEnv } from '../settings/dotenv';

describe('redaction', () => {
  const r = Redactor.fromEnv({ ALPACA_KEY: 'PKTEST123456', ALPACA_SECRET: 's3cr3t/with+chars', POLYGON_API_KEY: '' });

  it('replaces every known secret wherever it appears, URL-encoded too', () => {
    expect(r.text('key=PKTEST123456&x=PKTEST123456')).toBe(`key=${REDACTED}&x=${REDACTED}`);
    expect(r.text(`apiKey=${encodeURIComponent('s3cr3t/with+chars')}`)).toBe(`apiKey=${REDACTED}`);
    expect(r.value({ a: ['PKTEST123456'], b: { c: 'x s3cr3t/with+chars y' }, n: 1 })).toEqual({ a: [REDACTED], b: { c: `x ${REDACTED} y` }, n: 1 });
  });

  it('ignores empty and trivially short values', () => {
    expect(new Redactor(['', 'ab']).text('ab cd')).toBe('ab cd');
  });

  it('keeps secrets out of log lines, in messages and in fields', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'debug', redactor: r, write: (l) => lines.push(l) });
    log.error('upstream said: bad key PKTEST123456', { url: 'https://x/?k=PKTEST123456', nested: { s: 's3cr3t/with+chars' } });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('PKTEST123456');
    expect(lines[0]).not.toContain('s3cr3t');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 50, msg: `upstream said: bad key ${REDACTED}` });
  });
});

describe('.env', () => {
  it('reads .env from the working directory; the environment wins', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-env-'));
    fs.writeFileSync(path.join(dir, '.env'), 'ALPACA_KEY=fromfile\nALPACA_SECRET="quoted value"\n# comment\n');
    expect(withDotEnv({ ALPACA_KEY: 'fromenv' }, dir)).toMatchObject({ ALPACA_KEY: 'fromenv', ALPACA_SECRET: 'quoted value' });
    expect(withDotEnv({ X: '1' }, path.join(dir, 'nope'))).toEqual({ X: '1' });
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
