import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTmpDir, type TmpDir } from '../../testing/tmp';
import { APP_INDEX_URL, appProtocolHandler, contentType, resolveAppPath } from './protocol';

// The app:// scheme's path rules, in plain Node: only files under the renderer's folder are ever served.

const ROOT = path.resolve('/opt/MarketPipe/resources/app.asar/out/renderer');

describe('resolveAppPath', () => {
  it('maps our URLs to files under the root; / is the index page', () => {
    expect(resolveAppPath(ROOT, APP_INDEX_URL)).toBe(path.join(ROOT, 'index.html'));
    expect(resolveAppPath(ROOT, 'app://marketpipe/')).toBe(path.join(ROOT, 'index.html'));
    expect(resolveAppPath(ROOT, 'app://marketpipe/assets/index-abc.js?v=1#/query')).toBe(path.join(ROOT, 'assets', 'index-abc.js'));
    expect(resolveAppPath(ROOT, 'app://marketpipe/assets/a%20b.css')).toBe(path.join(ROOT, 'assets', 'a b.css'));
    // literal dot segments are folded by URL parsing and can never climb above the host
    expect(resolveAppPath(ROOT, 'app://marketpipe/../../../etc/passwd')).toBe(path.join(ROOT, 'etc', 'passwd'));
    expect(resolveAppPath(ROOT, 'app://marketpipe/%2e%2e/%2E%2E/main/electron.js')).toBe(path.join(ROOT, 'main', 'electron.js'));
  });

  const refused: [string, string][] = [
    ['another host', 'app://evil/index.html'],
    ['another scheme', 'file:///opt/MarketPipe/resources/app.asar/out/renderer/index.html'],
    ['credentials', 'app://user:pw@marketpipe/index.html'],
    ['encoded dot-dot with an encoded slash', 'app://marketpipe/assets%2f..%2f..%2fmain%2felectron.js'],
    ['encoded backslash', 'app://marketpipe/..%5c..%5cmain%5celectron.js'],
    ['a NUL byte', 'app://marketpipe/index.html%00.png'],
    ['a drive letter', 'app://marketpipe/C:/Windows/win.ini'],
    ['malformed percent-encoding', 'app://marketpipe/%E0%A4%A'],
    ['not a URL', 'index.html'],
    ['empty', ''],
  ];
  for (const [name, url] of refused) {
    it(`refuses ${name}`, () => {
      expect(resolveAppPath(ROOT, url)).toBeNull();
    });
  }

  it('whatever the URL, a resolved path is inside the root', () => {
    const tries = ['%2e', '%2E%2E', '..', '.', '%2f', '/', 'a', '%5c', '~', '%00'];
    for (const a of tries)
      for (const b of tries) {
        const r = resolveAppPath(ROOT, `app://marketpipe/${a}/${b}/x`);
        if (r !== null) expect(r.startsWith(ROOT + path.sep), `${a}/${b}`).toBe(true);
      }
  });

  it('content types for what Vite emits', () => {
    expect(contentType('/x/index.html')).toMatch(/^text\/html/);
    expect(contentType('/x/a.JS')).toMatch(/^text\/javascript/);
    expect(contentType('/x/blob.bin')).toBe('application/octet-stream');
  });
});

describe('appProtocolHandler', () => {
  let tmp: TmpDir;
  beforeAll(() => {
    tmp = makeTmpDir('mp-proto-');
    fs.mkdirSync(path.join(tmp.dir, 'renderer', 'assets'), { recursive: true });
    fs.writeFileSync(path.join(tmp.dir, 'renderer', 'index.html'), '<html></html>');
    fs.writeFileSync(path.join(tmp.dir, 'renderer', 'assets', 'a.js'), 'console.log(1)');
    fs.writeFileSync(path.join(tmp.dir, 'secret.txt'), 'secret');
  });
  afterAll(() => tmp.cleanup());

  it('serves files with their type and the CSP, 404 outside the root or for missing files, 405 for writes', async () => {
    const handler = appProtocolHandler({ root: path.join(tmp.dir, 'renderer'), csp: "default-src 'self'", readFile: (f) => fs.promises.readFile(f) });
    const index = await handler({ url: APP_INDEX_URL, method: 'GET' });
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect(index.headers.get('content-security-policy')).toBe("default-src 'self'");
    expect(await index.text()).toBe('<html></html>');
    expect((await handler({ url: 'app://marketpipe/assets/a.js' })).status).toBe(200);
    expect((await handler({ url: 'app://marketpipe/%2e%2e/secret.txt' })).status).toBe(404);
    expect((await handler({ url: 'app://marketpipe/missing.js' })).status).toBe(404);
    expect((await handler({ url: 'app://marketpipe/assets' })).status).toBe(404); // a folder
    expect((await handler({ url: APP_INDEX_URL, method: 'POST' })).status).toBe(405);
  });
});
