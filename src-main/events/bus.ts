import { randomUUID } from 'node:crypto';
import { events, type EventEnvelope, type EventMeta, type EventName, type EventPayload, type EventPayloadInput } from '../contract';

export type Listener = (envelope: EventEnvelope) => void;

/**
 * The engine's typed event bus. Every event is validated against the contract before it leaves the engine, so a
 * transport never forwards a payload the renderer cannot parse, and travels in an envelope (id, type, occurredAt,
 * correlationId, causationId, payload). Listeners are isolated: one that throws does not stop the others.
 */
export class EventBus {
  private seq = 0;
  private readonly listeners = new Set<Listener>();

  /** redact: applied to every payload before it leaves the engine (see shared/redact.ts) */
  constructor(private readonly redact: <T>(v: T) => T = (v) => v) {}

  /** Emits an event; returns its envelope, whose id is the causationId of what it causes. */
  emit<E extends EventName>(type: E, payload: EventPayloadInput<E>, meta: EventMeta = {}): EventEnvelope<E> {
    const parsed = this.redact(events[type].parse(payload) as EventPayload<E>);
    const envelope = {
      id: randomUUID(),
      type,
      payload: parsed,
      occurredAt: new Date().toISOString(),
      correlationId: meta.correlationId ?? null,
      causationId: meta.causationId ?? null,
      seq: ++this.seq,
    } as EventEnvelope<E>;
    for (const l of this.listeners) {
      try {
        l(envelope as EventEnvelope);
      } catch {
        // A broken subscriber (closed socket, destroyed window) must not break the engine.
      }
    }
    return envelope;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the first event of that type for which `match` holds: tests and the CLI wait on events, not sleeps. */
  waitFor<E extends EventName>(type: E, match: (p: EventPayload<E>) => boolean = () => true): Promise<EventPayload<E>> {
    return new Promise((resolve) => {
      const off = this.subscribe((env) => {
        if (env.type === type && match(env.payload as EventPayload<E>)) {
          off();
          resolve(env.payload as EventPayload<E>);
        }
      });
    });
  }
}
