import { WS_PATH, type PreloadApi } from '../../../src-main/contract/channels';
import { RPC_PATH } from '../../../src-main/contract/wire';
import { createClient, type Client } from './client';
import { createIpcTransport } from './ipcTransport';
import { takeToken, wsUrl } from './token';
import type { ConnectionStatus, Transport } from './types';
import { createWsTransport } from './wsTransport';

export type { Client } from './client';
export type { ConnectionStatus } from './types';

declare global {
  interface Window {
    /** Set by src-preload in Electron; absent in a browser. */
    marketpipe?: PreloadApi;
  }
}

/** A transport for a page opened without a token: nothing to connect to. */
function refusedTransport(): Transport {
  return {
    kind: 'none',
    request: () =>
      Promise.resolve({ ok: false, error: { code: 'E_FORBIDDEN', message: 'No access token: open the link printed by `marketpipe serve`.' } }),
    onEvent: () => () => {},
    onStatus: (listener: (status: ConnectionStatus) => void) => {
      listener('refused');
      return () => {};
    },
    status: () => 'refused',
    close: () => {},
  };
}

function sessionStorageOrNull(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/** Electron if the preload API is there, otherwise the WebSocket of `marketpipe serve`. */
export function connectClient(): Client {
  // the desktop host saves exports itself (a save dialog); a download URL would be opened as it is
  if (window.marketpipe) return createClient(createIpcTransport(window.marketpipe), { download: (url, filename) => browserDownload(url, filename, null) });
  const token = takeToken({ location: window.location, storage: sessionStorageOrNull(), history: window.history });
  if (!token) return createClient(refusedTransport());
  const transport = createWsTransport({
    url: wsUrl(window.location, WS_PATH, token),
    // Any HTTP answer means the server is up and it was the upgrade (the token) it refused.
    probe: () =>
      fetch(`${window.location.origin}/`, { method: 'HEAD', cache: 'no-store' }).then(
        () => true,
        () => false,
      ),
    // requests too large for one socket message (a big symbols import): one authenticated POST
    postLarge: async (message) => {
      const r = await fetch(`${window.location.origin}${RPC_PATH}?token=${encodeURIComponent(token)}`, {
        method: 'POST',
        body: message,
        headers: { 'content-type': 'application/json' },
        cache: 'no-store',
      });
      if (!r.ok) throw new Error(`HTTP ${r.status}: ${(await r.text()).trim().slice(0, 200)}`);
      return r.json() as Promise<unknown>;
    },
  });
  return createClient(transport, { download: (url, filename) => browserDownload(url, filename, token) });
}

/** The browser fetches the file itself, streamed to disk; the session token (web mode) rides along like the socket's. */
function browserDownload(url: string, filename: string, token: string | null): void {
  const a = document.createElement('a');
  a.href = token === null ? url : `${url}?token=${encodeURIComponent(token)}`;
  a.download = filename;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
}
