import type { PreloadApi } from '../../../src-main/contract/channels';
import type { ConnectionStatus, Transport } from './types';

/** Electron: the preload's allowlisted API. IPC cannot drop, so the status is always `open`. */
export function createIpcTransport(api: PreloadApi): Transport {
  return {
    kind: 'ipc',
    request: (name, arg) => api.request(name, arg),
    onEvent: (listener) => api.onEvent(listener),
    onStatus: (listener: (status: ConnectionStatus) => void) => {
      listener('open');
      return () => {};
    },
    status: () => 'open',
    close: () => {},
  };
}
