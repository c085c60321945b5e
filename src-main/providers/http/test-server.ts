// A local HTTP server for the client's tests: real sockets on 127.0.0.1, port 0, one per test. It records every
// request (with its arrival time) and lets a test wait for the n-th one instead of sleeping.
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Hit {
  url: string;
  headers: IncomingMessage['headers'];
  /** performance.now() when the request arrived */
  at: number;
  /** Date.now() when the request arrived (to compare with wall-clock instants such as a rate-limit reset) */
  wall: number;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, hitIndex: number) => void;

export interface TestServer {
  /** http://127.0.0.1:port */
  base: string;
  hits: Hit[];
  /** resolves once the server has received n requests */
  waitForHits(n: number): Promise<void>;
  close(): Promise<void>;
}

export async function startServer(handler: Handler): Promise<TestServer> {
  const hits: Hit[] = [];
  const events = new EventEmitter();
  const server = createServer((req, res) => {
    hits.push({ url: req.url ?? '', headers: req.headers, at: performance.now(), wall: Date.now() });
    events.emit('hit');
    handler(req, res, hits.length - 1);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    hits,
    waitForHits: (n) =>
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (hits.length >= n) {
            events.off('hit', check);
            resolve();
          }
        };
        events.on('hit', check);
        check();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        // hung requests (timeout tests) and fetch's keep-alive sockets would otherwise hold close() open
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** A promise with its resolver, for turning a hook call into something a test can await. */
export function signalOnce<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
