import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WS_PATH, type EventEnvelope, type ServerMessage } from '../../contract';
import type { Job } from '../../contract/schemas';
import type { Engine } from '../../engine';
import { MpError, type Result } from '../../shared/errors';
import { httpRequest, type HttpResult } from '../../testing/http';
import { serve, type RunningServer } from './server';
import { useTestServer } from './testing';

// The web host against a real engine (SQLite, DuckDB, files) on 127.0.0.1:0, with a tiny renderer of its own.

const INDEX_HTML = '<!doctype html><title>MarketPipe test</title><script src="/assets/app.js"></script>\n';
const APP_JS = 'console.log("app");\n';

const tmp = useTestServer('mp-serve-', {
  files: { 'index.html': INDEX_HTML, 'assets/app.js': APP_JS },
  // a file beside the renderer folder that no URL may reach
  before: (dir) => fs.writeFileSync(path.join(dir, 'secret.txt'), 'secret\n'),
});
let engine: Engine;
let server: RunningServer;
let rendererDir: string;
const sockets = tmp.sockets;
beforeEach(() => ({ engine, server, rendererDir } = tmp));

/** A raw request: the path goes on the wire exactly as given (no client-side normalisation of '..'). */
function request(opts: { path: string; method?: string; headers?: http.OutgoingHttpHeaders }): Promise<HttpResult> {
  return httpRequest({ host: '127.0.0.1', port: server.port, path: opts.path, method: opts.method ?? 'GET', headers: opts.headers });
}

const origin = () => `http://127.0.0.1:${server.port}`;
const wsUrl = (token: string | undefined, host = `127.0.0.1:${server.port}`) =>
  `ws://${host}${WS_PATH}${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;

type ConnectOutcome = { kind: 'open'; ws: WebSocket } | { kind: 'refused'; status: number };

/** Resolves when the handshake is decided: open, or refused with the HTTP status the server answered. */
function connect(url: string, opts: { origin?: string; headers?: Record<string, string> } = {}): Promise<ConnectOutcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { ...(opts.origin ? { origin: opts.origin } : {}), headers: opts.headers });
    sockets.push(ws);
    ws.once('open', () => resolve({ kind: 'open', ws }));
    ws.once('unexpected-response', (req, res) => {
      resolve({ kind: 'refused', status: res.statusCode ?? 0 });
      req.destroy();
    });
    ws.once('error', (e) => reject(e));
  });
}

/** Every message a socket receives, from the moment it opens; waits match past and future messages alike. */
class Inbox {
  readonly messages: ServerMessage[] = [];
  private waiters: { match: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }[] = [];
  private nextId = 1;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as ServerMessage;
      this.messages.push(msg);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(msg)) return true;
        w.resolve(msg);
        return false;
      });
    });
  }

  waitFor(match: (m: ServerMessage) => boolean): Promise<ServerMessage> {
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  async request(name: string, arg: unknown): Promise<Result<unknown>> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ type: 'request', id, name, arg }));
    const res = await this.waitFor((m) => m.type === 'response' && m.id === id);
    if (res.type !== 'response') throw new Error('unreachable');
    return res.result;
  }

  events(): EventEnvelope[] {
    return this.messages.flatMap((m) => (m.type === 'event' ? [m.envelope] : []));
  }
}

async function openInbox(): Promise<Inbox> {
  const c = await connect(wsUrl(server.token), { origin: origin() });
  if (c.kind !== 'open') throw new Error(`refused with ${c.status}`);
  return new Inbox(c.ws);
}

const closed = (ws: WebSocket): Promise<{ code: number; reason: string }> =>
  new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));

describe('HTTP', () => {
  it('GET / serves index.html with CSP and no-referrer', async () => {
    const r = await request({ path: '/' });
    expect(r.status).toBe(200);
    expect(r.body).toBe(INDEX_HTML);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    expect(r.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(r.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['cache-control']).toBe('no-store');
  });

  it('serves assets with their content type', async () => {
    const r = await request({ path: '/assets/app.js' });
    expect(r.status).toBe(200);
    expect(r.body).toBe(APP_JS);
    expect(r.headers['content-type']).toMatch(/^text\/javascript/);
  });

  it('HEAD answers without a body', async () => {
    const r = await request({ path: '/', method: 'HEAD' });
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
  });

  it('unknown files are 404', async () => {
    expect((await request({ path: '/nope.html' })).status).toBe(404);
    expect((await request({ path: '/assets' })).status).toBe(404);
  });

  for (const p of ['/%2e%2e/%2e%2e/etc/passwd', '/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/..%2f..%2fsecret.txt', '/%2fetc%2fpasswd', '/x%00.html', '/%E0%A4%A']) {
    it(`path traversal / bad path ${p} is 404`, async () => {
      const r = await request({ path: p });
      expect(r.status).toBe(404);
      expect(r.body).not.toMatch(/secret|root:/);
    });
  }

  it('POST is 405', async () => {
    const r = await request({ path: '/', method: 'POST' });
    expect(r.status).toBe(405);
  });

  it('a Host header that is not ours is 403 (DNS rebinding)', async () => {
    const r = await request({ path: '/', headers: { host: `evil.example:${server.port}` } });
    expect(r.status).toBe(403);
    expect(r.body).not.toContain('MarketPipe');
    const wrongPort = await request({ path: '/', headers: { host: `127.0.0.1:${server.port + 1}` } });
    expect(wrongPort.status).toBe(403);
  });

  it('localhost:PORT is an accepted Host', async () => {
    const r = await request({ path: '/', headers: { host: `localhost:${server.port}` } });
    expect(r.status).toBe(200);
  });
});

describe('WebSocket handshake', () => {
  it('no token: 401', async () => {
    expect(await connect(wsUrl(undefined), { origin: origin() })).toEqual({ kind: 'refused', status: 401 });
  });

  it('wrong token (same length and other length): 401', async () => {
    const sameLength = server.token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    expect(await connect(wsUrl(sameLength), { origin: origin() })).toEqual({ kind: 'refused', status: 401 });
    expect(await connect(wsUrl('short'), { origin: origin() })).toEqual({ kind: 'refused', status: 401 });
    expect(await connect(wsUrl(''), { origin: origin() })).toEqual({ kind: 'refused', status: 401 });
  });

  it('right token, foreign Origin: 403', async () => {
    expect(await connect(wsUrl(server.token), { origin: 'http://evil.example' })).toEqual({ kind: 'refused', status: 403 });
    expect(await connect(wsUrl(server.token), { origin: `http://127.0.0.1:${server.port}.evil.example` })).toEqual({ kind: 'refused', status: 403 });
    expect(await connect(wsUrl(server.token), { origin: `https://127.0.0.1:${server.port}` })).toEqual({ kind: 'refused', status: 403 });
    expect(await connect(wsUrl(server.token), { origin: 'null' })).toEqual({ kind: 'refused', status: 403 });
  });

  it('right token, no Origin: refused', async () => {
    expect(await connect(wsUrl(server.token))).toEqual({ kind: 'refused', status: 403 });
  });

  it('foreign Host on the upgrade: 403', async () => {
    const c = await connect(wsUrl(server.token), { origin: origin(), headers: { host: `evil.example:${server.port}` } });
    expect(c).toEqual({ kind: 'refused', status: 403 });
  });

  it('another path: 404', async () => {
    const c = await connect(`ws://127.0.0.1:${server.port}/other?token=${server.token}`, { origin: origin() });
    expect(c).toEqual({ kind: 'refused', status: 404 });
  });

  it('right token and our Origin: connected', async () => {
    const c = await connect(wsUrl(server.token), { origin: origin() });
    expect(c.kind).toBe('open');
    const viaLocalhost = await connect(wsUrl(server.token, `localhost:${server.port}`), { origin: `http://localhost:${server.port}` });
    expect(viaLocalhost.kind).toBe('open');
  });

  it('the URL the server prints carries the token and works', async () => {
    const u = new URL(server.url);
    expect(u.host).toBe(`127.0.0.1:${server.port}`);
    expect(u.searchParams.get('token')).toBe(server.token);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
  });
});

describe('WebSocket requests and events', () => {
  it('app.info answers with host test', async () => {
    const inbox = await openInbox();
    const r = await inbox.request('app.info', {});
    expect(r).toEqual({ ok: true, value: { version: expect.any(String), dataDir: path.join(tmp.dir, 'data'), host: 'test' } });
  });

  it('unknown request name: E_BAD_INPUT', async () => {
    const inbox = await openInbox();
    const r = await inbox.request('no.such.thing', {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('E_BAD_INPUT');
  });

  it('invalid ingest.start arg (end before start): E_BAD_INPUT, no job', async () => {
    const inbox = await openInbox();
    const r = await inbox.request('ingest.start', { provider: 'fake', symbols: ['AAPL'], start: '2024-01-03', end: '2024-01-02' });
    expect(r).toEqual({ ok: false, error: { code: 'E_BAD_INPUT', message: expect.stringMatching(/start is after end/) } });
    const jobs = await inbox.request('jobs.list', {});
    expect(jobs).toEqual({ ok: true, value: [] });
  });

  it('an ingest over the socket streams job.progress to 100 and jobs.updated succeeded', async () => {
    const inbox = await openInbox();
    const r = await inbox.request('ingest.start', { provider: 'fake', symbols: ['AAPL'], start: '2024-01-02', end: '2024-01-03' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const { jobId } = r.value as { jobId: string };

    const done = await inbox.waitFor((m) => m.type === 'event' && m.envelope.type === 'jobs.updated' && m.envelope.payload.id === jobId && m.envelope.payload.status === 'succeeded');
    if (done.type !== 'event' || done.envelope.type !== 'jobs.updated') throw new Error('unreachable');
    expect(done.envelope.payload).toMatchObject({ status: 'succeeded', progress: 100, rowsWritten: 780, error: null });

    const mine = inbox.events().filter((e) => (e.type === 'jobs.updated' ? e.payload.id : e.type === 'metrics.live' || e.type === 'app.menu' ? '' : e.payload.jobId) === jobId);
    const progress = mine.flatMap((e) => (e.type === 'jobs.progress' ? [e.payload.progress] : []));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(100);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    const statuses = mine.flatMap((e) => (e.type === 'jobs.updated' ? [e.payload.status] : []));
    expect(statuses[0]).toBe('queued');
    expect(statuses.at(-1)).toBe('succeeded');
    // the envelope sequence numbers increase in the order they arrive
    const seqs = inbox.events().map((e) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);

    const job = await inbox.request('jobs.get', { jobId });
    expect(job).toMatchObject({ ok: true, value: { id: jobId, status: 'succeeded', rowsWritten: 780 } satisfies Partial<Job> });
    // the job succeeds once its derived timeframes are built too: count its 1m bars
    const q = await inbox.request('query.open', { sql: "SELECT count(*) AS n FROM bars WHERE timeframe = '1m'" });
    expect(q).toMatchObject({ ok: true, value: { rowCount: 1, first: { rows: [[780]] } } });
  });

  it('events reach every connected client', async () => {
    const a = await openInbox();
    const b = await openInbox();
    const r = await a.request('ingest.start', { provider: 'fake', symbols: ['MSFT'], start: '2024-01-02', end: '2024-01-02' });
    if (!r.ok) throw new Error(r.error.message);
    const { jobId } = r.value as { jobId: string };
    const succeeded = (m: ServerMessage) => m.type === 'event' && m.envelope.type === 'jobs.updated' && m.envelope.payload.id === jobId && m.envelope.payload.status === 'succeeded';
    await Promise.all([a.waitFor(succeeded), b.waitFor(succeeded)]);
  });

  it('malformed JSON closes the socket with 1008', async () => {
    const inbox = await openInbox();
    const c = closed(inbox.ws);
    inbox.ws.send('{not json');
    expect((await c).code).toBe(1008);
  });

  it('a message that is JSON but not a request closes with 1008', async () => {
    const inbox = await openInbox();
    const c = closed(inbox.ws);
    inbox.ws.send(JSON.stringify({ type: 'request', id: -1, name: 'app.info' }));
    expect((await c).code).toBe(1008);
  });

  it('a binary frame closes with 1003', async () => {
    const inbox = await openInbox();
    const c = closed(inbox.ws);
    inbox.ws.send(Buffer.from('{}'), { binary: true });
    expect((await c).code).toBe(1003);
  });

  it('close() resolves and closes client sockets', async () => {
    const a = await openInbox();
    const b = await openInbox();
    const closes = Promise.all([closed(a.ws), closed(b.ws)]);
    await server.close();
    const [ca, cb] = await closes;
    expect(ca.code).toBe(1001);
    expect(cb.code).toBe(1001);
    // the port is free again: HTTP is refused
    await expect(request({ path: '/' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('listening', () => {
  it('a second server on the same port fails with an MpError naming the port', async () => {
    const err = await serve({ engine, port: server.port, host: '127.0.0.1', rendererDir }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MpError);
    expect((err as MpError).code).toBe('E_IO');
    expect((err as MpError).message).toContain(String(server.port));
    // the first server is unharmed
    expect((await request({ path: '/' })).status).toBe(200);
  });

  it('a renderer dir without index.html answers 404, not a crash', async () => {
    const empty = path.join(tmp.dir, 'empty');
    fs.mkdirSync(empty);
    const s = await serve({ engine, port: 0, host: '127.0.0.1', rendererDir: empty });
    try {
      const r = await new Promise<number>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port: s.port, path: '/' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject);
      });
      expect(r).toBe(404);
    } finally {
      await s.close();
    }
  });
});
