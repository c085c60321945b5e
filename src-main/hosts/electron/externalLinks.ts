// Links leaving the app: only http(s) URLs go to the user's browser; everything else (file:, javascript:, custom
// schemes, navigation of our own window away from the app) is denied. Written against small interfaces so the rules
// are tested in plain Node.

/** http or https, with a host, and no credentials in it (user:pass@ links are a phishing classic). */
export function isSafeExternalUrl(raw: string): boolean {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return false;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
  if (!u.hostname || u.username || u.password) return false;
  return true;
}

export interface NavigationEventLike {
  preventDefault(): void;
}
export interface GuardedContentsLike {
  getURL(): string;
  on(event: 'will-navigate', listener: (e: NavigationEventLike, url: string) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/**
 * New windows are never opened: a safe link goes to the browser instead. Our window may only reload its own page;
 * any other navigation is cancelled, and a safe link is handed to the browser rather than lost.
 */
export function guardNavigation(contents: GuardedContentsLike, openExternal: (url: string) => void): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (e, url) => {
    if (url === contents.getURL()) return;
    e.preventDefault();
    if (isSafeExternalUrl(url)) openExternal(url);
  });
}
