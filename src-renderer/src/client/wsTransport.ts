import type { Result } from '../../../src-main/shared/errors';
import { MAX_WS_MESSAGE_BYTES } from '../../../src-main/contract/wire';
import { errorResult, Listeners, type ConnectionStatus, type Transport } from './types';

/** What the transport needs of a socket; a browser WebSocket is adapted by `browserSocketFactory`. */
export interface SocketHandlers {
  onOpen(): void;
  onMessage(data: string): void;
  onClose(code: number, reason: string): void;
}
interface SocketLike {
  send(data: string): void;
  close(): void;
}
type SocketFactory = (url: string, handlers: SocketHandlers) => SocketLike;

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface Backoff {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** 0..1: each delay is stretched by up to this fraction at random, so many tabs do not reconnect in step. */
  jitter: number;
}

interface WsTransportOptions {
  url: string;
  createSocket?: SocketFactory;
  /**
   * Asked after a connection attempt failed before it opened: does the server still answer plain HTTP? If it does,
   * the upgrade itself was refused (no or bad token) and retrying is pointless; if not, the server is away: retry.
   */
  probe?: () => Promise<boolean>;
  timers?: Timers;
  backoff?: Partial<Backoff>;
  /** How long a request made while disconnected waits for the connection before it fails with E_TIMEOUT. */
  connectWaitMs?: number;
  random?: () => number;
  /** Where dropped messages are reported. */
  warn?: (message: string) => void;
  /**
   * Sends one request message too large for the socket (over maxMessageChars) by HTTP POST and resolves with the
   * server's response message (`marketpipe serve`'s RPC_PATH). Without it, such a request fails with E_BAD_INPUT.
   */
  postLarge?: (message: string) => Promise<unknown>;
  /** Requests longer than this (UTF-16 units; a JS string of n units is at most 3n UTF-8 bytes) go by postLarge. */
  maxMessageChars?: number;
}

const DEFAULT_BACKOFF: Backoff = { initialMs: 250, maxMs: 10_000, factor: 2, jitter: 0.2 };

export function backoffDelay(attempt: number, backoff: Backoff, random: () => number): number {
  const base = Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** attempt);
  return Math.round(base * (1 + backoff.jitter * random()));
}

const browserSocketFactory: SocketFactory = (url, handlers) => {
  const ws = new WebSocket(url);
  ws.onopen = () => handlers.onOpen();
  ws.onmessage = (ev: MessageEvent) => {
    if (typeof ev.data === 'string') handlers.onMessage(ev.data);
    else handlers.onMessage('');
  };
  ws.onclose = (ev: CloseEvent) => handlers.onClose(ev.code, ev.reason);
  return { send: (data) => ws.send(data), close: () => ws.close() };
};

interface Pending {
  id: number;
  name: string;
  arg: unknown;
  resolve(result: unknown): void;
  timer: unknown;
}

/**
 * `marketpipe serve`: requests and events over one WebSocket (see src-main/contract/wire.ts). Reconnects with
 * exponential backoff when the socket drops; requests made meanwhile wait for the connection (bounded by
 * connectWaitMs). Requests in flight when the socket drops fail with E_IO rather than being resent: the engine may
 * already have acted on them (an ingest started twice is worse than an error the user can retry).
 */
export function createWsTransport(options: WsTransportOptions): Transport {
  const createSocket = options.createSocket ?? browserSocketFactory;
  const probe = options.probe ?? (() => Promise.resolve(true));
  const timers: Timers = options.timers ?? {
    setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
    clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>),
  };
  const backoff: Backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  const connectWaitMs = options.connectWaitMs ?? 15_000;
  const random = options.random ?? Math.random;
  const warn = options.warn ?? ((message: string) => console.warn(`[marketpipe] ${message}`));
  // a third of the server's 1 MiB frame limit: any string this long is under it in UTF-8
  const maxMessageChars = options.maxMessageChars ?? Math.floor(MAX_WS_MESSAGE_BYTES / 3);

  const eventListeners = new Listeners<unknown>();
  const statusListeners = new Listeners<ConnectionStatus>();
  const waiting: Pending[] = []; // not yet sent: waiting for the connection
  const inFlight = new Map<number, Pending>(); // sent, awaiting their response
  let status: ConnectionStatus = 'connecting';
  let socket: SocketLike | null = null;
  let opened = false;
  let attempt = 0;
  let reconnectTimer: unknown = null;
  let nextId = 1;
  let generation = 0; // ignores callbacks of sockets we have already given up on

  function setStatus(next: ConnectionStatus): void {
    if (next === status) return;
    status = next;
    statusListeners.emit(next);
  }

  function settle(p: Pending, result: unknown): void {
    if (p.timer !== null) timers.clearTimeout(p.timer);
    p.resolve(result);
  }

  function failWaiting(result: Result<never>): void {
    for (const p of waiting.splice(0)) settle(p, result);
  }

  function failInFlight(result: Result<never>): void {
    for (const p of inFlight.values()) settle(p, result);
    inFlight.clear();
  }

  function send(p: Pending): void {
    if (p.timer !== null) {
      timers.clearTimeout(p.timer);
      p.timer = null;
    }
    const text = JSON.stringify({ type: 'request', id: p.id, name: p.name, arg: p.arg });
    if (text.length > maxMessageChars) return sendLarge(p, text);
    inFlight.set(p.id, p);
    try {
      socket?.send(text);
    } catch (e) {
      inFlight.delete(p.id);
      settle(p, errorResult('E_INTERNAL', `Could not send "${p.name}": ${e instanceof Error ? e.message : String(e)}`));
    }
  }

  /** A request too large for one socket message: by HTTP, answered with the same response message. */
  function sendLarge(p: Pending, text: string): void {
    if (!options.postLarge) {
      settle(p, errorResult('E_BAD_INPUT', `"${p.name}" is too large to send (${Math.round(text.length / 1024)} KB)`));
      return;
    }
    options.postLarge(text).then(
      (message) => {
        const m = message as { type?: unknown; id?: unknown; result?: unknown } | null;
        if (m && m.type === 'response' && m.id === p.id) settle(p, m.result);
        else settle(p, errorResult('E_IO', `"${p.name}": the server's answer was not understood`));
      },
      (e: unknown) => settle(p, errorResult('E_IO', `"${p.name}" could not be sent: ${e instanceof Error ? e.message : String(e)}`)),
    );
  }

  function onMessage(data: string): void {
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      warn('dropped a message that is not JSON');
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    const m = message as Record<string, unknown>;
    if (m.type === 'response' && typeof m.id === 'number') {
      const p = inFlight.get(m.id);
      if (!p) return;
      inFlight.delete(m.id);
      // The result itself is validated by the client; a missing one becomes its malformed-response error.
      settle(p, m.result);
    } else if (m.type === 'event') {
      eventListeners.emit(m.envelope, (e) => warn(`an event listener threw: ${e instanceof Error ? e.message : String(e)}`));
    } else {
      warn('dropped a message of unknown type');
    }
  }

  function refuse(): void {
    setStatus('refused');
    const result = errorResult('E_FORBIDDEN', 'The server refused the connection: open the link printed by `marketpipe serve`.');
    failWaiting(result);
    failInFlight(result);
  }

  function scheduleReconnect(): void {
    setStatus('reconnecting');
    const delay = backoffDelay(attempt, backoff, random);
    attempt += 1;
    reconnectTimer = timers.setTimeout(() => {
      reconnectTimer = null;
      connect();
    }, delay);
  }

  function onClose(gen: number): void {
    if (gen !== generation || status === 'closed') return;
    const wasOpen = opened;
    socket = null;
    opened = false;
    failInFlight(errorResult('E_IO', 'The connection to the engine was lost before the answer arrived; try again.'));
    if (wasOpen) {
      scheduleReconnect();
      return;
    }
    // Failed before it opened: refused upgrade, or the server is away? Ask plain HTTP.
    setStatus('reconnecting');
    probe().then(
      (reachable) => {
        if (gen !== generation || status === 'closed') return;
        if (reachable) refuse();
        else scheduleReconnect();
      },
      () => {
        if (gen === generation && status !== 'closed') scheduleReconnect();
      },
    );
  }

  function connect(): void {
    generation += 1;
    const gen = generation;
    opened = false;
    try {
      socket = createSocket(options.url, {
        onOpen: () => {
          if (gen !== generation) return;
          opened = true;
          attempt = 0;
          setStatus('open');
          for (const p of waiting.splice(0)) send(p);
        },
        onMessage: (data) => {
          if (gen === generation) onMessage(data);
        },
        onClose: () => onClose(gen),
      });
    } catch {
      // e.g. a malformed URL: nothing will ever connect.
      refuse();
    }
  }

  connect();

  return {
    kind: 'websocket',
    request(name, arg) {
      return new Promise<unknown>((resolve) => {
        if (status === 'refused') {
          resolve(errorResult('E_FORBIDDEN', 'The server refused the connection: open the link printed by `marketpipe serve`.'));
          return;
        }
        if (status === 'closed') {
          resolve(errorResult('E_IO', 'The connection to the engine is closed.'));
          return;
        }
        const p: Pending = { id: nextId++, name, arg, resolve, timer: null };
        if (status === 'open' && socket) {
          send(p);
          return;
        }
        p.timer = timers.setTimeout(() => {
          const i = waiting.indexOf(p);
          if (i >= 0) waiting.splice(i, 1);
          resolve(errorResult('E_TIMEOUT', `Not connected to the engine (waited ${Math.round(connectWaitMs / 1000)} s for "${name}").`));
        }, connectWaitMs);
        waiting.push(p);
      });
    },
    onEvent: (listener) => eventListeners.add(listener),
    onStatus(listener) {
      listener(status);
      return statusListeners.add(listener);
    },
    status: () => status,
    close() {
      if (status === 'closed') return;
      setStatus('closed');
      generation += 1;
      if (reconnectTimer !== null) timers.clearTimeout(reconnectTimer);
      socket?.close();
      socket = null;
      const result = errorResult('E_IO', 'The connection to the engine is closed.');
      failWaiting(result);
      failInFlight(result);
    },
  };
}
