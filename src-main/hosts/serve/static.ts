import fs from 'node:fs';
import path from 'node:path';
import { contentType } from '../../shared/contentType';

export { contentType };

/** Finds the built renderer (out/renderer) from wherever this bundle or source file lives. */
export function findRendererDir(start: string = __dirname): string | undefined {
  let dir = start;
  for (;;) {
    for (const c of [path.join(dir, 'renderer'), path.join(dir, 'out', 'renderer')]) {
      if (fs.existsSync(path.join(c, 'index.html'))) return c;
    }
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** Resolves a URL path inside root, or undefined if it escapes root or names no file. */
export function resolveStatic(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const rel = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const file = path.resolve(root, rel);
  if (file !== root && !file.startsWith(root + path.sep)) return undefined;
  try {
    return fs.statSync(file).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}
