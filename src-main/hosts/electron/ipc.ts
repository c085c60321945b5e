import type { Dispatcher } from '../../contract/dispatcher';
import type { EventEnvelope } from '../../contract';
import { IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL } from '../../contract/channels';
import type { Result } from '../../shared/errors';

// IPC wiring written against small interfaces instead of Electron itself, so it runs (and is tested) in plain Node.

export interface IpcSenderFrame {
  url: string;
  /** null for a window's main frame; an iframe's parent frame otherwise (Electron's WebFrameMain.parent) */
  parent: IpcSenderFrame | null;
}
export interface IpcInvokeEventLike {
  senderFrame: IpcSenderFrame | null;
  sender: { id: number };
}
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}
export interface WebContentsLike {
  id: number;
  isDestroyed(): boolean;
  send(channel: string, payload: unknown): void;
}

/**
 * A sender is trusted when its frame shows our own renderer: the packaged app://marketpipe/ page (any path on our
 * host: it only serves our files), a file:// page, or the dev server.
 */
export function isTrustedFrameUrl(url: string, rendererUrl: string): boolean {
  try {
    const u = new URL(url);
    const r = new URL(rendererUrl);
    if (r.protocol === 'file:') return u.protocol === 'file:' && u.host === r.host && u.pathname === r.pathname;
    // a custom scheme's URL.origin is the string "null" for every host: compare scheme and host instead
    if (r.protocol !== 'http:' && r.protocol !== 'https:') return u.protocol === r.protocol && r.host !== '' && u.host === r.host && !u.username && !u.password;
    return u.origin === r.origin;
  } catch {
    return false;
  }
}

export function registerIpc(ipc: IpcMainLike, dispatcher: Dispatcher, rendererUrl: string): () => void {
  ipc.handle(IPC_REQUEST_CHANNEL, async (event, name, arg): Promise<Result<unknown>> => {
    const frame = event.senderFrame;
    if (!frame || !isTrustedFrameUrl(frame.url, rendererUrl)) {
      return { ok: false, error: { code: 'E_FORBIDDEN', message: 'request from an untrusted frame refused' } };
    }
    // like VS Code's validateEvent: only a window's main frame, never an iframe, even one showing our own page
    if (frame.parent !== null) {
      return { ok: false, error: { code: 'E_FORBIDDEN', message: 'request from a sub-frame refused' } };
    }
    return dispatcher.dispatch(name, arg, { transport: 'ipc' });
  });
  return () => ipc.removeHandler(IPC_REQUEST_CHANNEL);
}

/** Forwards engine events to a window's renderer. */
export function forwardEvents(subscribe: (l: (e: EventEnvelope) => void) => () => void, target: WebContentsLike): () => void {
  return subscribe((envelope) => {
    if (!target.isDestroyed()) target.send(IPC_EVENT_CHANNEL, envelope);
  });
}
