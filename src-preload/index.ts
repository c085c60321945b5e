import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL, type PreloadApi } from '../src-main/contract/channels';
import type { EventEnvelope } from '../src-main/contract';

// Sandboxed preload: the renderer gets these two functions and nothing else of ipcRenderer. Request names and
// arguments are validated again in main; here we only make sure a name is a string before it crosses.

const api: PreloadApi = {
  request(name: string, arg: unknown) {
    if (typeof name !== 'string') {
      return Promise.resolve({ ok: false, error: { code: 'E_BAD_INPUT', message: 'request name must be a string' } });
    }
    return ipcRenderer.invoke(IPC_REQUEST_CHANNEL, name, arg);
  },
  onEvent(listener: (envelope: EventEnvelope) => void) {
    if (typeof listener !== 'function') throw new TypeError('onEvent needs a function');
    // Only the envelope goes to the page, never the IpcRendererEvent (it carries `sender`).
    const handler = (_event: IpcRendererEvent, envelope: EventEnvelope) => listener(envelope);
    ipcRenderer.on(IPC_EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler);
    };
  },
};

contextBridge.exposeInMainWorld('marketpipe', api);
