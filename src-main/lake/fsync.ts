import fs from 'node:fs';
import path from 'node:path';
import { pidAlive } from '../shared/process';
import { TMP_SUFFIX, tempFilePid } from './layout';

/**
 * fsync a file, then rename it into place, then fsync the folder: once this resolves the file survives a crash. The
 * syncs run on libuv's thread pool, so many partitions published at once (aggregation) wait on the disk together
 * instead of one after another on the event loop.
 */
export async function publishAtomically(tmpPath: string, finalPath: string): Promise<void> {
  await fsyncPath(tmpPath);
  await fs.promises.rename(tmpPath, finalPath);
  // Windows cannot open a directory for fsync; NTFS journals the rename itself.
  if (process.platform !== 'win32') await fsyncPath(path.dirname(finalPath));
}

export async function fsyncPath(p: string): Promise<void> {
  const fh = await fs.promises.open(p, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Removes temp files (and group-commit folders) left by writers that died mid-write. Those of live writers (other
 * processes) are left alone.
 */
export function sweepTempFiles(root: string): number {
  if (!fs.existsSync(root)) return 0;
  let removed = 0;
  const walk = (dir: string) => {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, ent.name);
      if (ent.isDirectory() && ent.name.startsWith('.group.')) {
        // a group commit's partitioned COPY folder (stage.ts): its writer's pid in the name, as a temp file's
        if (!pidAlive(Number(/^\.group\.(\d+)\./.exec(ent.name)?.[1]))) fs.rmSync(p, { recursive: true, force: true });
      } else if (ent.isDirectory()) walk(p);
      else if (ent.name.endsWith(TMP_SUFFIX)) {
        const pid = tempFilePid(ent.name);
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
