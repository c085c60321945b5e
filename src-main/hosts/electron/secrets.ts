import fs from 'node:fs';
import path from 'node:path';
import type { SecretStore } from '../../settings/secrets';

/** The part of Electron's safeStorage we use (an interface, so this file is testable in plain Node). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  getSelectedStorageBackend?(): string;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

/**
 * Credentials encrypted by the OS keychain (safeStorage) in <dataDir>/secrets.json, mode 0600, written atomically.
 * On Linux without a keyring safeStorage falls back to a hard-coded key ("basic_text"): that is plain text in all
 * but name, so we refuse to store and say why.
 */
export class SafeStorageSecrets implements SecretStore {
  readonly available: boolean;
  readonly reason?: string;
  private readonly file: string;

  constructor(
    private readonly safe: SafeStorageLike,
    dataDir: string,
  ) {
    this.file = path.join(dataDir, 'secrets.json');
    const backend = safe.getSelectedStorageBackend?.();
    if (!safe.isEncryptionAvailable()) {
      this.available = false;
      this.reason = 'the operating system offers no encrypted storage; set credentials in the environment instead';
    } else if (backend === 'basic_text') {
      this.available = false;
      this.reason = 'no keyring (gnome-keyring or KWallet) is running, so secrets could only be stored as plain text; set credentials in the environment instead';
    } else {
      this.available = true;
    }
  }

  private read(): Record<string, string> {
    try {
      return JSON.parse(fs.readFileSync(this.file, 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  }

  get(name: string): string | undefined {
    const enc = this.read()[name];
    return enc === undefined ? undefined : this.safe.decryptString(Buffer.from(enc, 'base64'));
  }

  names(): string[] {
    return Object.keys(this.read());
  }

  set(name: string, value: string | null): void {
    if (!this.available) throw new Error(this.reason);
    const all = this.read();
    if (value === null) delete all[name];
    else all[name] = this.safe.encryptString(value).toString('base64');
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(all), { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }
}
