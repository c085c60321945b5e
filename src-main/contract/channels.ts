import type { Result } from '../shared/errors';
import type { EventEnvelope } from './index';

// Transport constants and the preload API shape. No runtime dependencies: the preload bundle imports this file.
export const WS_PATH = '/ws';
export const IPC_REQUEST_CHANNEL = 'mp:request';
export const IPC_EVENT_CHANNEL = 'mp:event';

/** The API the preload script exposes as window.marketpipe (allowlisted, no raw ipcRenderer). */
export interface PreloadApi {
  request(name: string, arg: unknown): Promise<Result<unknown>>;
  onEvent(listener: (envelope: EventEnvelope) => void): () => void;
}
