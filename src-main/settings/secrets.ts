/**
 * Where a host keeps credentials the user typed in (the desktop app: the OS keychain through Electron's safeStorage).
 * The CLI and serve have none: they read the environment and .env. Values go in, never back out to a client.
 */
export interface SecretStore {
  /** false with a reason when this machine can only store them in plain text (then we refuse to store) */
  readonly available: boolean;
  readonly reason?: string;
  get(name: string): string | undefined;
  set(name: string, value: string | null): void;
  names(): string[];
}
