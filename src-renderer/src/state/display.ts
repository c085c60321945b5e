import { create } from 'zustand';
import { DEFAULT_TIME_ZONE, formatInstant, isTimeZoneSetting, resolveZone, type InstantOptions, type TimeZoneSetting } from '../../../src-common/zonedTime';

/** The Theme setting: light, dark, or the system's (prefers-color-scheme). */
export type ThemeSetting = 'light' | 'dark' | 'system';
export const THEME_SETTINGS: readonly ThemeSetting[] = ['light', 'dark', 'system'];
const isThemeSetting = (v: unknown): v is ThemeSetting => typeof v === 'string' && (THEME_SETTINGS as readonly string[]).includes(v);

const ZONE_KEY = 'mp.display.timeZone';
const THEME_KEY = 'mp.display.theme';

interface DisplayState {
  /** where every time the UI shows is read (except the chart page, on New York time) */
  timeZone: TimeZoneSetting;
  theme: ThemeSetting;
  /** the system's preference, followed when theme is `system` */
  systemDark: boolean;
}

function stored(key: string): string | null {
  try {
    return typeof window !== 'undefined' ? window.localStorage.getItem(key) : null;
  } catch {
    return null;
  }
}
function store(key: string, value: string): void {
  try {
    if (typeof window !== 'undefined') window.localStorage.setItem(key, value);
  } catch {
    // storage full or denied: the setting still holds for this session
  }
}

const media = () => (typeof window !== 'undefined' && window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null);

export const useDisplay = create<DisplayState>()(() => {
  const zone = stored(ZONE_KEY);
  const theme = stored(THEME_KEY);
  return {
    timeZone: isTimeZoneSetting(zone) ? zone : DEFAULT_TIME_ZONE,
    theme: isThemeSetting(theme) ? theme : 'system',
    systemDark: media()?.matches ?? false,
  };
});

/** light or dark: the setting, or the system's preference when it is `system`. */
export function resolvedTheme(s: Pick<DisplayState, 'theme' | 'systemDark'> = useDisplay.getState()): 'light' | 'dark' {
  return s.theme === 'system' ? (s.systemDark ? 'dark' : 'light') : s.theme;
}

export function setTimeZone(timeZone: TimeZoneSetting): void {
  if (!isTimeZoneSetting(timeZone)) return;
  store(ZONE_KEY, timeZone);
  useDisplay.setState({ timeZone });
}

export function setTheme(theme: ThemeSetting): void {
  if (!isThemeSetting(theme)) return;
  store(THEME_KEY, theme);
  useDisplay.setState({ theme });
}

/** The resolved theme on the root element (`data-theme`), which theme.css reads; follows the system while `system`. */
export function applyTheme(root: HTMLElement = document.documentElement): () => void {
  const apply = () => {
    const s = useDisplay.getState();
    root.dataset.theme = resolvedTheme(s);
    root.dataset.themeSetting = s.theme;
  };
  apply();
  const unsubscribe = useDisplay.subscribe(apply);
  const m = media();
  const onChange = (e: MediaQueryListEvent) => useDisplay.setState({ systemDark: e.matches });
  m?.addEventListener('change', onChange);
  return () => {
    unsubscribe();
    m?.removeEventListener('change', onChange);
  };
}

/** The time zone setting, for components. */
export const useTimeZone = (): TimeZoneSetting => useDisplay((s) => s.timeZone);
/** The resolved light/dark theme, for components that pick their own palette (the SQL editor). */
export const useResolvedTheme = (): 'light' | 'dark' => useDisplay((s) => resolvedTheme(s));

/** An instant in the app's zone with date and zone, e.g. "2024-01-02 09:30:05 EST" (for code outside React). */
export function formatAppTime(at: string | number | null | undefined, o?: InstantOptions): string {
  return formatInstant(at, useDisplay.getState().timeZone, o);
}

/** The IANA zone the setting stands for now. */
export function appZone(): string {
  return resolveZone(useDisplay.getState().timeZone);
}
