import { z } from 'zod';
import {
  events,
  isEventName,
  isRequestName,
  requests,
  type EventName,
  type EventPayload,
  type RequestArgInput,
  type RequestName,
  type RequestResult,
} from '../../../src-main/contract';
import { ErrorValueSchema } from '../../../src-main/contract/schemas';
import type { Result } from '../../../src-main/shared/errors';
import { errorResult, Listeners, type ConnectionStatus, type Transport } from './types';

export interface Client {
  readonly transport: Transport['kind'];
  request<K extends RequestName>(name: K, arg: RequestArgInput<K>): Promise<Result<RequestResult<K>>>;
  on<E extends EventName>(name: E, cb: (payload: EventPayload<E>) => void): () => void;
  onStatus(cb: (status: ConnectionStatus) => void): () => void;
  status(): ConnectionStatus;
  close(): void;
  /**
   * Has the browser fetch a URL the engine handed out (a streamed export), authenticated like the socket in web mode,
   * so callers never see the session token. Does nothing unless the connection says how (ClientOptions.download).
   */
  download(url: string, filename: string): void;
}

interface ClientOptions {
  /** Told about every message that failed validation and was dropped or turned into an error value. */
  onProtocolError?: (message: string) => void;
  /** How this transport's downloads are opened (see Client.download); none by default. */
  download?: (url: string, filename: string) => void;
}

const RawResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: ErrorValueSchema }),
]);

const RawEnvelopeSchema = z.object({
  id: z.string(),
  type: z.string(),
  payload: z.unknown(),
  occurredAt: z.string(),
  correlationId: z.string().nullable(),
  causationId: z.string().nullable(),
  seq: z.number(),
});

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/**
 * The renderer's one way to the engine: typed requests and events over any transport. Everything that comes in is
 * validated against the contract; what does not match becomes an E_INTERNAL error value (responses) or is dropped
 * and reported (events), never an exception in the UI.
 */
export function createClient(transport: Transport, options: ClientOptions = {}): Client {
  const report = options.onProtocolError ?? ((message: string) => console.warn(`[marketpipe] ${message}`));
  const listeners = new Map<EventName, Listeners<unknown>>();
  let unsubscribeTransport: (() => void) | null = null;

  function dispatch(raw: unknown): void {
    const envelope = RawEnvelopeSchema.safeParse(raw);
    if (!envelope.success) {
      report(`dropped a malformed event envelope (${describeIssues(envelope.error)})`);
      return;
    }
    const { type: name, payload } = envelope.data;
    if (!isEventName(name)) {
      // A newer engine may know more events than this renderer: not an error, just not ours.
      return;
    }
    const set = listeners.get(name);
    if (!set || set.size === 0) return;
    const parsed = events[name].safeParse(payload);
    if (!parsed.success) {
      report(`dropped a malformed "${name}" event (${describeIssues(parsed.error)})`);
      return;
    }
    set.emit(parsed.data, (e) => report(`a "${name}" listener threw: ${e instanceof Error ? e.message : String(e)}`));
  }

  async function request<K extends RequestName>(
    name: K,
    arg: RequestArgInput<K>,
  ): Promise<Result<RequestResult<K>>> {
    // Typed callers cannot get here with a bad name; plain JS (devtools, a stale bundle) can.
    if (!isRequestName(name)) return errorResult('E_BAD_INPUT', `unknown request "${String(name)}"`);
    let raw: unknown;
    try {
      raw = await transport.request(name, arg);
    } catch (e) {
      return errorResult('E_INTERNAL', `The request "${name}" failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    const envelope = RawResultSchema.safeParse(raw);
    if (!envelope.success) {
      const message = `Malformed response to "${name}" (${describeIssues(envelope.error)})`;
      report(message);
      return errorResult('E_INTERNAL', message);
    }
    if (!envelope.data.ok) return { ok: false, error: envelope.data.error };
    const schema: z.ZodType<RequestResult<K>> = requests[name].result as unknown as z.ZodType<RequestResult<K>>;
    const value = schema.safeParse(envelope.data.value);
    if (!value.success) {
      const message = `Malformed result of "${name}" (${describeIssues(value.error)})`;
      report(message);
      return errorResult('E_INTERNAL', message);
    }
    return { ok: true, value: value.data };
  }

  function on<E extends EventName>(name: E, cb: (payload: EventPayload<E>) => void): () => void {
    if (!isEventName(name)) throw new Error(`unknown event "${String(name)}"`);
    let set = listeners.get(name);
    if (!set) {
      set = new Listeners<unknown>();
      listeners.set(name, set);
    }
    // Subscribe to the transport lazily, once, for all event names.
    unsubscribeTransport ??= transport.onEvent(dispatch);
    return set.add(cb as (payload: unknown) => void);
  }

  return {
    transport: transport.kind,
    request,
    on,
    onStatus: (cb) => transport.onStatus(cb),
    status: () => transport.status(),
    download: options.download ?? (() => {}),
    close: () => {
      unsubscribeTransport?.();
      unsubscribeTransport = null;
      listeners.clear();
      transport.close();
    },
  };
}
