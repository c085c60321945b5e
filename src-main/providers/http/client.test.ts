import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MpError } from '../../shared/errors';
import { closeHttpClient, createHttpClient } from './client';
import { closedPort, signalOnce, startServer, type Handler, type TestServer } from './test-server';
import type { BreakerState, HttpClient, HttpHooks, ResilienceOptions } from './types';

// Short real delays keep the suite fast; the breaker stays out of the way unless a test sets it up.
const FAST: ResilienceOptions = {
  ratePerMinute: 60_000,
  burst: 50,
  maxRetries: 3,
  baseDelayMs: 5,
  maxDelayMs: 50,
  // generous: a loaded CI machine must not turn a healthy answer into a timeout; tests of timeouts set their own
  timeoutMs: 5000,
  breaker: { errorThresholdPercentage: 50, resetTimeoutMs: 10_000, volumeThreshold: 1000 },
};

const servers: TestServer[] = [];
const clients: HttpClient[] = [];

afterEach(async () => {
  vi.useRealTimers();
  for (const c of clients.splice(0)) closeHttpClient(c);
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: Handler): Promise<TestServer> {
  const s = await startServer(handler);
  servers.push(s);
  return s;
}

function client(opts: Partial<ResilienceOptions> = {}, hooks: HttpHooks = {}): HttpClient {
  const c = createHttpClient('alpaca', { ...FAST, ...opts }, hooks);
  clients.push(c);
  return c;
}

function reply(res: ServerResponse, status: number, headers: Record<string, string> = {}, body = ''): void {
  res.writeHead(status, { 'content-type': 'text/plain', ...headers });
  res.end(body);
}

const live = (): AbortSignal => new AbortController().signal;

/** Every hook call, in order, with its payload. */
function recorder() {
  const calls: { hook: keyof HttpHooks; payload: Record<string, unknown> }[] = [];
  const hooks: HttpHooks = {
    onResponse: (e) => calls.push({ hook: 'onResponse', payload: e }),
    onError: (e) => calls.push({ hook: 'onError', payload: e }),
    onRetry: (e) => calls.push({ hook: 'onRetry', payload: e }),
    onRateLimitWait: (e) => calls.push({ hook: 'onRateLimitWait', payload: e }),
    onBreakerState: (e) => calls.push({ hook: 'onBreakerState', payload: e }),
  };
  const of = (hook: keyof HttpHooks): Record<string, unknown>[] => calls.filter((c) => c.hook === hook).map((c) => c.payload);
  return { calls, hooks, of };
}

async function rejection(p: Promise<unknown>): Promise<MpError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof MpError) return e;
    throw new Error(`expected an MpError, got ${String(e)}`);
  }
  throw new Error('expected a rejection');
}

describe('createHttpClient: answers', () => {
  it('returns status, headers and the whole body, sending the caller’s headers', async () => {
    const body = 'x'.repeat(1_000_000);
    const srv = await serve((_req, res) => reply(res, 200, { 'x-request-id': 'r1' }, body));
    const rec = recorder();
    const res = await client({}, rec.hooks).get({ url: `${srv.base}/v2/bars?symbols=AAPL`, headers: { 'APCA-API-KEY-ID': 'k' }, signal: live() });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('r1');
    expect(res.text).toBe(body);
    expect(srv.hits[0]?.url).toBe('/v2/bars?symbols=AAPL');
    expect(srv.hits[0]?.headers['apca-api-key-id']).toBe('k');
    expect(rec.of('onResponse')).toEqual([{ provider: 'alpaca', status: 200, durationMs: expect.any(Number) }]);
    expect(rec.of('onRetry')).toEqual([]);
  });

  it.each([401, 403, 404, 422])('returns a %i without retrying (one server hit)', async (status) => {
    const srv = await serve((_req, res) => reply(res, status, {}, '{"message":"nope"}'));
    const rec = recorder();
    const res = await client({}, rec.hooks).get({ url: `${srv.base}/x`, signal: live() });
    expect(res).toMatchObject({ status, text: '{"message":"nope"}' });
    expect(srv.hits).toHaveLength(1);
    expect(rec.of('onRetry')).toEqual([]);
    expect(rec.of('onError')).toEqual([]);
  });

  it('returns a redirect instead of following it (our key headers must not travel to another host)', async () => {
    const elsewhere = await serve((_req, res) => reply(res, 200));
    const srv = await serve((_req, res) => reply(res, 302, { location: `${elsewhere.base}/steal` }));
    const res = await client().get({ url: `${srv.base}/x`, headers: { 'APCA-API-SECRET-KEY': 's' }, signal: live() });
    expect(res.status).toBe(302);
    expect(elsewhere.hits).toHaveLength(0);
  });
});

describe('createHttpClient: retries', () => {
  it('retries a 503 and returns the 200 that follows', async () => {
    const srv = await serve((_req, res, i) => (i === 0 ? reply(res, 503) : reply(res, 200, {}, 'ok')));
    const rec = recorder();
    const res = await client({}, rec.hooks).get({ url: `${srv.base}/x`, signal: live() });
    expect(res.text).toBe('ok');
    expect(srv.hits).toHaveLength(2);
    expect(rec.of('onRetry')).toEqual([{ provider: 'alpaca', attempt: 1, waitMs: expect.any(Number), reason: '5xx' }]);
    expect(rec.of('onResponse').map((e) => e.status)).toEqual([503, 200]);
  });

  it('gives up after maxRetries with E_PROVIDER naming the status', async () => {
    const srv = await serve((_req, res) => reply(res, 503));
    const rec = recorder();
    const err = await rejection(client({}, rec.hooks).get({ url: `${srv.base}/x`, signal: live() }));
    expect(err.code).toBe('E_PROVIDER');
    expect(err.message).toBe('alpaca: HTTP 503 after 4 attempts');
    expect(srv.hits).toHaveLength(4);
    const retries = rec.of('onRetry');
    expect(retries.map((r) => r.attempt)).toEqual([1, 2, 3]);
    // full jitter under the exponential cap: base 5 ms → at most 5, 10, 20
    retries.forEach((r, i) => expect(r.waitMs).toBeLessThanOrEqual(5 * 2 ** i));
    expect(rec.of('onError')).toEqual([{ provider: 'alpaca', code: 'E_PROVIDER', durationMs: expect.any(Number) }]);
  });

  it('retries 502, 504, 500 and 408 too', async () => {
    const statuses = [502, 504, 500, 408];
    const srv = await serve((_req, res, i) => reply(res, statuses[i] ?? 200));
    const rec = recorder();
    const res = await client({ maxRetries: 4 }, rec.hooks).get({ url: `${srv.base}/x`, signal: live() });
    expect(res.status).toBe(200);
    expect(rec.of('onRetry').map((r) => r.reason)).toEqual(['5xx', '5xx', '5xx', 'timeout']);
  });

  it('times out each attempt after timeoutMs and ends with E_TIMEOUT', async () => {
    const srv = await serve(() => {
      /* never answers */
    });
    const rec = recorder();
    const t0 = performance.now();
    const err = await rejection(client({ maxRetries: 1, timeoutMs: 200 }, rec.hooks).get({ url: `${srv.base}/x`, signal: live() }));
    expect(err.code).toBe('E_TIMEOUT');
    expect(err.message).toBe('alpaca: no answer within 200 ms after 2 attempts');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(395);
    expect(srv.hits).toHaveLength(2);
    expect(rec.of('onRetry').map((r) => r.reason)).toEqual(['timeout']);
  });

  it('times out a body that stalls half way', async () => {
    const srv = await serve((_req, res, i) => {
      if (i === 0) {
        res.writeHead(200, { 'content-length': '100' });
        res.write('partial');
        return;
      }
      reply(res, 200, {}, 'whole');
    });
    const res = await client({ timeoutMs: 200 }).get({ url: `${srv.base}/x`, signal: live() });
    expect(res.text).toBe('whole');
    expect(srv.hits).toHaveLength(2);
  });

  it('retries a dropped connection', async () => {
    const srv = await serve((req, res, i) => (i === 0 ? req.socket.destroy() : reply(res, 200, {}, 'ok')));
    const rec = recorder();
    const res = await client({}, rec.hooks).get({ url: `${srv.base}/x`, signal: live() });
    expect(res.text).toBe('ok');
    expect(rec.of('onRetry').map((r) => r.reason)).toEqual(['network']);
  });

  it('reports connections reset and refused by name once retries run out', async () => {
    const srv = await serve((req) => req.socket.destroy());
    const reset = await rejection(client({ maxRetries: 2 }).get({ url: `${srv.base}/x`, signal: live() }));
    expect(reset).toMatchObject({ code: 'E_PROVIDER', message: 'alpaca: connection reset after 3 attempts' });
    const port = await closedPort();
    const refused = await rejection(client({ maxRetries: 1 }).get({ url: `http://127.0.0.1:${port}/x`, signal: live() }));
    expect(refused).toMatchObject({ code: 'E_PROVIDER', message: 'alpaca: connection refused after 2 attempts' });
  });

  it('sends every retry through the token bucket', async () => {
    // burst 1 at 2/s: the retry has to wait for the next token (500 ms: far longer than a loaded machine's 503
    // round trip, so the test holds under load), and says so
    const srv = await serve((_req, res, i) => (i === 0 ? reply(res, 503) : reply(res, 200)));
    const rec = recorder();
    await client({ ratePerMinute: 120, burst: 1, baseDelayMs: 0, maxDelayMs: 0 }, rec.hooks).get({ url: `${srv.base}/x`, signal: live() });
    expect(rec.of('onRateLimitWait')).toHaveLength(1);
    expect((srv.hits[1]?.at ?? 0) - (srv.hits[0]?.at ?? 0)).toBeGreaterThanOrEqual(400);
  });
});

describe('createHttpClient: server-requested waits (fake clock, real sockets)', () => {
  // Only setTimeout and Date are faked: the sockets, the server and the breaker's window run for real.
  const fakeClock = (): void => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(new Date('2026-01-05T10:00:00.000Z'));
  };

  async function expectRetryAfterExactly(ms: number, headers: () => Record<string, string>): Promise<void> {
    fakeClock();
    const srv = await serve((_req, res, i) => (i === 0 ? reply(res, 429, headers()) : reply(res, 200, {}, 'ok')));
    const retried = signalOnce<number>();
    const p = client({}, { onRetry: (e) => retried.resolve(e.waitMs) }).get({ url: `${srv.base}/x`, signal: live() });
    expect(await retried.promise).toBe(ms);
    await vi.advanceTimersByTimeAsync(ms - 1);
    expect(srv.hits).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await srv.waitForHits(2);
    await expect(p).resolves.toMatchObject({ status: 200, text: 'ok' });
  }

  it('429 with Retry-After: 2 waits 2 s before the retry', async () => {
    await expectRetryAfterExactly(2000, () => ({ 'Retry-After': '2' }));
  });

  it('429 with Retry-After as an HTTP date waits until that date', async () => {
    await expectRetryAfterExactly(3000, () => ({ 'Retry-After': new Date(Date.now() + 3000).toUTCString() }));
  });

  it('429 with X-RateLimit-Reset (epoch seconds, as Alpaca sends) waits until the reset', async () => {
    await expectRetryAfterExactly(4000, () => ({ 'X-RateLimit-Reset': String(Math.floor(Date.now() / 1000) + 4) }));
  });

  it('caps an absurd Retry-After at 5 minutes', async () => {
    await expectRetryAfterExactly(300_000, () => ({ 'Retry-After': '86400' }));
  });
});

describe('createHttpClient: cancellation', () => {
  it('stops a backoff sleep at once', async () => {
    const srv = await serve((_req, res) => reply(res, 503, { 'Retry-After': '30' }));
    const ac = new AbortController();
    const retried = signalOnce<number>();
    const rec = recorder();
    const p = client({}, { ...rec.hooks, onRetry: (e) => retried.resolve(e.waitMs) }).get({ url: `${srv.base}/x`, signal: ac.signal });
    expect(await retried.promise).toBe(30_000);
    ac.abort();
    // rejected (not resolved after the 30 s backoff): the wait was abandoned
    const err = await rejection(p);
    expect(err).toMatchObject({ code: 'E_CANCELLED', message: 'alpaca: cancelled' });
    expect(srv.hits).toHaveLength(1);
    expect(rec.of('onError')).toEqual([{ provider: 'alpaca', code: 'E_CANCELLED', durationMs: expect.any(Number) }]);
  });

  it('stops a rate-limit wait at once, and the default burst is a second’s worth', async () => {
    // 120/min: default burst 2, so the third request has to wait ~500 ms for a token
    const srv = await serve((_req, res) => reply(res, 200));
    const waited = signalOnce<number>();
    const c = client({ ratePerMinute: 120, burst: undefined }, { onRateLimitWait: (e) => waited.resolve(e.waitMs) });
    await Promise.all([c.get({ url: `${srv.base}/1`, signal: live() }), c.get({ url: `${srv.base}/2`, signal: live() })]);
    const ac = new AbortController();
    const p = c.get({ url: `${srv.base}/3`, signal: ac.signal });
    const waitMs = await waited.promise;
    expect(waitMs).toBeGreaterThan(400);
    expect(waitMs).toBeLessThanOrEqual(500);
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'E_CANCELLED' });
    // the third request never reached the server: it left the queue instead of waiting for its token
    expect(srv.hits).toHaveLength(2);
  });

  it('aborts a request in flight, without counting it against the provider', async () => {
    let answer = false;
    const srv = await serve((_req, res) => {
      if (answer) reply(res, 200);
    });
    const rec = recorder();
    // a single failure would open this breaker
    const c = client({ timeoutMs: 5000, breaker: { errorThresholdPercentage: 0, resetTimeoutMs: 10_000, volumeThreshold: 1 } }, rec.hooks);
    const ac = new AbortController();
    const p = c.get({ url: `${srv.base}/x`, signal: ac.signal });
    await srv.waitForHits(1);
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'E_CANCELLED', message: 'alpaca: cancelled' });
    answer = true;
    await expect(c.get({ url: `${srv.base}/x`, signal: live() })).resolves.toMatchObject({ status: 200 });
    expect(rec.of('onBreakerState')).toEqual([]);
  });

  it('refuses an already aborted signal without a network call', async () => {
    const srv = await serve((_req, res) => reply(res, 200));
    const ac = new AbortController();
    ac.abort();
    await expect(client().get({ url: `${srv.base}/x`, signal: ac.signal })).rejects.toMatchObject({ code: 'E_CANCELLED' });
    expect(srv.hits).toHaveLength(0);
  });
});

describe('createHttpClient: circuit breaker', () => {
  const breakerOpts = (resetTimeoutMs = 150): Partial<ResilienceOptions> => ({
    maxRetries: 0,
    breaker: { errorThresholdPercentage: 50, resetTimeoutMs, volumeThreshold: 2 },
  });

  function statesInto(states: BreakerState[], halfOpen?: () => void): HttpHooks {
    return {
      onBreakerState: (e) => {
        states.push(e.state);
        if (e.state === 'half-open') halfOpen?.();
      },
    };
  }

  it('opens after repeated failures, fails fast, half-opens after resetTimeout and closes on success', async () => {
    let healthy = false;
    const srv = await serve((_req, res) => (healthy ? reply(res, 200, {}, 'ok') : reply(res, 503)));
    const states: BreakerState[] = [];
    const halfOpen = signalOnce<void>();
    const c = client(breakerOpts(), statesInto(states, () => halfOpen.resolve()));
    const get = (): Promise<unknown> => c.get({ url: `${srv.base}/x`, signal: live() });

    await expect(get()).rejects.toMatchObject({ message: 'alpaca: HTTP 503 after 1 attempt' });
    expect(states).toEqual([]);
    await expect(get()).rejects.toMatchObject({ message: 'alpaca: HTTP 503 after 1 attempt' });
    expect(states).toEqual(['open']);

    const fast = await rejection(get());
    expect(fast).toMatchObject({ code: 'E_PROVIDER', message: 'alpaca: circuit open after repeated failures, retrying in 1 s' });
    expect(srv.hits).toHaveLength(2);

    healthy = true;
    await halfOpen.promise;
    await expect(get()).resolves.toMatchObject({ status: 200, text: 'ok' });
    expect(states).toEqual(['open', 'half-open', 'closed']);

    // closing empties the window: one failure after recovery is below the volume threshold again
    healthy = false;
    await expect(get()).rejects.toMatchObject({ message: 'alpaca: HTTP 503 after 1 attempt' });
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('re-opens when the half-open probe fails', async () => {
    const srv = await serve((_req, res) => reply(res, 503));
    const states: BreakerState[] = [];
    const halfOpen = signalOnce<void>();
    const c = client(breakerOpts(), statesInto(states, () => halfOpen.resolve()));
    const get = (): Promise<unknown> => c.get({ url: `${srv.base}/x`, signal: live() });
    await expect(get()).rejects.toThrow();
    await expect(get()).rejects.toThrow();
    await halfOpen.promise;
    await expect(get()).rejects.toMatchObject({ message: 'alpaca: HTTP 503 after 1 attempt' });
    expect(states).toEqual(['open', 'half-open', 'open']);
    await expect(get()).rejects.toMatchObject({ message: expect.stringContaining('circuit open') });
    expect(srv.hits).toHaveLength(3);
  });

  it('lets exactly one probe through while half-open', async () => {
    let release: (() => void) | undefined;
    let failing = true;
    const srv = await serve((_req, res) => {
      if (failing) return reply(res, 503);
      release = () => reply(res, 200);
    });
    const halfOpen = signalOnce<void>();
    const c = client({ ...breakerOpts(), timeoutMs: 5000 }, statesInto([], () => halfOpen.resolve()));
    const get = (): Promise<unknown> => c.get({ url: `${srv.base}/x`, signal: live() });
    await expect(get()).rejects.toThrow();
    await expect(get()).rejects.toThrow();
    await halfOpen.promise;
    failing = false;
    const probe = get();
    await srv.waitForHits(3);
    await expect(get()).rejects.toMatchObject({ code: 'E_PROVIDER', message: 'alpaca: circuit open after repeated failures, a probe request is in flight' });
    release?.();
    await expect(probe).resolves.toMatchObject({ status: 200 });
    expect(srv.hits).toHaveLength(3);
  });

  it('stops retrying as soon as the breaker opens', async () => {
    const srv = await serve((_req, res) => reply(res, 503));
    const rec = recorder();
    const c = client({ maxRetries: 10, breaker: { errorThresholdPercentage: 50, resetTimeoutMs: 10_000, volumeThreshold: 3 } }, rec.hooks);
    const err = await rejection(c.get({ url: `${srv.base}/x`, signal: live() }));
    expect(err).toMatchObject({ code: 'E_PROVIDER', message: 'alpaca: circuit open after repeated failures, retrying in 10 s' });
    expect(srv.hits).toHaveLength(3);
    expect(rec.of('onRetry')).toHaveLength(2);
  });

  it('does not count 4xx answers as failures', async () => {
    const srv = await serve((_req, res) => reply(res, 404));
    const states: BreakerState[] = [];
    const c = client(breakerOpts(), statesInto(states));
    for (let i = 0; i < 5; i++) await expect(c.get({ url: `${srv.base}/x`, signal: live() })).resolves.toMatchObject({ status: 404 });
    expect(states).toEqual([]);
    expect(srv.hits).toHaveLength(5);
  });
});

describe('createHttpClient: one budget for the whole provider', () => {
  /**
   * Two workers sharing one client, three requests each. The server holds the first two requests (one per worker),
   * answers the first with `budgetSpent` and, once the client has taken that answer in, the second with a plain 200
   * (a request in flight during the pause, which is not cancelled); every later request is answered at once.
   */
  async function twoWorkers(budgetSpent: (res: ServerResponse) => void, taken: (hooks: HttpHooks) => Promise<void>) {
    const held: ServerResponse[] = [];
    const srv = await serve((_req, res, i) => (i < 2 ? held.push(res) : reply(res, 200, {}, 'ok')));
    const hooks: HttpHooks = {};
    const seen = taken(hooks);
    const c = client({}, hooks);
    const worker = async (name: string): Promise<number[]> => {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await c.get({ url: `${srv.base}/${name}/${i}`, signal: live() })).status);
      return statuses;
    };
    const both = Promise.all([worker('a'), worker('b')]);
    await srv.waitForHits(2);
    const spentAt = Date.now();
    budgetSpent(held[0]!);
    await seen;
    reply(held[1]!, 200, {}, 'in flight');
    return { srv, spentAt, results: await both };
  }

  it('a 429 with Retry-After pauses every worker until it ends; the request in flight completes', async () => {
    const retried = signalOnce<void>();
    const { srv, spentAt, results } = await twoWorkers(
      (res) => reply(res, 429, { 'Retry-After': '1', 'X-RateLimit-Remaining': '0' }),
      async (hooks) => {
        hooks.onRetry = () => retried.resolve();
        await retried.promise;
      },
    );
    expect(results).toEqual([[200, 200, 200], [200, 200, 200]]);
    // 6 requests and the retry of the one refused
    expect(srv.hits).toHaveLength(7);
    // the server's own clock: nothing arrived between its 429 and the end of the second it asked for
    const during = srv.hits.slice(2).filter((h) => h.wall < spentAt + 1000);
    expect(during).toEqual([]);
  });

  it('X-RateLimit-Remaining: 0 with X-RateLimit-Reset (epoch seconds) pauses every worker until the reset', async () => {
    const answered = signalOnce<void>();
    let resetMs = 0;
    const { srv, results } = await twoWorkers(
      (res) => {
        resetMs = (Math.ceil(Date.now() / 1000) + 1) * 1000;
        reply(res, 200, { 'X-RateLimit-Limit': '200', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(resetMs / 1000) }, 'last');
      },
      async (hooks) => {
        hooks.onResponse = () => answered.resolve();
        await answered.promise;
      },
    );
    expect(results).toEqual([[200, 200, 200], [200, 200, 200]]);
    expect(srv.hits).toHaveLength(6);
    expect(srv.hits.slice(2).filter((h) => h.wall < resetMs)).toEqual([]);
    expect(srv.hits.slice(2).length).toBe(4);
  });

  it('a 429 that names no wait still holds every worker for its backoff', async () => {
    const srv = await serve((_req, res, i) => (i === 0 ? reply(res, 429) : reply(res, 200)));
    const retried = signalOnce<number>();
    const c = client({ baseDelayMs: 300, maxDelayMs: 300 }, { onRetry: (e) => retried.resolve(e.waitMs) });
    const first = c.get({ url: `${srv.base}/a`, signal: live() });
    const waitMs = await retried.promise;
    await c.get({ url: `${srv.base}/b`, signal: live() });
    await first;
    expect(srv.hits).toHaveLength(3);
    // the other request waited out the first one's backoff (full jitter: somewhere in [0, 300) ms)
    const b = srv.hits.find((h) => h.url === '/b')!;
    expect(b.wall).toBeGreaterThanOrEqual(srv.hits[0]!.wall + waitMs);
  });
});

describe('createHttpClient: pacing', () => {
  it('spaces requests at the rate: 100/s with burst 1 takes ≥ 190 ms for 20 requests', async () => {
    const srv = await serve((_req, res) => reply(res, 200));
    const rec = recorder();
    const c = client({ ratePerMinute: 6000, burst: 1 }, rec.hooks);
    await Promise.all(Array.from({ length: 20 }, (_, i) => c.get({ url: `${srv.base}/${i}`, signal: live() })));
    const at = srv.hits.map((h) => h.at);
    const span = Math.max(...at) - Math.min(...at);
    expect(span).toBeGreaterThanOrEqual(185);
    // (that the bucket runs at the full rate, without idle gaps, is proven with fake timers in token-bucket.test.ts:
    // wall-clock upper bounds do not belong in pass/fail tests on a shared machine)
    expect(rec.of('onRateLimitWait')).toHaveLength(19);
    // served in order of arrival
    expect(srv.hits.map((h) => h.url)).toEqual(Array.from({ length: 20 }, (_, i) => `/${i}`));
  });
});

describe('createHttpClient: secrets stay out of errors and hooks', () => {
  it('never puts the query string, header values or bodies into messages or hook payloads', async () => {
    const echo: Handler = (req, res) => reply(res, 503, {}, `you sent ${req.url} ${JSON.stringify(req.headers)}`);
    const rec = recorder();
    const errors: MpError[] = [];
    const secretHeaders = { 'APCA-API-KEY-ID': 'KEYID789', 'APCA-API-SECRET-KEY': 'SECRET456' };
    const run = async (c: HttpClient, url: string, signal = live(), headers: Record<string, string> = secretHeaders): Promise<void> => {
      try {
        await c.get({ url, headers, signal });
      } catch (e) {
        if (!(e instanceof MpError)) throw e;
        errors.push(e);
      }
    };
    const q = '/v2/stocks/bars?symbols=AAPL&apiKey=SECRET123';

    const s503 = await serve(echo);
    await run(client({}, rec.hooks), s503.base + q);
    const s429 = await serve((req, res) => reply(res, 429, { 'Retry-After': '0' }, `slow down ${req.url}`));
    await run(client({}, rec.hooks), s429.base + q);
    const s404 = await serve((req, res) => reply(res, 404, {}, `no ${req.url}`));
    await run(client({}, rec.hooks), s404.base + q);
    const hung = await serve(() => {});
    await run(client({ maxRetries: 1, timeoutMs: 50 }, rec.hooks), hung.base + q);
    const dropper = await serve((req) => req.socket.destroy());
    await run(client({ maxRetries: 1 }, rec.hooks), dropper.base + q);
    await run(client({ maxRetries: 1 }, rec.hooks), `http://127.0.0.1:${await closedPort()}${q}`);
    // breaker: open it, then fail fast
    const br = client({ maxRetries: 0, breaker: { errorThresholdPercentage: 0, resetTimeoutMs: 10_000, volumeThreshold: 1 } }, rec.hooks);
    await run(br, s503.base + q);
    await run(br, s503.base + q);
    // cancelled in flight
    const ac = new AbortController();
    const cancelled = run(client({ timeoutMs: 5000 }, rec.hooks), hung.base + q, ac.signal);
    await hung.waitForHits(3);
    ac.abort();
    await cancelled;
    // malformed input that fetch itself would quote back
    await run(client({}, rec.hooks), s404.base + q, live(), { 'APCA-API-SECRET-KEY': 'SECRET456\nX' });
    await run(client({}, rec.hooks), 'http://[SECRET123/x?apiKey=SECRET123');

    expect(errors.map((e) => e.code).sort()).toEqual(
      ['E_BAD_INPUT', 'E_BAD_INPUT', 'E_CANCELLED', 'E_PROVIDER', 'E_PROVIDER', 'E_PROVIDER', 'E_PROVIDER', 'E_PROVIDER', 'E_PROVIDER', 'E_TIMEOUT'].sort(),
    );
    const texts = [
      ...errors.flatMap((e) => [e.message, String(e), e.stack ?? '', JSON.stringify(e.toValue()), String(e.cause ?? '')]),
      ...rec.calls.map((c) => JSON.stringify(c.payload)),
    ].join('\n');
    for (const secret of ['SECRET', 'KEYID789', 'apiKey', 'symbols=', 'you sent', 'slow down']) expect(texts).not.toContain(secret);
    for (const e of errors) expect(e.cause).toBeUndefined();
    expect(rec.calls.length).toBeGreaterThan(10);
  });
});

describe('createHttpClient: robustness', () => {
  it('a throwing hook neither fails nor retries the request; it becomes a process warning', async () => {
    const srv = await serve((_req, res) => reply(res, 200, {}, 'ok'));
    const warned = signalOnce<Error>();
    process.once('warning', (w) => warned.resolve(w));
    const res = await client(
      {},
      {
        onResponse: () => {
          throw new Error('metrics down');
        },
      },
    ).get({ url: `${srv.base}/x`, signal: live() });
    expect(res.text).toBe('ok');
    expect(srv.hits).toHaveLength(1);
    expect((await warned.promise).message).toContain('onResponse');
  });

  it('refuses options that would never pace or never end', () => {
    expect(() => createHttpClient('alpaca', { ...FAST, ratePerMinute: 0 }, {})).toThrow(/ratePerMinute/);
    expect(() => createHttpClient('alpaca', { ...FAST, maxRetries: Number.NaN }, {})).toThrow(/maxRetries/);
    expect(() => createHttpClient('alpaca', { ...FAST, burst: 0 }, {})).toThrow(/burst/);
  });

  it('refuses requests once closed', async () => {
    const srv = await serve((_req, res) => reply(res, 200));
    const c = createHttpClient('alpaca', FAST);
    closeHttpClient(c);
    await expect(c.get({ url: `${srv.base}/x`, signal: live() })).rejects.toMatchObject({ code: 'E_INTERNAL', message: 'alpaca: HTTP client is closed' });
    expect(srv.hits).toHaveLength(0);
  });
});
