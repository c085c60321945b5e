import { z } from 'zod';
import type { Result } from '../shared/errors';
import type { EventEnvelope } from './index';

// Messages of the WebSocket transport (web mode). Electron IPC carries the same request/response and envelope
// shapes over ipcRenderer.invoke(IPC_REQUEST_CHANNEL, name, arg) and the IPC_EVENT_CHANNEL channel.

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
