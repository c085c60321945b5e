import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import { z } from 'zod';
import { MpError } from '../shared/errors';
import type { MetricsSource } from './base';

// The metrics endpoint: plain node:http, no framework. It is an attack surface the moment it listens on anything but
// loopback, so it is small and bounded: known paths only, GET/HEAD only, capped connections, capped headers, timeouts.

export interface Check {
  ok: boolean;
  checks: Record<string, boolean | string>;
}

export interface MetricsServerOptions {
  metrics: MetricsSource;
  port: number;
  host: string;
  maxConnections?: number;
  maxHeaderSize?: number;
  /** liveness: the process answers; default { ok: true } */
  health?: () => Check | Promise<Check>;
  /** readiness: DB open, migrations applied, lake readable (the host supplies the checks); default { ok: true } */
  ready?: () => Check | Promise<Check>;
  /** whole-request timeout (default 10 s): a slow client cannot hold a connection slot for long */
  requestTimeoutMs?: number;
  /** time to send the request's headers (default 2 s): a slowloris client is cut off after it */
  headersTimeoutMs?: number;
  /**
   * Host names (or addresses) the Host header may name besides METRICS_HOST, loopback and, when listening on every
   * interface, this machine's own addresses and name. The shipped monitoring/ setup scrapes host.docker.internal.
   */
  allowedHosts?: string[];
}

export interface MetricsServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export const METRICS_DEFAULTS = { port: 8000, host: '127.0.0.1', maxConnections: 100, maxHeaderSize: 16_384, allowedHosts: ['host.docker.internal'] } as const;

const PATHS = new Set(['/metrics', '/healthz', '/readyz']);

export async function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsServer> {
  const maxHeaderSize = opts.maxHeaderSize ?? METRICS_DEFAULTS.maxHeaderSize;
  const maxConnections = opts.maxConnections ?? METRICS_DEFAULTS.maxConnections;
  const hostOk = hostChecker(opts.host, opts.allowedHosts ?? [...METRICS_DEFAULTS.allowedHosts]);
  const requestTimeout = opts.requestTimeoutMs ?? 10_000;
  const server = http.createServer(
    {
      maxHeaderSize,
      requestTimeout,
      headersTimeout: Math.min(opts.headersTimeoutMs ?? 2_000, requestTimeout),
      // Node enforces the two timeouts above only when it checks, every 30 s by default: far too late against a
      // slowloris client; check twice a second
      connectionsCheckingInterval: 500,
      keepAliveTimeout: 5_000,
    },
    (req, res) => {
      if (!hostOk(req.headers.host)) return send(res, req, 403, 'text/plain; charset=utf-8', 'forbidden host (allow it with METRICS_ALLOWED_HOSTS)\n');
      handle(opts, req, res).catch((e: unknown) => {
        if (!res.headersSent) send(res, req, 500, 'text/plain; charset=utf-8', `internal error: ${e instanceof Error ? e.message.split('\n')[0] : 'unknown'}\n`);
        else res.destroy();
      });
    },
  );
  // The connection cap: when it is reached, a new connection takes the slot of the oldest one that is not in the
  // middle of a request (an idle keep-alive, or a client still dribbling its headers), so slow or idle clients can
  // never lock a scraper or a health probe out. Only when every slot is busy answering is the newcomer dropped.
  const conns = new Map<net.Socket, { since: number; busy: boolean }>();
  server.on('connection', (socket: net.Socket) => {
    conns.set(socket, { since: performance.now(), busy: false });
    socket.once('close', () => conns.delete(socket));
    if (conns.size <= maxConnections) return;
    let victim: net.Socket = socket;
    let oldest = Infinity;
    for (const [s, c] of conns) {
      if (s !== socket && !c.busy && c.since < oldest) {
        oldest = c.since;
        victim = s;
      }
    }
    conns.delete(victim);
    victim.destroy();
    opts.metrics.connectionDropped();
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const c = conns.get(req.socket);
    if (!c) return;
    c.busy = true;
    res.once('finish', () => {
      c.busy = false;
      c.since = performance.now();
    });
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: net.Socket) => {
    // Node answers most parser errors itself, but we say it explicitly: an oversized header must get a 431 (the
    // client can then tell "too big" from "broken"), anything else a 400, and the socket is closed either way.
    if (socket.writable && !socket.destroyed) {
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    } else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(listenError(e, opts.host, opts.port));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(opts.port, opts.host);
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const hostInUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${hostInUrl}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // scrapers hold keep-alive connections: without this, close() would wait for them to time out
        server.closeAllConnections();
      }),
  };
}

/**
 * The Host header must name this server: METRICS_HOST, loopback, the allow-list, and, when listening on every
 * interface, this machine's addresses and name. Anything else is refused, which defeats DNS rebinding (a web page
 * whose name resolves to 127.0.0.1 reading the metrics). A missing Host (HTTP/1.0 probes) is allowed.
 */
export function hostChecker(listenHost: string, allowed: string[]): (header: string | undefined) => boolean {
  const names = new Set(['localhost', '127.0.0.1', '::1', ...allowed.map((h) => h.toLowerCase())]);
  const wildcard = listenHost === '0.0.0.0' || listenHost === '::';
  if (!wildcard) names.add(listenHost.toLowerCase());
  else {
    names.add(os.hostname().toLowerCase());
    for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) names.add(a.address.toLowerCase());
  }
  return (header) => {
    if (header === undefined) return true;
    const h = header.trim().toLowerCase();
    // [v6]:port, [v6], name:port, name
    const name = h.startsWith('[') ? h.slice(1, h.indexOf(']') < 0 ? undefined : h.indexOf(']')) : h.replace(/:\d*$/, '');
    return names.has(name);
  };
}

function listenError(e: NodeJS.ErrnoException, host: string, port: number): MpError {
  if (e.code === 'EADDRINUSE') return new MpError('E_IO', `metrics port ${port} on ${host} is already in use: stop the other process or choose another port (--port / METRICS_PORT)`);
  if (e.code === 'EACCES') return new MpError('E_IO', `metrics port ${port} on ${host}: permission denied (ports below 1024 need privileges)`);
  if (e.code === 'EADDRNOTAVAIL') return new MpError('E_IO', `metrics host ${host} is not an address of this machine (--host / METRICS_HOST)`);
  return new MpError('E_IO', `cannot listen for metrics on ${host}:${port}: ${e.message}`);
}

async function handle(opts: MetricsServerOptions, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0]!;
  if (!PATHS.has(path)) return send(res, req, 404, 'text/plain; charset=utf-8', 'not found: try /metrics, /healthz or /readyz\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, req, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
  }
  if (path === '/metrics') {
    const { contentType, body } = await opts.metrics.exposition(!opts.metrics.legacy && wantsOpenMetrics(req.headers.accept));
    return send(res, req, 200, contentType, body);
  }
  const probe = path === '/healthz' ? opts.health : opts.ready;
  const result = probe ? await probe() : { ok: true, checks: {} };
  return send(res, req, result.ok ? 200 : 503, 'application/json; charset=utf-8', JSON.stringify(result) + '\n');
}

function send(res: http.ServerResponse, req: http.IncomingMessage, status: number, contentType: string, body: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.setHeader('Cache-Control', 'no-store');
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** True when the Accept header lists application/openmetrics-text with a non-zero quality (Prometheus does). */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((range) => {
    const [type, ...params] = range.split(';').map((s) => s.trim().toLowerCase());
    if (type !== 'application/openmetrics-text') return false;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

// ---- environment ----

const intVar = (name: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `${name} must be a whole number between ${min} and ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${name} must be a whole number between ${min} and ${max}`);

const MetricsEnvSchema = z.object({
  METRICS_PORT: intVar('METRICS_PORT', 0, 65_535).default(METRICS_DEFAULTS.port),
  METRICS_HOST: z
    .string()
    .trim()
    .min(1, 'METRICS_HOST must not be empty')
    .regex(/^[A-Za-z0-9.:_-]+$/, 'METRICS_HOST must be a host name or an IP address (e.g. 127.0.0.1 or 0.0.0.0)')
    .default(METRICS_DEFAULTS.host),
  METRICS_MAX_CONNECTIONS: intVar('METRICS_MAX_CONNECTIONS', 1, 100_000).default(METRICS_DEFAULTS.maxConnections),
  // Node needs room for a request line and a few headers; 1 MiB is far beyond any scraper's needs
  METRICS_MAX_HEADER_SIZE: intVar('METRICS_MAX_HEADER_SIZE', 1_024, 1_048_576).default(METRICS_DEFAULTS.maxHeaderSize),
  // extra names the Host header may carry, comma-separated (replaces the default host.docker.internal)
  METRICS_ALLOWED_HOSTS: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9.:_\-\s,[\]]*$/, 'METRICS_ALLOWED_HOSTS must be host names or IP addresses separated by commas')
    .transform((v) => v.split(',').map((h) => h.trim().replace(/^\[|\]$/g, '')).filter(Boolean))
    .default([...METRICS_DEFAULTS.allowedHosts]),
});

export interface MetricsEnv {
  port: number;
  host: string;
  maxConnections: number;
  maxHeaderSize: number;
  allowedHosts: string[];
}

/** Reads METRICS_PORT, METRICS_HOST, METRICS_MAX_CONNECTIONS, METRICS_MAX_HEADER_SIZE, METRICS_ALLOWED_HOSTS; an empty value means unset. */
export function parseMetricsEnv(env: NodeJS.ProcessEnv = process.env): MetricsEnv {
  const picked = Object.fromEntries(Object.keys(MetricsEnvSchema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const r = MetricsEnvSchema.safeParse(picked);
  if (!r.success) {
    const issue = r.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    throw new MpError('E_BAD_INPUT', `${name}=${JSON.stringify(env[name] ?? '')}: ${issue?.message ?? 'invalid value'}`);
  }
  return { port: r.data.METRICS_PORT, host: r.data.METRICS_HOST, maxConnections: r.data.METRICS_MAX_CONNECTIONS, maxHeaderSize: r.data.METRICS_MAX_HEADER_SIZE, allowedHosts: r.data.METRICS_ALLOWED_HOSTS };
}
