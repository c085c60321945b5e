import type { ErrorCode, Result } from '../../../src-main/shared/errors';

/** Where the connection to the engine stands. `refused` is final: the server would not accept us (no or bad token). */
export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'refused' | 'closed';

/**
 * One way of reaching the engine. A transport moves messages and nothing else: it resolves with whatever the other
 * side answered (unvalidated), and reports its own failures as error values. The client validates both directions.
 */
export interface Transport {
  readonly kind: 'ipc' | 'websocket' | 'memory' | 'none';
  /** Resolves with the raw `Result` the engine sent (or a transport error value). May reject; the client copes. */
  request(name: string, arg: unknown): Promise<unknown>;
  /** Raw event envelopes as received. */
  onEvent(listener: (envelope: unknown) => void): () => void;
  /** Called at once with the current status, then on every change. */
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
  status(): ConnectionStatus;
  close(): void;
}

export function errorResult(code: ErrorCode, message: string): Result<never> {
  return { ok: false, error: { code, message } };
}

/** A tiny listener set shared by the transports and the client. */
export class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();
  add(listener: (value: T) => void): () => void {
    this.set.add(listener);
    return () => {
      this.set.delete(listener);
    };
  }
  emit(value: T, onListenerError?: (e: unknown) => void): void {
    for (const listener of [...this.set]) {
      try {
        listener(value);
      } catch (e) {
        // A broken listener must not starve the others of the message.
        onListenerError?.(e);
      }
    }
  }
  get size(): number {
    return this.set.size;
  }
}
