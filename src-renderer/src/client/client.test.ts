import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import type { SavedQuery } from '../../../src-main/contract/query';
import type { Job } from '../../../src-main/contract/schemas';
import type { Result } from '../../../src-main/shared/errors';
import { runningJob } from '../testing/fixtures';
import { createClient } from './client';
import { takeToken, wsUrl } from './token';
import { Listeners, type ConnectionStatus, type Transport } from './types';
import { backoffDelay, createWsTransport, type SocketHandlers, type Timers } from './wsTransport';

// ---------- an in-memory transport: answers from a table, events pushed by the test ----------

function memoryTransport(answer: (name: string, arg: unknown) => unknown) {
  const events = new Listeners<unknown>();
  const calls: Array<{ name: string; arg: unknown }> = [];
  const transport: Transport = {
    kind: 'memory',
    request: async (name, arg) => {
      calls.push({ name, arg });
      return answer(name, arg);
    },
    onEvent: (l) => events.add(l),
    onStatus: (l) => {
      l('open');
      return () => {};
    },
    status: () => 'open',
    close: () => {},
  };
  return { transport, calls, emit: (envelope: unknown) => events.emit(envelope), listenerCount: () => events.size };
}

const job: Job = runningJob({ progress: 40, rowsWritten: 624 });

const envelope = (type: string, payload: unknown, seq = 1) => ({ id: `e${seq}`, type, payload, seq, occurredAt: '2024-06-01T10:00:00.000Z', correlationId: null, causationId: null });

describe('createClient: requests', () => {
  it('sends the name and argument and returns the validated, typed value', async () => {
    const result: SavedQuery = { id: 1, name: 'ones', sql: 'SELECT 1', createdAt: '2024-06-01T10:00:00.000Z', updatedAt: '2024-06-01T10:00:00.000Z' };
    const mem = memoryTransport(() => ({ ok: true, value: result }));
    const client = createClient(mem.transport, { onProtocolError: () => {} });
    const r = await client.request('query.saved.save', { name: 'ones', sql: 'SELECT 1' });
    expectTypeOf(r).toEqualTypeOf<Result<SavedQuery>>();
    expect(mem.calls).toEqual([{ name: 'query.saved.save', arg: { name: 'ones', sql: 'SELECT 1' } }]);
    expect(r).toEqual({ ok: true, value: result });
  });

  it('types arguments from the contract, and refuses unknown names at run time', async () => {
    const mem = memoryTransport(() => null);
    const client = createClient(mem.transport, { onProtocolError: () => {} });
    // Compile-time checks only: these lines must not type-check.
    // @ts-expect-error unknown request name
    const unknown = await client.request('nope.nothing', {});
    expect(unknown).toEqual({ ok: false, error: { code: 'E_BAD_INPUT', message: 'unknown request "nope.nothing"' } });
    expect(mem.calls).toEqual([]);
    // @ts-expect-error a saved query needs its name and sql
    void client.request('query.saved.save', {});
    // @ts-expect-error symbols is an array
    void client.request('ingest.start', { provider: 'fake', symbols: 'AAPL', start: '2024-01-02', end: '2024-01-02' });
    expectTypeOf(client.request<'ingest.start'>).returns.resolves.toEqualTypeOf<Result<{ jobId: string }>>();
  });

  it('passes engine error values through unchanged', async () => {
    const mem = memoryTransport(() => ({ ok: false, error: { code: 'E_BAD_INPUT', message: 'start: start is after end' } }));
    const r = await createClient(mem.transport).request('ingest.start', {
      provider: 'fake',
      symbols: ['AAPL'],
      start: '2024-01-05',
      end: '2024-01-02',
    });
    expect(r).toEqual({ ok: false, error: { code: 'E_BAD_INPUT', message: 'start: start is after end' } });
  });

  it.each([
    ['not an object', 'hello'],
    ['no ok field', { value: 1 }],
    ['an unknown error code', { ok: false, error: { code: 'E_WHATEVER', message: 'x' } }],
    ['a value that does not match the result schema', { ok: true, value: { columns: 'nope' } }],
    ['a missing value', { ok: true }],
  ])('turns a malformed response (%s) into E_INTERNAL and reports it', async (_what, raw) => {
    const reports: string[] = [];
    const client = createClient(memoryTransport(() => raw).transport, { onProtocolError: (m) => reports.push(m) });
    const r = await client.request('query.saved.save', { name: 'ones', sql: 'SELECT 1' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('E_INTERNAL');
      expect(r.error.message).toMatch(/query\.saved\.save/);
    }
    expect(reports).toHaveLength(1);
  });

  it('turns a transport that throws into E_INTERNAL', async () => {
    const mem = memoryTransport(() => {
      throw new Error('ipc broke');
    });
    const r = await createClient(mem.transport).request('app.info', {});
    expect(r).toEqual({ ok: false, error: { code: 'E_INTERNAL', message: 'The request "app.info" failed: ipc broke' } });
  });

  it('applies the result schema (parsed output, not the raw object)', async () => {
    const mem = memoryTransport(() => ({ ok: true, value: [{ ...job, extra: 'dropped by zod' }] }));
    const r = await createClient(mem.transport).request('jobs.list', {});
    expect(r.ok && r.value[0]).toEqual(job);
  });
});

describe('createClient: events', () => {
  it('dispatches validated payloads to the listeners of that name only', () => {
    const mem = memoryTransport(() => null);
    const client = createClient(mem.transport);
    const updated = vi.fn();
    const progress = vi.fn();
    client.on('jobs.updated', updated);
    client.on('jobs.progress', progress);
    mem.emit(envelope('jobs.updated', job));
    mem.emit(envelope('jobs.progress', { jobId: 'j1', progress: 50, rowsWritten: 780, message: 'AAPL 2024-01-03' }, 2));
    expect(updated).toHaveBeenCalledExactlyOnceWith(job);
    expect(progress).toHaveBeenCalledExactlyOnceWith(expect.objectContaining({ jobId: 'j1', progress: 50, rowsWritten: 780, message: 'AAPL 2024-01-03' }));
  });

  it('types the payload from the event name', () => {
    const client = createClient(memoryTransport(() => null).transport);
    client.on('jobs.progress', (p) => {
      expectTypeOf(p.progress).toEqualTypeOf<number>();
      expectTypeOf(p.jobId).toEqualTypeOf<string>();
    });
    client.on('jobs.updated', (j) => expectTypeOf(j).toEqualTypeOf<Job>());
    // @ts-expect-error unknown event name
    expect(() => client.on('job.exploded', () => {})).toThrow();
  });

  it('drops and reports malformed envelopes and payloads without calling listeners', () => {
    const mem = memoryTransport(() => null);
    const reports: string[] = [];
    const client = createClient(mem.transport, { onProtocolError: (m) => reports.push(m) });
    const updated = vi.fn();
    client.on('jobs.updated', updated);
    mem.emit('garbage');
    mem.emit({ name: 'jobs.updated' });
    mem.emit(envelope('jobs.updated', { ...job, progress: 250 }));
    mem.emit(envelope('jobs.updated', { id: 'j1' }));
    expect(updated).not.toHaveBeenCalled();
    expect(reports).toHaveLength(4);
  });

  it('ignores events it does not know (a newer engine)', () => {
    const mem = memoryTransport(() => null);
    const reports: string[] = [];
    const client = createClient(mem.transport, { onProtocolError: (m) => reports.push(m) });
    const updated = vi.fn();
    client.on('jobs.updated', updated);
    mem.emit(envelope('lake.compacted', { files: 3 }));
    expect(updated).not.toHaveBeenCalled();
    expect(reports).toEqual([]);
  });

  it('unsubscribes, and keeps delivering when one listener throws', () => {
    const mem = memoryTransport(() => null);
    const reports: string[] = [];
    const client = createClient(mem.transport, { onProtocolError: (m) => reports.push(m) });
    const good = vi.fn();
    client.on('jobs.updated', () => {
      throw new Error('boom');
    });
    const off = client.on('jobs.updated', good);
    mem.emit(envelope('jobs.updated', job));
    expect(good).toHaveBeenCalledTimes(1);
    expect(reports[0]).toMatch(/boom/);
    off();
    mem.emit(envelope('jobs.updated', job, 2));
    expect(good).toHaveBeenCalledTimes(1);
  });

  it('subscribes to the transport once, lazily, and lets go on close', () => {
    const mem = memoryTransport(() => null);
    const client = createClient(mem.transport);
    expect(mem.listenerCount()).toBe(0);
    client.on('jobs.updated', () => {});
    client.on('jobs.progress', () => {});
    expect(mem.listenerCount()).toBe(1);
    client.close();
    expect(mem.listenerCount()).toBe(0);
  });
});

// ---------- the WebSocket transport against fake sockets and manual timers ----------

class ManualTimers implements Timers {
  now = 0;
  private next = 1;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.set(id, { at: this.now + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  /** The delays of the pending timers, relative to now. */
  pending(): number[] {
    return [...this.timers.values()].map((t) => t.at - this.now);
  }
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = until;
  }
}

interface FakeSocket {
  url: string;
  handlers: SocketHandlers;
  sent: Array<{ type: string; id: number; name: string; arg: unknown }>;
  closed: boolean;
}

function wsHarness(opts: { reachable?: boolean; connectWaitMs?: number; postLarge?: (m: string) => Promise<unknown> } = {}) {
  const sockets: FakeSocket[] = [];
  const timers = new ManualTimers();
  let reachable = opts.reachable ?? false;
  const probe = vi.fn(() => Promise.resolve(reachable));
  const warnings: string[] = [];
  const transport = createWsTransport({
    url: 'ws://127.0.0.1:1234/ws?token=t',
    warn: (m) => warnings.push(m),
    createSocket: (url, handlers) => {
      const s: FakeSocket = { url, handlers, sent: [], closed: false };
      sockets.push(s);
      return {
        send: (data) => s.sent.push(JSON.parse(data) as FakeSocket['sent'][number]),
        close: () => {
          s.closed = true;
        },
      };
    },
    probe,
    timers,
    random: () => 0,
    backoff: { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.5 },
    connectWaitMs: opts.connectWaitMs ?? 5000,
    postLarge: opts.postLarge,
    maxMessageChars: 1000,
  });
  const statuses: ConnectionStatus[] = [];
  transport.onStatus((s) => statuses.push(s));
  const last = (): FakeSocket => {
    const s = sockets.at(-1);
    if (!s) throw new Error('no socket');
    return s;
  };
  return {
    transport,
    sockets,
    timers,
    probe,
    statuses,
    warnings,
    last,
    setReachable: (r: boolean) => {
      reachable = r;
    },
    respond: (s: FakeSocket, id: number, result: unknown) => s.handlers.onMessage(JSON.stringify({ type: 'response', id, result })),
  };
}

const flush = () => new Promise<void>((r) => setImmediate(r));

describe('WebSocket transport', () => {
  it('sends a request too large for one socket message by postLarge, and the rest by the socket', async () => {
    const posted: string[] = [];
    const h = wsHarness({
      postLarge: (m) => {
        posted.push(m);
        const { id } = JSON.parse(m) as { id: number };
        return Promise.resolve({ type: 'response', id, result: { ok: true, value: 'imported' } });
      },
    });
    h.last().handlers.onOpen();
    const big = h.transport.request('universe.import', { name: 'u', csv: 'X\n'.repeat(1000) });
    await expect(big).resolves.toEqual({ ok: true, value: 'imported' });
    expect(posted).toHaveLength(1);
    expect(JSON.parse(posted[0]!)).toMatchObject({ type: 'request', name: 'universe.import' });
    expect(h.last().sent).toEqual([]);
    const small = h.transport.request('app.info', {});
    expect(h.last().sent.map((m) => m.name)).toEqual(['app.info']);
    h.respond(h.last(), h.last().sent[0]!.id, { ok: true, value: 'info' });
    await expect(small).resolves.toEqual({ ok: true, value: 'info' });
  });

  it('fails a too-large request with a message when it cannot be posted', async () => {
    const none = wsHarness();
    none.last().handlers.onOpen();
    await expect(none.transport.request('universe.import', { name: 'u', csv: 'X'.repeat(2000) })).resolves.toMatchObject({ ok: false, error: { code: 'E_BAD_INPUT' } });
    const failing = wsHarness({ postLarge: () => Promise.reject(new Error('HTTP 413: too large')) });
    failing.last().handlers.onOpen();
    await expect(failing.transport.request('universe.import', { name: 'u', csv: 'X'.repeat(2000) })).resolves.toMatchObject({ ok: false, error: { code: 'E_IO', message: expect.stringMatching(/413/) } });
  });

  it('queues requests until the socket opens, then correlates responses by id', async () => {
    const h = wsHarness();
    const a = h.transport.request('app.info', {});
    const b = h.transport.request('jobs.list', { limit: 5 });
    expect(h.last().sent).toEqual([]);
    h.last().handlers.onOpen();
    expect(h.statuses).toEqual(['connecting', 'open']);
    expect(h.last().sent.map((m) => [m.type, m.name])).toEqual([
      ['request', 'app.info'],
      ['request', 'jobs.list'],
    ]);
    const [ida, idb] = h.last().sent.map((m) => m.id);
    h.respond(h.last(), idb as number, { ok: true, value: [] });
    h.respond(h.last(), ida as number, { ok: true, value: 'info' });
    await expect(a).resolves.toEqual({ ok: true, value: 'info' });
    await expect(b).resolves.toEqual({ ok: true, value: [] });
    expect(h.timers.pending()).toEqual([]); // the wait timers were cleared
  });

  it('forwards event envelopes and ignores junk', () => {
    const h = wsHarness();
    const got: unknown[] = [];
    h.transport.onEvent((e) => got.push(e));
    h.last().handlers.onOpen();
    h.last().handlers.onMessage('not json');
    h.last().handlers.onMessage(JSON.stringify({ type: 'gossip' }));
    h.last().handlers.onMessage(JSON.stringify({ type: 'event', envelope: envelope('jobs.updated', job) }));
    expect(got).toEqual([envelope('jobs.updated', job)]);
    expect(h.warnings).toEqual(['dropped a message that is not JSON', 'dropped a message of unknown type']);
  });

  it('reconnects with exponential backoff after a drop, failing in-flight requests with E_IO', async () => {
    const h = wsHarness();
    h.last().handlers.onOpen();
    const inflight = h.transport.request('app.info', {});
    h.last().handlers.onClose(1006, '');
    await expect(inflight).resolves.toMatchObject({ ok: false, error: { code: 'E_IO' } });
    expect(h.transport.status()).toBe('reconnecting');
    expect(h.timers.pending()).toEqual([100]);
    h.timers.advance(100);
    expect(h.sockets).toHaveLength(2);

    // The server is away: each failure before open probes HTTP, finds nothing, and waits longer.
    h.last().handlers.onClose(1006, '');
    await flush();
    expect(h.probe).toHaveBeenCalledTimes(1);
    expect(h.timers.pending()).toEqual([200]);
    h.timers.advance(200);
    h.last().handlers.onClose(1006, '');
    await flush();
    expect(h.timers.pending()).toEqual([400]);

    // A request made while away waits, and goes out once the connection is back.
    const waiting = h.transport.request('app.info', {});
    h.timers.advance(400);
    h.last().handlers.onOpen();
    expect(h.transport.status()).toBe('open');
    const sent = h.last().sent[0];
    expect(sent?.name).toBe('app.info');
    h.respond(h.last(), sent?.id ?? -1, { ok: true, value: 1 });
    await expect(waiting).resolves.toEqual({ ok: true, value: 1 });

    // Backoff starts over after a successful open.
    h.last().handlers.onClose(1001, 'going away');
    expect(h.timers.pending()).toEqual([100]);
    expect(h.statuses).toEqual(['connecting', 'open', 'reconnecting', 'open', 'reconnecting']);
  });

  it('fails a request that waited too long for the connection with E_TIMEOUT', async () => {
    const h = wsHarness({ connectWaitMs: 3000 });
    const r = h.transport.request('app.info', {});
    h.timers.advance(2999);
    h.timers.advance(1);
    await expect(r).resolves.toMatchObject({ ok: false, error: { code: 'E_TIMEOUT' } });
    h.last().handlers.onOpen();
    expect(h.last().sent).toEqual([]); // not sent late
  });

  it('treats a failed upgrade on a reachable server as a refusal (no or bad token) and stops', async () => {
    const h = wsHarness({ reachable: true });
    const r = h.transport.request('app.info', {});
    h.last().handlers.onClose(1006, '');
    await flush();
    expect(h.transport.status()).toBe('refused');
    await expect(r).resolves.toMatchObject({ ok: false, error: { code: 'E_FORBIDDEN' } });
    expect(h.timers.pending()).toEqual([]);
    await expect(h.transport.request('app.info', {})).resolves.toMatchObject({ ok: false, error: { code: 'E_FORBIDDEN' } });
  });

  it('treats 1008 (malformed message) after the socket opened as a drop and reconnects', () => {
    const h = wsHarness();
    h.last().handlers.onOpen();
    h.last().handlers.onClose(1008, 'malformed message');
    expect(h.transport.status()).toBe('reconnecting');
    h.timers.advance(100);
    h.last().handlers.onOpen();
    expect(h.transport.status()).toBe('open');
  });

  it('close() stops reconnecting and fails what is waiting', async () => {
    const h = wsHarness();
    h.last().handlers.onOpen();
    h.last().handlers.onClose(1006, '');
    const r = h.transport.request('app.info', {});
    h.transport.close();
    expect(h.transport.status()).toBe('closed');
    await expect(r).resolves.toMatchObject({ ok: false, error: { code: 'E_IO' } });
    expect(h.timers.pending()).toEqual([]);
    expect(h.sockets).toHaveLength(1);
  });

  it('ignores callbacks of a socket it has replaced', () => {
    const h = wsHarness();
    const first = h.last();
    first.handlers.onOpen();
    first.handlers.onClose(1006, '');
    h.timers.advance(100);
    first.handlers.onClose(1006, ''); // late duplicate from the old socket
    expect(h.timers.pending()).toEqual([]);
    expect(h.sockets).toHaveLength(2);
  });

  it('computes capped, jittered delays', () => {
    const b = { initialMs: 250, maxMs: 10_000, factor: 2, jitter: 0.2 };
    expect([0, 1, 2, 3, 10].map((n) => backoffDelay(n, b, () => 0))).toEqual([250, 500, 1000, 2000, 10_000]);
    expect(backoffDelay(0, b, () => 1)).toBe(300);
  });

  it('works end to end with the client: a malformed WS response becomes E_INTERNAL', async () => {
    const h = wsHarness();
    const client = createClient(h.transport, { onProtocolError: () => {} });
    h.last().handlers.onOpen();
    const r = client.request('providers.list', {});
    await flush();
    h.respond(h.last(), h.last().sent[0]?.id ?? -1, { ok: true, value: [{ name: 'fake' }] });
    await expect(r).resolves.toMatchObject({ ok: false, error: { code: 'E_INTERNAL' } });
  });
});

describe('token handling', () => {
  function env(search: string, stored: string | null = null) {
    const store = new Map<string, string>();
    if (stored) store.set('marketpipe.token', stored);
    const replaced: string[] = [];
    return {
      store,
      replaced,
      env: {
        location: { search, pathname: '/', hash: '#/query' },
        storage: { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) },
        history: { state: null, replaceState: (_s: unknown, _t: string, url?: string | URL | null) => void replaced.push(String(url)) },
      },
    };
  }

  it('takes the token from the URL, keeps it for the tab, and removes it from the address bar', () => {
    const e = env('?token=abc123&x=1');
    expect(takeToken(e.env)).toBe('abc123');
    expect(e.store.get('marketpipe.token')).toBe('abc123');
    expect(e.replaced).toEqual(['/?x=1#/query']);
  });

  it('falls back to the stored token on reload, and to null without one', () => {
    const e = env('', 'stored');
    expect(takeToken(e.env)).toBe('stored');
    expect(e.replaced).toEqual([]);
    expect(takeToken(env('').env)).toBeNull();
  });

  it('builds the socket URL from the page location', () => {
    expect(wsUrl({ protocol: 'http:', host: '127.0.0.1:5000' }, '/ws', 'a b')).toBe('ws://127.0.0.1:5000/ws?token=a%20b');
    expect(wsUrl({ protocol: 'https:', host: 'x.example' }, '/ws', 't')).toBe('wss://x.example/ws?token=t');
  });
});
