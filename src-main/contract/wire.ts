import { z } from 'zod';
import type { Result } from '../shared/errors';
import type { EventEnvelope } from './index';

// Messages of the WebSocket transport (web mode). Electron IPC carries the same request/response and envelope
// shapes over ipcRenderer.invoke(IPC_REQUEST_CHANNEL, name, arg) and the IPC_EVENT_CHANNEL channel.

/** The largest WebSocket message either side sends or accepts (the server closes a socket that sends more: 1009). */
export const MAX_WS_MESSAGE_BYTES = 1024 * 1024;
/**
 * Requests too large for one WebSocket message (a big symbols import) travel as one authenticated HTTP POST to
 * RPC_PATH (same token, Host and Origin checks as the socket), body at most MAX_RPC_BODY_BYTES, answered with the
 * same response message. Downloads travel the other way as GET /download/<id> (see Workbench.export).
 */
export const RPC_PATH = '/rpc';
export const MAX_RPC_BODY_BYTES = 16 * 1024 * 1024;
/** What a slow reader may have queued on its socket before the server drops it. */
export const MAX_WS_QUEUED_BYTES = 8 * 1024 * 1024;

export const ClientMessageSchema = z.object({
  type: z.literal('request'),
  id: z.number().int().nonnegative(),
  name: z.string().max(100),
  arg: z.unknown(),
});
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

export type ServerMessage =
  | { type: 'response'; id: number; result: Result<unknown> }
  | { type: 'event'; envelope: EventEnvelope };
