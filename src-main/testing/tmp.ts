import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TmpDir {
  dir: string;
  cleanup(): void;
}

/** A fresh, empty directory under the OS temp dir, owned by one test; cleanup() removes it and everything in it. */
export function makeTmpDir(prefix = 'marketpipe-test-'): TmpDir {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return {
    dir,
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 }),
  };
}
