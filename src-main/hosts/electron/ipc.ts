import type { Dispatcher } from '../../contract/dispatcher';
import type { EventEnvelope } from '../../contract';
import { IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL } from '../../contract/channels';
import type { Result } from '../../shared/errors';

// IPC wiring written against small interfaces instead of Electron itself, so it runs (and is tested) in plain Node.

export interface IpcSenderFrame {
  url: string;
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

/** A sender is trusted when its frame shows our own renderer: the packaged file:// page or the dev server. */
export function isTrustedFrameUrl(url: string, rendererUrl: string): boolean {
  try {
    const u = new URL(url);
    const r = new URL(rendererUrl);
    if (r.protocol === 'file:') return u.protocol === 'file:' && u.host === r.host && u.pathname === r.pathname;
    return u.origin === r.origin;
  } catch {
    return false;
  }
}

export function registerIpc(ipc: IpcMainLike, dispatcher: Dispatcher, rendererUrl: string): () => void {
  ipc.handle(IPC_REQUEST_CHANNEL, async (event, name, arg): Promise<Result<unknown>> => {
    const url = event.senderFrame?.url ?? '';
    if (!isTrustedFrameUrl(url, rendererUrl)) {
      return { ok: false, error: { code: 'E_FORBIDDEN', message: 'request from an untrusted frame refused' } };
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
