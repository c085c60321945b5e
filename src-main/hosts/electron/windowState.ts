import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

// The main window's size and position, remembered between runs in a small JSON file. Anything unreadable falls back
// to the default, and a saved position is moved onto a display that exists now (a monitor may have been unplugged).

export const WindowStateSchema = z.object({
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  width: z.number().int().min(400).max(20_000),
  height: z.number().int().min(300).max(20_000),
  maximized: z.boolean().default(false),
});
export type WindowState = z.infer<typeof WindowStateSchema>;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const DEFAULT_WINDOW: WindowState = { width: 1280, height: 820, maximized: false };
export const WINDOW_STATE_FILE = 'window-state.json';

export function readWindowState(file: string): WindowState {
  try {
    const parsed = WindowStateSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : DEFAULT_WINDOW;
  } catch {
    return DEFAULT_WINDOW;
  }
}

/** Written whole to a temp name then renamed, so a crash mid-write leaves the previous state, not half a file. */
export function writeWindowState(file: string, state: WindowState): void {
  const parsed = WindowStateSchema.parse(state);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(parsed));
  fs.renameSync(tmp, file);
}

/**
 * Where to open the window: the saved size, no larger than the display it lands on, and a position whose title bar
 * is visible. Without a position, or when none of the window would be on any display, the OS centres it on the
 * primary display.
 */
export function clampToDisplays(state: WindowState, workAreas: Rect[]): WindowState {
  const primary = workAreas[0];
  if (!primary) return state;
  const { x, y } = state;
  const area = x === undefined || y === undefined ? undefined : workAreas.find((a) => intersects({ x, y, width: state.width, height: state.height }, a));
  const target = area ?? primary;
  const width = Math.min(state.width, target.width);
  const height = Math.min(state.height, target.height);
  if (!area || x === undefined || y === undefined) return { width, height, maximized: state.maximized };
  return {
    width,
    height,
    maximized: state.maximized,
    x: Math.min(Math.max(x, area.x), area.x + area.width - width),
    y: Math.min(Math.max(y, area.y), area.y + area.height - height),
  };
}

function intersects(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && a.x + a.width > b.x && a.y < b.y + b.height && a.y + a.height > b.y;
}
