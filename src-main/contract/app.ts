import { z } from 'zod';
import { AppInfoSchema } from './schemas';

// The app domain: what the engine is (version, data folder, host) and the desktop menu's commands to the renderer.

export const MENU_ACTIONS = ['shortcuts', 'export', 'go'] as const;
export const AppMenuSchema = z.object({
  action: z.enum(MENU_ACTIONS),
  /** the page to open, for `go` */
  page: z
    .string()
    .regex(/^[a-z]{1,20}$/)
    .optional(),
});
export type AppMenuCommand = z.infer<typeof AppMenuSchema>;

export const appRequests = {
  'app.info': { arg: z.object({}).strict(), result: AppInfoSchema },
} as const;

export const appEvents = {
  /** Desktop only: a native menu item the renderer acts on (open a page, the shortcut list, export). */
  'app.menu': AppMenuSchema,
} as const;
