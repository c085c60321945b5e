import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MpError } from '../shared/errors';
import { EngineMetrics } from './registry';
import { parseMetricsEnv, startMetricsServer, wantsOpenMetrics, type MetricsServer, type MetricsServerOptions } from './server';
import { faultLoad } from '../testing/faults';
import { httpGet } from './test-helpers';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(opts: Partial<MetricsServerOptions> = {}): Promise<{ server: MetricsServer; metrics: EngineMetrics }> {
  const metrics = new EngineMetrics({ processMetrics: false });
  cleanups.push(() => metrics.close());
  const server = await startMetricsServer({ metrics, port: 0, host: '127.0.0.1', ...opts });
  cleanups.push(() => server.close());
  return { server, metrics };
}

/** Sends raw bytes and collects everything until the server closes the connection. */
function rawExchange(port: number, data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let out = '';
    s.setEncoding('utf8');
    s.on('data', (c: string) => (out += c));
    s.on('close', () => resolve(out));
    s.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? resolve(out) : reject(e)));
    s.write(data);
  });
}

const PROMETHEUS_ACCEPT = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

describe('metrics server', () => {
  it('serves classic text by default and OpenMetrics when Accept asks for it (as Prometheus does)', async () => {
    const { server, metrics } = await start();
    metrics.rowsIngested('alpaca', 'iex', '1m', 10, 'job-9');
    const classic = await httpGet(`${server.url}/metrics`);
    expect(classic.status).toBe(200);
    expect(classic.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(classic.body).toContain('mp_ingest_rows_total{provider="alpaca",feed="iex",timeframe="1m"} 10\n');
    const om = await httpGet(`${server.url}/metrics`, { headers: { accept: PROMETHEUS_ACCEPT } });
    expect(om.headers['content-type']).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(om.body).toContain('# {job_id="job-9"} 10');
    expect(om.body.endsWith('# EOF\n')).toBe(true);
  });

  it('legacy mode ignores the OpenMetrics Accept header', async () => {
    const metrics = new EngineMetrics({ legacy: true, processMetrics: false });
    cleanups.push(() => metrics.close());
    const server = await startMetricsServer({ metrics, port: 0, host: '127.0.0.1' });
    cleanups.push(() => server.close());
    const r = await httpGet(`${server.url}/metrics`, { headers: { accept: PROMETHEUS_ACCEPT } });
    expect(r.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(r.body).not.toContain('# EOF');
  });

  it('parses Accept: q=0 refuses OpenMetrics', () => {
    expect(wantsOpenMetrics(undefined)).toBe(false);
    expect(wantsOpenMetrics('text/plain')).toBe(false);
    expect(wantsOpenMetrics('application/openmetrics-text; version=1.0.0')).toBe(true);
    expect(wantsOpenMetrics('application/openmetrics-text;q=0, text/plain')).toBe(false);
  });

  it('answers /healthz and /readyz with JSON from the callbacks, 503 when not ready', async () => {
    let ready = false;
    const { server } = await start({ health: () => ({ ok: true, checks: { process: true } }), ready: () => ({ ok: ready, checks: { db: ready, lake: true } }) });
    const h = await httpGet(`${server.url}/healthz`);
    expect(h.status).toBe(200);
    expect(h.headers['content-type']).toContain('application/json');
    expect(JSON.parse(h.body)).toEqual({ ok: true, checks: { process: true } });
    const r1 = await httpGet(`${server.url}/readyz`);
    expect(r1.status).toBe(503);
    expect(JSON.parse(r1.body)).toEqual({ ok: false, checks: { db: false, lake: true } });
    ready = true;
    expect((await httpGet(`${server.url}/readyz`)).status).toBe(200);
  });

  it('allows only GET and HEAD on known paths: 405 and 404 otherwise', async () => {
    const { server } = await start();
    const post = await httpGet(`${server.url}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect((await httpGet(`${server.url}/healthz`, { method: 'DELETE' })).status).toBe(405);
    expect((await httpGet(`${server.url}/`)).status).toBe(404);
    expect((await httpGet(`${server.url}/metrics/../etc/passwd`)).status).toBe(404);
    expect((await httpGet(`${server.url}/favicon.ico`)).status).toBe(404);
    const head = await httpGet(`${server.url}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
    expect((await httpGet(`${server.url}/metrics?x=1`)).status).toBe(200);
  });

  it('answers 431 to a request whose headers exceed METRICS_MAX_HEADER_SIZE', async () => {
    const { server } = await start({ maxHeaderSize: 16_384 });
    const reply = await rawExchange(server.port, `GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(reply.split('\r\n')[0]).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    // and a normal request still works afterwards
    expect((await httpGet(`${server.url}/healthz`)).status).toBe(200);
  });

  it('at METRICS_MAX_CONNECTIONS a new connection takes the slot of the oldest idle one, counted as dropped', async () => {
    const max = 3;
    const { server, metrics } = await start({ maxConnections: max });
    const held: net.Socket[] = [];
    const closed: Promise<void>[] = [];
    // hold `max` keep-alive connections, each proven accepted by a full request/response
    for (let i = 0; i < max; i++) {
      const s = net.connect(server.port, '127.0.0.1');
      held.push(s);
      closed.push(new Promise((resolve) => s.once('close', () => resolve())));
      await new Promise<void>((resolve, reject) => {
        s.once('data', () => resolve());
        s.once('error', reject);
        s.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      });
    }
    const extra = await rawExchange(server.port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    expect(extra.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    // the oldest idle connection was the one let go
    await closed[0];
    const dropped = (await metrics.registry.getSingleMetric('mp_metrics_connections_dropped_total')?.get())?.values[0]?.value;
    expect(dropped).toBe(1);
    for (const s of held) s.destroy();
  });

  it('answers probes within a second while 200 slowloris connections dribble their headers', async () => {
    const { server } = await start({ maxConnections: 100 });
    const n = faultLoad(200, 5);
    const slow: net.Socket[] = [];
    cleanups.push(() => slow.forEach((s) => s.destroy()));
    await Promise.all(
      Array.from({ length: n }, () =>
        new Promise<void>((resolve) => {
          const s = net.connect(server.port, '127.0.0.1', () => {
            s.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n');
            resolve();
          });
          s.on('error', () => resolve());
          slow.push(s);
        }),
      ),
    );
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      const r = await httpGet(`${server.url}/healthz`);
      expect(r.status).toBe(200);
      // the target is well under a second (a bench concern); here: answered at all, and not after a timeout cycle
      expect(performance.now() - t0).toBeLessThan(5000);
      // keep the slow clients dribbling
      for (const s of slow) if (!s.destroyed) s.write('X-a: b\r\n');
    }
  });

  it('refuses a Host header that does not name this server (DNS rebinding), allows the configured ones', async () => {
    const { server } = await start({ allowedHosts: ['host.docker.internal', 'metrics.lan'] });
    const ask = (host: string) => rawExchange(server.port, `GET /metrics HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`).then((r) => r.split('\r\n')[0]);
    expect(await ask('evil.example')).toBe('HTTP/1.1 403 Forbidden');
    expect(await ask('evil.example:' + server.port)).toBe('HTTP/1.1 403 Forbidden');
    for (const ok of [`127.0.0.1:${server.port}`, `localhost:${server.port}`, 'host.docker.internal:8000', 'metrics.lan', `[::1]:${server.port}`]) {
      expect(await ask(ok)).toBe('HTTP/1.1 200 OK');
    }
  });

  it('refuses a busy port with a one-line MpError naming the port', async () => {
    const { server } = await start();
    const metrics = new EngineMetrics({ processMetrics: false });
    cleanups.push(() => metrics.close());
    const err = await startMetricsServer({ metrics, port: server.port, host: '127.0.0.1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MpError);
    expect((err as MpError).code).toBe('E_IO');
    expect((err as MpError).message).toContain(`port ${server.port}`);
    expect((err as MpError).message).not.toContain('\n');
  });

  it('close() ends keep-alive connections instead of waiting for them', async () => {
    const metrics = new EngineMetrics({ processMetrics: false });
    cleanups.push(() => metrics.close());
    const server = await startMetricsServer({ metrics, port: 0, host: '127.0.0.1' });
    const s = net.connect(server.port, '127.0.0.1');
    await new Promise<void>((resolve) => {
      s.once('data', () => resolve());
      s.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    });
    const closed = new Promise<void>((resolve) => s.once('close', () => resolve()));
    await server.close();
    await closed;
  });
});

describe('parseMetricsEnv', () => {
  it('has defaults', () => {
    expect(parseMetricsEnv({})).toEqual({ port: 8000, host: '127.0.0.1', maxConnections: 100, maxHeaderSize: 16_384, allowedHosts: ['host.docker.internal'] });
    expect(parseMetricsEnv({ METRICS_PORT: '', METRICS_HOST: '' }).port).toBe(8000);
  });

  it('reads valid values', () => {
    expect(parseMetricsEnv({ METRICS_PORT: '9100', METRICS_HOST: '0.0.0.0', METRICS_MAX_CONNECTIONS: '5', METRICS_MAX_HEADER_SIZE: '8192', METRICS_ALLOWED_HOSTS: 'metrics.lan, [fd00::2] ,' })).toEqual({
      port: 9100,
      host: '0.0.0.0',
      maxConnections: 5,
      maxHeaderSize: 8192,
      allowedHosts: ['metrics.lan', 'fd00::2'],
    });
  });

  it.each([
    [{ METRICS_PORT: 'abc' }, /^METRICS_PORT="abc": METRICS_PORT must be a whole number between 0 and 65535$/],
    [{ METRICS_PORT: '70000' }, /^METRICS_PORT="70000": .*between 0 and 65535/],
    [{ METRICS_PORT: '-1' }, /^METRICS_PORT="-1": /],
    [{ METRICS_HOST: 'bad host!' }, /^METRICS_HOST="bad host!": METRICS_HOST must be a host name or an IP address/],
    [{ METRICS_ALLOWED_HOSTS: 'a/b' }, /^METRICS_ALLOWED_HOSTS="a\/b": .*separated by commas/],
    [{ METRICS_MAX_CONNECTIONS: '0' }, /^METRICS_MAX_CONNECTIONS="0": .*between 1 and 100000/],
    [{ METRICS_MAX_CONNECTIONS: '1.5' }, /^METRICS_MAX_CONNECTIONS="1.5": .*whole number/],
    [{ METRICS_MAX_HEADER_SIZE: '10' }, /^METRICS_MAX_HEADER_SIZE="10": .*between 1024 and 1048576/],
  ])('rejects %j with a clear E_BAD_INPUT', (env, message) => {
    let err: unknown;
    try {
      parseMetricsEnv(env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MpError);
    expect((err as MpError).code).toBe('E_BAD_INPUT');
    expect((err as MpError).message).toMatch(message);
  });
});
