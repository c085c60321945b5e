import { beforeEach, describe, expect, it } from 'vitest';
import { resolvedTheme, setTheme, setTimeZone, useDisplay, formatAppTime } from './display';

describe('display settings', () => {
  beforeEach(() => useDisplay.setState({ timeZone: 'America/New_York', theme: 'system', systemDark: false }));

  it('defaults to New York and the system theme', () => {
    expect(useDisplay.getState().timeZone).toBe('America/New_York');
    expect(useDisplay.getState().theme).toBe('system');
  });

  it('switches the time zone, and times follow it', () => {
    expect(formatAppTime('2024-01-02T14:30:00Z')).toBe('2024-01-02 09:30:00 EST');
    setTimeZone('UTC');
    expect(useDisplay.getState().timeZone).toBe('UTC');
    expect(formatAppTime('2024-01-02T14:30:00Z')).toBe('2024-01-02 14:30:00 UTC');
    setTimeZone('Mars/Olympus' as never);
    expect(useDisplay.getState().timeZone).toBe('UTC');
  });

  it('resolves the theme: explicit wins, system follows the preference', () => {
    expect(resolvedTheme()).toBe('light');
    useDisplay.setState({ systemDark: true });
    expect(resolvedTheme()).toBe('dark');
    setTheme('light');
    expect(resolvedTheme()).toBe('light');
    setTheme('dark');
    useDisplay.setState({ systemDark: false });
    expect(resolvedTheme()).toBe('dark');
    setTheme('bogus' as never);
    expect(useDisplay.getState().theme).toBe('dark');
  });
});
