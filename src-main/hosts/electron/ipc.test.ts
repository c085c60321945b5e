import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL } from '../../contract/channels';
import type { EventEnvelope } from '../../contract';
import type { CallContext, Dispatcher } from '../../contract/dispatcher';
import { EventBus } from '../../events/bus';
import type { Result } from '../../shared/errors';
import { forwardEvents, isTrustedFrameUrl, registerIpc, type IpcInvokeEventLike, type IpcMainLike, type IpcSenderFrame, type WebContentsLike } from './ipc';

// The Electron wiring against small fakes of ipcMain and webContents: no electron import, runs in plain Node.

type InvokeListener = (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>;

class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, InvokeListener>();
  handle(channel: string, listener: InvokeListener): void {
    // like Electron: a second handler for the same channel is an error
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** What ipcRenderer.invoke(channel, ...args) from a frame at `frameUrl` would do. */
  invoke(channel: string, frameUrl: string | null, ...args: unknown[]): Promise<unknown> {
    return this.invokeFrom(channel, frameUrl === null ? null : { url: frameUrl, parent: null }, ...args);
  }
  /** The same from any frame, e.g. an iframe (a frame with a parent). */
  invokeFrom(channel: string, senderFrame: IpcSenderFrame | null, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`No handler registered for '${channel}'`);
    return h({ senderFrame, sender: { id: 1 } }, ...args);
  }
}

class FakeDispatcher implements Dispatcher {
  readonly calls: { name: unknown; arg: unknown; ctx: CallContext }[] = [];
  async dispatch(name: unknown, arg: unknown, ctx: CallContext): Promise<Result<unknown>> {
    this.calls.push({ name, arg, ctx });
    return { ok: true, value: { echoed: name } };
  }
}

class FakeWebContents implements WebContentsLike {
  readonly id = 7;
  destroyed = false;
  readonly sent: { channel: string; payload: unknown }[] = [];
  isDestroyed(): boolean {
    return this.destroyed;
  }
  send(channel: string, payload: unknown): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    this.sent.push({ channel, payload });
  }
}

const INDEX = path.resolve('/opt/MarketPipe/resources/app/out/renderer/index.html');
const FILE_URL = pathToFileURL(INDEX).href;
const DEV_URL = 'http://localhost:5173';

const FORBIDDEN = { ok: false, error: { code: 'E_FORBIDDEN', message: expect.any(String) } };

let ipc: FakeIpcMain;
let dispatcher: FakeDispatcher;

beforeEach(() => {
  ipc = new FakeIpcMain();
  dispatcher = new FakeDispatcher();
});

describe('registerIpc (packaged: file:// renderer)', () => {
  beforeEach(() => {
    registerIpc(ipc, dispatcher, FILE_URL);
  });

  it('registers on the request channel only', () => {
    expect([...ipc.handlers.keys()]).toEqual([IPC_REQUEST_CHANNEL]);
  });

  it('a request from our own file:// frame is dispatched with transport ipc', async () => {
    const r = await ipc.invoke(IPC_REQUEST_CHANNEL, FILE_URL, 'app.info', {});
    expect(r).toEqual({ ok: true, value: { echoed: 'app.info' } });
    expect(dispatcher.calls).toEqual([{ name: 'app.info', arg: {}, ctx: { transport: 'ipc' } }]);
  });

  it('a hash route of our page is still our page', async () => {
    const r = await ipc.invoke(IPC_REQUEST_CHANNEL, `${FILE_URL}#/query`, 'jobs.list', { limit: 5 });
    expect(r).toMatchObject({ ok: true });
    expect(dispatcher.calls).toHaveLength(1);
  });

  const untrusted: [string, string | null][] = [
    ['https://evil.example', 'https://evil.example/'],
    ['https://evil.example with our path', `https://evil.example${new URL(FILE_URL).pathname}`],
    ['another file path', pathToFileURL(path.resolve('/tmp/evil/index.html')).href],
    ['a sibling file in our folder', pathToFileURL(path.join(path.dirname(INDEX), 'other.html')).href],
    ['our path on another host (UNC share)', `file://evil.example${new URL(FILE_URL).pathname}`],
    ['the dev server', `${DEV_URL}/`],
    ['about:blank', 'about:blank'],
    ['data: URL', 'data:text/html,<script>1</script>'],
    ['an empty URL', ''],
    ['not a URL', 'index.html'],
    ['no sender frame (navigated away or destroyed)', null],
  ];
  for (const [name, url] of untrusted) {
    it(`refuses ${name} with E_FORBIDDEN and never dispatches`, async () => {
      const r = await ipc.invoke(IPC_REQUEST_CHANNEL, url, 'app.info', {});
      expect(r).toEqual(FORBIDDEN);
      expect(dispatcher.calls).toEqual([]);
    });
  }

  it('the returned function removes the handler', () => {
    const ipc2 = new FakeIpcMain();
    const off = registerIpc(ipc2, dispatcher, FILE_URL);
    expect(ipc2.handlers.has(IPC_REQUEST_CHANNEL)).toBe(true);
    off();
    expect(ipc2.handlers.size).toBe(0);
    // and registering again works (e.g. after a window is re-created)
    registerIpc(ipc2, dispatcher, FILE_URL);
    expect(ipc2.handlers.has(IPC_REQUEST_CHANNEL)).toBe(true);
  });
});

describe('registerIpc (packaged: app:// renderer)', () => {
  const APP_URL = 'app://marketpipe/index.html';
  beforeEach(() => {
    registerIpc(ipc, dispatcher, APP_URL);
  });

  it('a request from our main frame is dispatched, whatever the path or hash route', async () => {
    expect(await ipc.invoke(IPC_REQUEST_CHANNEL, APP_URL, 'app.info', {})).toMatchObject({ ok: true });
    expect(await ipc.invoke(IPC_REQUEST_CHANNEL, 'app://marketpipe/#/query', 'app.info', {})).toMatchObject({ ok: true });
    expect(dispatcher.calls).toHaveLength(2);
  });

  it('refuses a sub-frame even when it shows our own page (VS Code validateEvent)', async () => {
    const main: IpcSenderFrame = { url: APP_URL, parent: null };
    expect(await ipc.invokeFrom(IPC_REQUEST_CHANNEL, { url: APP_URL, parent: main }, 'app.info', {})).toEqual(FORBIDDEN);
    expect(await ipc.invokeFrom(IPC_REQUEST_CHANNEL, { url: 'https://evil.example/', parent: main }, 'app.info', {})).toEqual(FORBIDDEN);
    expect(dispatcher.calls).toEqual([]);
  });

  for (const url of ['app://evil/index.html', 'app://user@marketpipe/index.html', 'other://marketpipe/index.html', FILE_URL, `${DEV_URL}/`, 'about:blank']) {
    it(`refuses ${url}`, async () => {
      expect(await ipc.invoke(IPC_REQUEST_CHANNEL, url, 'app.info', {})).toEqual(FORBIDDEN);
      expect(dispatcher.calls).toEqual([]);
    });
  }
});

describe('registerIpc (development: Vite dev server)', () => {
  beforeEach(() => {
    registerIpc(ipc, dispatcher, DEV_URL);
  });

  it('trusts the dev-server origin, whatever the path', async () => {
    expect(await ipc.invoke(IPC_REQUEST_CHANNEL, `${DEV_URL}/`, 'app.info', {})).toMatchObject({ ok: true });
    expect(await ipc.invoke(IPC_REQUEST_CHANNEL, `${DEV_URL}/index.html?x=1#/ingest`, 'providers.list', {})).toMatchObject({ ok: true });
    expect(dispatcher.calls.map((c) => c.name)).toEqual(['app.info', 'providers.list']);
  });

  for (const url of ['http://localhost:5174/', 'https://localhost:5173/', 'http://127.0.0.1:5173/', 'http://localhost.evil.example:5173/', 'https://evil.example/', FILE_URL]) {
    it(`refuses ${url}`, async () => {
      expect(await ipc.invoke(IPC_REQUEST_CHANNEL, url, 'app.info', {})).toEqual(FORBIDDEN);
      expect(dispatcher.calls).toEqual([]);
    });
  }
});

describe('isTrustedFrameUrl', () => {
  it('file renderer: same path only', () => {
    expect(isTrustedFrameUrl(FILE_URL, FILE_URL)).toBe(true);
    expect(isTrustedFrameUrl(`${FILE_URL}?a=1#/x`, FILE_URL)).toBe(true);
    expect(isTrustedFrameUrl(pathToFileURL(path.resolve('/opt/MarketPipe/index.html')).href, FILE_URL)).toBe(false);
    expect(isTrustedFrameUrl('https://evil.example/', FILE_URL)).toBe(false);
  });

  it('paths with spaces and other escaped characters match their file URL', () => {
    const odd = pathToFileURL(path.resolve('/Users/Jane Doe/Apps/Market Pipe #2/out/renderer/index.html')).href;
    expect(isTrustedFrameUrl(odd, odd)).toBe(true);
    expect(isTrustedFrameUrl(pathToFileURL(path.resolve('/Users/Jane Doe/Apps/Market Pipe/out/renderer/index.html')).href, odd)).toBe(false);
  });

  it('http renderer: same origin only', () => {
    expect(isTrustedFrameUrl('http://localhost:5173/a/b', DEV_URL)).toBe(true);
    expect(isTrustedFrameUrl('http://localhost:5173.evil.example/', DEV_URL)).toBe(false);
    expect(isTrustedFrameUrl('http://user@localhost:5173/', DEV_URL)).toBe(true);
  });

  it('garbage in either argument is untrusted, never a throw', () => {
    expect(isTrustedFrameUrl('', FILE_URL)).toBe(false);
    expect(isTrustedFrameUrl(FILE_URL, '')).toBe(false);
    expect(isTrustedFrameUrl('::::', '::::')).toBe(false);
  });
});

describe('forwardEvents', () => {
  const progress = (n: number) => ({ jobId: 'j1', progress: n, rowsWritten: n * 10, message: `at ${n}` });

  it('forwards every engine event on the event channel until unsubscribed', () => {
    const bus = new EventBus();
    const wc = new FakeWebContents();
    const off = forwardEvents((l) => bus.subscribe(l), wc);
    bus.emit('jobs.progress', progress(10));
    bus.emit('jobs.progress', progress(20));
    expect(wc.sent.map((s) => s.channel)).toEqual([IPC_EVENT_CHANNEL, IPC_EVENT_CHANNEL]);
    const envelopes = wc.sent.map((s) => s.payload as EventEnvelope);
    expect(envelopes.map((e) => e.type)).toEqual(['jobs.progress', 'jobs.progress']);
    expect(envelopes.map((e) => (e.type === 'jobs.progress' ? e.payload.progress : -1))).toEqual([10, 20]);
    expect(envelopes[1]!.seq).toBeGreaterThan(envelopes[0]!.seq);

    off();
    bus.emit('jobs.progress', progress(30));
    expect(wc.sent).toHaveLength(2);
  });

  it('skips a destroyed webContents without throwing, and other windows still get events', () => {
    const bus = new EventBus();
    const gone = new FakeWebContents();
    const alive = new FakeWebContents();
    forwardEvents((l) => bus.subscribe(l), gone);
    forwardEvents((l) => bus.subscribe(l), alive);
    bus.emit('jobs.progress', progress(1));
    gone.destroyed = true;
    expect(() => bus.emit('jobs.progress', progress(2))).not.toThrow();
    expect(gone.sent).toHaveLength(1);
    expect(alive.sent).toHaveLength(2);
  });

  it('passes the subscriber its own unsubscribe back', () => {
    let unsubscribed = 0;
    const listeners: ((e: EventEnvelope) => void)[] = [];
    const off = forwardEvents((l) => {
      listeners.push(l);
      return () => void unsubscribed++;
    }, new FakeWebContents());
    expect(listeners).toHaveLength(1);
    off();
    expect(unsubscribed).toBe(1);
  });
});
