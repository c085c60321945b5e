import path from 'node:path';
import { contentType } from '../../shared/contentType';

// The renderer is served through a privileged custom scheme, app://marketpipe/…, instead of file://: a file:// page
// may read any file:// URL its origin rules allow, while app:// answers only for files inside out/renderer. The path
// resolution is a pure function so the traversal rules are tested in plain Node (protocol.test.ts).

export const APP_SCHEME = 'app';
export const APP_HOST = 'marketpipe';
export const APP_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** The options main.ts hands to protocol.registerSchemesAsPrivileged (before the app is ready). */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  // standard: a real origin ('self' in the CSP, relative URLs); secure: like https; no bypassCSP, no fetch from others
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false, stream: true },
} as const;

/**
 * The file an app:// URL names, or null when it is not ours or would leave `root`: another host, encoded separators or
 * dot segments (`%2e%2e`, `%2f`, `%5c`), NUL bytes, absolute paths, or a resolved path outside the root. `/` is the
 * index page.
 */
export function resolveAppPath(root: string, rawUrl: string): string | null {
  let u: URL;
  try {
    u = new URL(rawUrl);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST || u.username || u.password) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(u.pathname);
  } catch {
    return null; // malformed percent-encoding
  }
  if (rel.includes('\0') || rel.includes('\\')) return null;
  const segments = rel.split('/').filter((s) => s !== '');
  // URL parsing already folds literal dot segments; any left here came from percent-encoding: refused, not resolved
  if (segments.some((s) => s === '.' || s === '..' || /^[a-zA-Z]:$/.test(s))) return null;
  if (segments.length === 0) segments.push('index.html');
  const base = path.resolve(root);
  const file = path.resolve(base, ...segments);
  if (file !== base && !file.startsWith(base + path.sep)) return null;
  return file;
}

export { contentType };

export interface AppProtocolDeps {
  root: string;
  csp: string;
  readFile(file: string): Promise<Buffer>;
}

/** The protocol.handle handler: a Response for every request, 404 for anything outside the renderer's folder. */
export function appProtocolHandler(d: AppProtocolDeps): (req: { url: string; method?: string }) => Promise<Response> {
  return async (req) => {
    if (req.method && req.method !== 'GET' && req.method !== 'HEAD') return new Response('method not allowed', { status: 405 });
    const file = resolveAppPath(d.root, req.url);
    if (!file) return new Response('not found', { status: 404 });
    try {
      const body = await d.readFile(file);
      return new Response(new Uint8Array(body), {
        status: 200,
        headers: { 'content-type': contentType(file), 'content-security-policy': d.csp, 'x-content-type-options': 'nosniff' },
      });
    } catch {
      return new Response('not found', { status: 404 });
    }
  };
}
