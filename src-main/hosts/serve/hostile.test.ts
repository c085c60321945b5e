import http from 'node:http';
import { beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WS_PATH, type ServerMessage } from '../../contract';
import { MAX_RPC_BODY_BYTES, MAX_WS_MESSAGE_BYTES, RPC_PATH } from '../../contract/wire';
import type { Engine } from '../../engine';
import type { RunningServer } from './server';
import { faultLoad, faultTimeout } from '../../testing/faults';
import { useTestServer } from './testing';

// Hostile clients against the web host (real engine, real sockets on 127.0.0.1:0): whatever a client sends or fails
// to read, that client's connection ends and the process goes on serving everyone else.

const tmp = useTestServer('mp-hostile-', { serve: { slowClientMs: 300 } });
let engine: Engine;
let server: RunningServer;
const sockets = tmp.sockets;
beforeEach(() => ({ engine, server } = tmp));

const origin = () => `http://127.0.0.1:${server.port}`;

function open(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}${WS_PATH}?token=${server.token}`, { origin: origin() });
    sockets.push(ws);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

const closed = (ws: WebSocket): Promise<number> => new Promise((resolve) => ws.once('close', (code) => resolve(code)));

function ask(ws: WebSocket, name: string, arg: unknown, id = 1): Promise<ServerMessage> {
  return new Promise((resolve) => {
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as ServerMessage;
      if (m.type === 'response' && m.id === id) resolve(m);
    });
    ws.send(JSON.stringify({ type: 'request', id, name, arg }));
  });
}

/** The server still answers a fresh, well-behaved client. */
async function stillServes(): Promise<void> {
  const ws = await open();
  const r = await ask(ws, 'app.info', {});
  expect(r).toMatchObject({ type: 'response', result: { ok: true } });
  ws.close();
}

function post(p: string, body: string | Buffer, headers: http.OutgoingHttpHeaders = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let status: number | undefined;
    const req = http.request(
      { host: '127.0.0.1', port: server.port, path: p, method: 'POST', headers: { host: `127.0.0.1:${server.port}`, 'content-type': 'application/json', ...headers } },
      (res) => {
        status = res.statusCode;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    // the server may answer 413 and close while we are still sending
    req.on('error', (e: NodeJS.ErrnoException) => (status !== undefined || e.code === 'EPIPE' || e.code === 'ECONNRESET' ? resolve({ status: status ?? 0, body: '' }) : reject(e)));
    req.end(body);
  });
}

describe('the web host survives hostile WebSocket clients', () => {
  it('closes a socket that sends a message over the limit (1009), and serves the others', async () => {
    const ws = await open();
    const code = closed(ws);
    ws.send('x'.repeat(MAX_WS_MESSAGE_BYTES + 1));
    expect(await code).toBe(1009);
    await stillServes();
  });

  it('closes a socket that sends a malformed frame, and serves the others', async () => {
    const ws = await open();
    const code = closed(ws);
    // a masked frame with the reserved opcode 3: not a WebSocket frame any client may send
    (ws as unknown as { _socket: import('node:net').Socket })._socket.write(Buffer.from([0x83, 0x80, 0, 0, 0, 0]));
    expect(await code).toBe(1002);
    await stillServes();
  });

  it('closes a socket whose message is not JSON or not a request (1008)', async () => {
    for (const bad of ['{', '[]', JSON.stringify({ type: 'request', id: -1, name: 'app.info' })]) {
      const ws = await open();
      const code = closed(ws);
      ws.send(bad);
      expect(await code).toBe(1008);
    }
    await stillServes();
  });

  it('drops a client that never reads instead of queueing without end', async () => {
    const ws = await open();
    const raw = (ws as unknown as { _socket: import('node:net').Socket })._socket;
    raw.pause();
    const code = closed(ws);
    const message = 'x'.repeat(16 * 1024);
    // ~48 MB of events, far over what the server may queue for one socket
    for (let i = 0; i < 3000; i++) engine.bus.emit('jobs.progress', { jobId: 'j', progress: 1, rowsWritten: i, message });
    raw.resume();
    expect(await code).toBe(1006);
    await stillServes();
  });

  it(
    'survives many hostile clients at once (oversize, malformed frames, junk), each closed with its reason',
    async () => {
      const kinds = [
        { send: (ws: WebSocket) => ws.send('x'.repeat(MAX_WS_MESSAGE_BYTES + 1)), code: 1009 },
        { send: (ws: WebSocket) => (ws as unknown as { _socket: import('node:net').Socket })._socket.write(Buffer.from([0x83, 0x80, 0, 0, 0, 0])), code: 1002 },
        { send: (ws: WebSocket) => ws.send('{'), code: 1008 },
      ];
      const n = faultLoad(12);
      const codes = await Promise.all(
        Array.from({ length: n }, async (_, i) => {
          const kind = kinds[i % kinds.length]!;
          const ws = await open();
          const code = closed(ws);
          kind.send(ws);
          return [await code, kind.code];
        }),
      );
      for (const [got, want] of codes) expect(got).toBe(want);
      await stillServes();
    },
    faultTimeout(30_000),
  );
});

describe('POST /rpc: requests too large for one WebSocket message', () => {
  const url = () => `${RPC_PATH}?token=${server.token}`;
  const msg = (name: string, arg: unknown) => JSON.stringify({ type: 'request', id: 7, name, arg });

  it('imports a 150,000-line symbols file (1.4 MB) in one authenticated request', async () => {
    const lines = ['symbol'];
    for (let i = 0; i < 150_000; i++) lines.push(`SYMB${String(i).padStart(5, '0')}`);
    const body = msg('universe.import', { name: 'big', csv: lines.join('\n') });
    expect(Buffer.byteLength(body)).toBeGreaterThan(MAX_WS_MESSAGE_BYTES);
    const r = await post(url(), body, { origin: origin() });
    expect(r.status).toBe(200);
    const res = JSON.parse(r.body) as { type: string; id: number; result: { ok: boolean; value: { imported: number } } };
    expect(res).toMatchObject({ type: 'response', id: 7, result: { ok: true } });
    expect(res.result.value.imported).toBe(150_000);
    await stillServes();
  });

  it.each([
    ['no token', (u: string) => u.replace(/\?token=.*/, ''), { origin: 'ORIGIN' }, 401],
    ['a wrong token', (u: string) => u.replace(/token=.*/, 'token=nope'), { origin: 'ORIGIN' }, 401],
    ['no Origin', (u: string) => u, {}, 403],
    ['a foreign Origin', (u: string) => u, { origin: 'http://evil.example' }, 403],
    ['a cross-site fetch', (u: string) => u, { origin: 'ORIGIN', 'sec-fetch-site': 'cross-site' }, 403],
    ['a foreign Host', (u: string) => u, { origin: 'ORIGIN', host: 'evil.example' }, 403],
  ])('refuses %s and changes nothing', async (_what, urlOf, headers, status) => {
    const h = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v === 'ORIGIN' ? origin() : v]));
    const r = await post(urlOf(url()), msg('universe.create', { name: 'x', symbols: ['AAPL'] }), h);
    expect(r.status).toBe(status);
    const list = await post(url(), msg('universe.list', {}), { origin: origin() });
    expect(JSON.parse(list.body)).toMatchObject({ result: { ok: true, value: [] } });
  });

  it('refuses a body over the limit with 413 before reading it all, and a malformed one with 400', async () => {
    const big = await post(url(), Buffer.alloc(MAX_RPC_BODY_BYTES + 1, 0x20), { origin: origin() });
    expect(big.status).toBe(413);

    expect((await post(url(), '{not json', { origin: origin() })).status).toBe(400);
    expect((await post(url(), msg('no.such.request', {}), { origin: origin() })).body).toMatch(/E_BAD_INPUT|unknown/);
    await stillServes();
  });
});
