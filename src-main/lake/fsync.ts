import fs from 'node:fs';
import path from 'node:path';
import { pidAlive } from '../shared/process';
import { TMP_SUFFIX } from './layout';

/** fsync a file, then rename it into place, then fsync the folder: after this returns the file survives a crash. */
export function publishAtomically(tmpPath: string, finalPath: string): void {
  const fd = fs.openSync(tmpPath, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmpPath, finalPath);
  fsyncDir(path.dirname(finalPath));
}

export function fsyncDir(dir: string): void {
  // Windows cannot open a directory for fsync; NTFS journals the rename itself.
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Removes temp files left by writers that died mid-write. Files of live writers (other processes) are left alone. */
export function sweepTempFiles(root: string): number {
  if (!fs.existsSync(root)) return 0;
  let removed = 0;
  const walk = (dir: string) => {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (ent.name.endsWith(TMP_SUFFIX)) {
        const pid = Number(/^\.data\.(\d+)\./.exec(ent.name)?.[1]);
        if (!Number.isInteger(pid) || !pidAlive(pid)) {
          fs.rmSync(p, { force: true });
          removed++;
        }
      }
    }
  };
  walk(root);
  return removed;
}
