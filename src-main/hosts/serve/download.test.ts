import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { inProcessClient } from '../../contract/dispatcher';
import type { Engine } from '../../engine';
import { httpRequest } from '../../testing/http';
import type { RunningServer } from './server';
import { useTestServer } from './testing';

// Workbench downloads over the web host: real engine, real HTTP on 127.0.0.1:0.

const tmp = useTestServer('mp-download-');
let engine: Engine;
let server: RunningServer;
beforeEach(() => ({ engine, server } = tmp));

function get(p: string, headers: http.OutgoingHttpHeaders = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return httpRequest({ host: '127.0.0.1', port: server.port, path: p, headers: { host: `127.0.0.1:${server.port}`, ...headers } });
}

async function exported(): Promise<{ url: string; file: string }> {
  const c = inProcessClient(engine.dispatcher);
  const open = await c.request('query.open', { sql: 'SELECT range AS i FROM range(3)' });
  if (!open.ok) throw new Error(open.error.message);
  const r = await c.request('query.export', { queryId: open.value.queryId, format: 'csv' });
  if (!r.ok || r.value.status !== 'download') throw new Error('no download');
  const dir = path.join(tmp.dir, 'data', 'tmp', 'exports');
  const file = fs.readdirSync(dir).flatMap((d) => fs.readdirSync(path.join(dir, d)).map((f) => path.join(dir, d, f)))[0]!;
  return { url: r.value.url, file };
}

describe('GET /download/<id>', () => {
  it('streams the export once with the token, then forgets it and deletes the temp file', async () => {
    const { url, file } = await exported();
    expect(fs.existsSync(file)).toBe(true);
    const r = await get(`${url}?token=${server.token}`, { 'sec-fetch-site': 'same-origin', origin: `http://127.0.0.1:${server.port}` });
    expect(r.status).toBe(200);
    expect(r.body).toBe('i\n0\n1\n2\n');
    expect(r.headers['content-disposition']).toMatch(/^attachment; filename="query-.*\.csv"$/);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(fs.existsSync(file)).toBe(false);
    expect((await get(`${url}?token=${server.token}`)).status).toBe(404);
  });

  it.each([
    ['no token', (u: string) => u, {}, 401],
    ['a wrong token', (u: string) => `${u}?token=nope`, {}, 401],
    ['a foreign Host', (u: string) => `${u}?token=TOKEN`, { host: 'evil.example:80' }, 403],
    ['a foreign Origin', (u: string) => `${u}?token=TOKEN`, { origin: 'http://evil.example' }, 403],
    ['a cross-site fetch', (u: string) => `${u}?token=TOKEN`, { 'sec-fetch-site': 'cross-site' }, 403],
  ])('refuses %s and keeps the file for the real download', async (_what, urlOf, headers, status) => {
    const { url, file } = await exported();
    const r = await get(urlOf(url).replace('TOKEN', server.token), headers);
    expect(r.status).toBe(status);
    expect(fs.existsSync(file)).toBe(true);
    expect((await get(`${url}?token=${server.token}`)).status).toBe(200);
  });

  it('refuses unknown and malformed ids', async () => {
    expect((await get(`/download/00000000-0000-0000-0000-000000000000?token=${server.token}`)).status).toBe(404);
    expect((await get(`/download/..%2F..%2Fetc%2Fpasswd?token=${server.token}`)).status).toBe(404);
  });
});
