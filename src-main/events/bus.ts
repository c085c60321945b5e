import { events, type EventEnvelope, type EventName, type EventPayload, type EventPayloadInput } from '../contract/contract';

export type Listener = (envelope: EventEnvelope) => void;

/**
 * The engine's typed event bus. Every event is validated against the contract before it leaves the engine, so a
 * transport never forwards a payload the renderer cannot parse. Listeners are isolated: one that throws does not stop
 * the others.
 */
export class EventBus {
  private seq = 0;
  private readonly listeners = new Set<Listener>();

  /** redact: applied to every payload before it leaves the engine (see shared/redact.ts) */
  constructor(private readonly redact: <T>(v: T) => T = (v) => v) {}

  emit<E extends EventName>(name: E, payload: EventPayloadInput<E>): void {
    const parsed = this.redact(events[name].parse(payload) as EventPayload<E>);
    const envelope = { name, payload: parsed, seq: ++this.seq, at: new Date().toISOString() } as EventEnvelope;
    for (const l of this.listeners) {
      try {
        l(envelope);
      } catch {
        // A broken subscriber (closed socket, destroyed window) must not break the engine.
      }
    }
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the first event of that name for which `match` holds: tests and the CLI wait on events, not sleeps. */
  waitFor<E extends EventName>(name: E, match: (p: EventPayload<E>) => boolean = () => true): Promise<EventPayload<E>> {
    return new Promise((resolve) => {
      const off = this.subscribe((env) => {
        if (env.name === name && match(env.payload as EventPayload<E>)) {
          off();
          resolve(env.payload as EventPayload<E>);
        }
      });
    });
  }
}
