import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { ClientMessageSchema, WS_PATH, type ServerMessage } from '../../contract';
import { MAX_RPC_BODY_BYTES, MAX_WS_MESSAGE_BYTES, MAX_WS_QUEUED_BYTES, RPC_PATH } from '../../contract/wire';
import type { Engine } from '../../engine';
import { MpError } from '../../shared/errors';
import { contentType, findRendererDir, resolveStatic } from './static';

export interface ServeOptions {
  engine: Engine;
  port: number;
  host: string;
  rendererDir?: string;
  /** fixed token for tests; a fresh random one per run otherwise */
  token?: string;
  /** how long a client may stay more than MAX_WS_QUEUED_BYTES behind before it is dropped (default 10 s) */
  slowClientMs?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** GET /download/<id>?token=…: a workbench export (see Workbench.export) */
export const DOWNLOAD_PREFIX = '/download/';

function sameToken(given: string | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Web mode: the built renderer over HTTP and the contract over a WebSocket, on loopback. Any page in the user's
 * browser can reach localhost, so the socket demands this run's secret token and an Origin of this very server, and
 * every request must name this server in its Host header (which defeats DNS rebinding).
 */
export async function serve(o: ServeOptions): Promise<RunningServer> {
  const root = o.rendererDir ?? findRendererDir();
  if (!root) throw new MpError('E_IO', 'the renderer is not built (out/renderer missing); run `npm run build`');
  const token = o.token ?? randomBytes(24).toString('base64url');
  let port = o.port;
  const allowedHosts = () => new Set([`${o.host}:${port}`, `127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);

  const server = http.createServer((req, res) => {
    const deny = (status: number, msg: string) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
      res.end(msg + '\n');
    };
    if (!req.headers.host || !allowedHosts().has(req.headers.host)) return deny(403, 'forbidden host');
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    if (url.pathname === RPC_PATH) return void rpc(req, res, url, deny);
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(405, 'method not allowed');
    if (url.pathname.startsWith(DOWNLOAD_PREFIX)) {
      return void download(req, res, url, deny).catch(() => (res.headersSent ? res.destroy() : deny(500, 'export unavailable')));
    }
    const file = resolveStatic(root, url.pathname);
    if (!file) return deny(404, 'not found');
    const isIndex = file.endsWith('index.html');
    res.writeHead(200, {
      'content-type': contentType(file),
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      // the page URL carries the token: never send it anywhere as a referrer
      'referrer-policy': 'no-referrer',
      'cache-control': isIndex ? 'no-store' : 'public, max-age=31536000, immutable',
    });
    if (req.method === 'HEAD') return res.end();
    fs.createReadStream(file).pipe(res);
  });

  /**
   * Workbench exports, each downloadable once. The same walls as the socket: our Host (checked above), this run's
   * token, and an Origin (or Sec-Fetch-Site) of this server when the browser sends one. The file is streamed from
   * the temp file DuckDB wrote and deleted once the response ends, however it ends.
   */
  /**
   * The walls of every authenticated HTTP path besides the Host check: this run's token, and a same-origin Origin /
   * Sec-Fetch-Site when the browser sends them. Returns the refusal (status, message), or null to go on.
   */
  const refusal = (req: http.IncomingMessage, url: URL, requireOrigin: boolean): [number, string] | null => {
    if (!sameToken(url.searchParams.get('token'), token)) return [401, 'unauthorized'];
    const origin = req.headers.origin;
    if (requireOrigin && !origin) return [403, 'forbidden origin'];
    if (origin && (!origin.startsWith('http://') || !allowedHosts().has(origin.replace(/^http:\/\//, '')))) return [403, 'forbidden origin'];
    const site = req.headers['sec-fetch-site'];
    if (site && site !== 'same-origin') return [403, 'forbidden'];
    return null;
  };

  /**
   * POST /rpc?token=…: one request message too large for the socket, answered with its response message. A body over
   * MAX_RPC_BODY_BYTES is refused with 413 before it is buffered whole.
   */
  const rpc = (req: http.IncomingMessage, res: http.ServerResponse, url: URL, deny: (s: number, m: string) => void) => {
    if (req.method !== 'POST') return deny(405, 'method not allowed');
    // a browser always sends Origin on a POST: requiring it stops a form on another site from posting here
    const refused = refusal(req, url, true);
    if (refused) return deny(...refused);
    // over the limit: answer 413, then drop the connection once the answer is out (never read the rest)
    const tooLarge = () => {
      res.setHeader('connection', 'close');
      res.on('finish', () => req.destroy());
      deny(413, `request body over ${MAX_RPC_BODY_BYTES} bytes`);
    };
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > MAX_RPC_BODY_BYTES) return tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      if (tooBig) return;
      size += c.length;
      if (size > MAX_RPC_BODY_BYTES) {
        tooBig = true;
        chunks.length = 0;
        tooLarge();
        return;
      }
      chunks.push(c);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (tooBig) return;
      let msg;
      try {
        msg = ClientMessageSchema.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        return deny(400, 'malformed message');
      }
      void o.engine.dispatcher.dispatch(msg.name, msg.arg, { transport: 'ws' }).then((result) => {
        const body = JSON.stringify({ type: 'response', id: msg.id, result } satisfies ServerMessage);
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
        res.end(body);
      });
    });
  };

  const download = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL, deny: (s: number, m: string) => void) => {
    if (req.method !== 'GET') return deny(405, 'method not allowed');
    const refused = refusal(req, url, false);
    if (refused) return deny(...refused);
    const id = url.pathname.slice(DOWNLOAD_PREFIX.length);
    if (!/^[0-9a-f-]{36}$/.test(id)) return deny(404, 'not found');
    const d = (await o.engine.workbench()).takeDownload(id);
    if (!d) return deny(404, 'not found (downloads work once)');
    // The file is deleted as soon as it is open (the stream reads on through its descriptor), so it is gone before
    // the first byte reaches the client; 'close' covers a response that ends before the file ever opened.
    res.on('close', () => d.release());
    const stream = fs.createReadStream(d.file);
    stream.once('open', () => {
      try {
        d.release();
      } catch {
        // a system that cannot delete an open file: the release on 'close' deletes it
      }
    });
    res.writeHead(200, {
      'content-type': d.contentType,
      'content-length': String(d.bytes),
      'content-disposition': `attachment; filename="${d.filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    stream.on('error', () => res.destroy()).pipe(res);
  };

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_MESSAGE_BYTES });
  const clients = new Set<WebSocket>();

  server.on('upgrade', (req, socket, head) => {
    const refuse = (status: number, why: string) => {
      socket.write(`HTTP/1.1 ${status} ${why}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    const host = req.headers.host;
    if (!host || !allowedHosts().has(host)) return refuse(403, 'Forbidden');
    const url = new URL(req.url ?? '/', `http://${host}`);
    if (url.pathname !== WS_PATH) return refuse(404, 'Not Found');
    if (!sameToken(url.searchParams.get('token'), token)) return refuse(401, 'Unauthorized');
    const origin = req.headers.origin;
    if (!origin || !allowedHosts().has(origin.replace(/^http:\/\//, '')) || !origin.startsWith('http://')) return refuse(403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws));
  });

  /**
   * A client that does not read its socket must not make the server hold its messages without end. Past
   * MAX_WS_QUEUED_BYTES queued it has `slowClientMs` to drain below that again (a reading client takes a moment for a
   * large answer), and past four times that it is dropped at once. A close frame would queue behind the rest, so the
   * socket is terminated.
   */
  const slowClientMs = o.slowClientMs ?? 10_000;
  const behind = new Map<WebSocket, NodeJS.Timeout>();
  const drop = (ws: WebSocket) => {
    o.engine.log.warn('dropping a WebSocket client that does not read', { queuedBytes: ws.bufferedAmount });
    clients.delete(ws);
    clearTimeout(behind.get(ws));
    behind.delete(ws);
    ws.terminate();
  };
  const send = (ws: WebSocket, msg: ServerMessage) => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > 4 * MAX_WS_QUEUED_BYTES) return drop(ws);
    ws.send(JSON.stringify(msg));
    if (ws.bufferedAmount > MAX_WS_QUEUED_BYTES && !behind.has(ws)) {
      const timer = setTimeout(() => {
        behind.delete(ws);
        if (ws.readyState === ws.OPEN && ws.bufferedAmount > MAX_WS_QUEUED_BYTES) drop(ws);
      }, slowClientMs);
      timer.unref();
      behind.set(ws, timer);
    }
  };

  wss.on('connection', (ws) => {
    clients.add(ws);
    ws.on('close', () => {
      clients.delete(ws);
      clearTimeout(behind.get(ws));
      behind.delete(ws);
    });
    // An oversize or malformed frame: ws closes that socket (1009 / 1002) and reports it here. Without a listener the
    // error would be thrown and end the process; it only ends this connection.
    ws.on('error', (e) => {
      o.engine.log.warn('WebSocket client error; connection closed', { error: e.message.split('\n')[0] });
      clients.delete(ws);
    });
    ws.on('message', async (data, isBinary) => {
      if (isBinary) return ws.close(1003, 'text only');
      let msg;
      try {
        msg = ClientMessageSchema.parse(JSON.parse(data.toString()));
      } catch {
        return ws.close(1008, 'malformed message');
      }
      const result = await o.engine.dispatcher.dispatch(msg.name, msg.arg, { transport: 'ws' });
      send(ws, { type: 'response', id: msg.id, result });
    });
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      reject(
        e.code === 'EADDRINUSE'
          ? new MpError('E_IO', `port ${o.port} on ${o.host} is already in use; choose another with --port`)
          : new MpError('E_IO', `cannot listen on ${o.host}:${o.port}: ${e.message}`),
      );
    };
    server.once('error', onError);
    server.listen(o.port, o.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  // subscribed only once listening: a failed start leaves no listener on the engine's bus
  const unsubscribe = o.engine.bus.subscribe((envelope) => {
    for (const ws of clients) send(ws, { type: 'event', envelope });
  });
  const hostForUrl = o.host.includes(':') ? `[${o.host}]` : o.host;
  const url = `http://${hostForUrl}:${port}/?token=${token}`;

  return {
    url,
    port,
    token,
    close: async () => {
      unsubscribe();
      for (const ws of clients) ws.close(1001, 'server shutting down');
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
