import type { DomainHandlers } from '../contract/dispatcher';
import type { AppInfo } from '../contract/schemas';

/** The app domain: what this engine is (the desktop menu's commands are events, sent by the Electron host). */
export function appHandlers(info: () => AppInfo): DomainHandlers<'app'> {
  return { 'app.info': async () => info() };
}
