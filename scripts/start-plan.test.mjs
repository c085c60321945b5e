import { describe, expect, it } from 'vitest';
import { browserCommand, fallbackReason, hasDisplay, nodeCanDownloadElectron, planStart, servedUrl } from './start-plan.mjs';

const base = { platform: 'linux', env: { DISPLAY: ':0' }, argv: [], nodeVersion: 'v22.12.0', electronBinaryPresent: true };

describe('npm start decisions', () => {
  it('opens the desktop app where a display and the binary are present', () => {
    expect(planStart(base)).toEqual({ mode: 'electron' });
    expect(planStart({ ...base, platform: 'darwin', env: {} })).toEqual({ mode: 'electron' });
    expect(planStart({ ...base, env: { WAYLAND_DISPLAY: 'wayland-0' } })).toEqual({ mode: 'electron' });
  });

  it('web mode, with one reason, without a display, when asked, or when the binary cannot be downloaded on this Node', () => {
    expect(planStart({ ...base, env: {} })).toEqual({ mode: 'web', reason: expect.stringMatching(/no display/) });
    expect(planStart({ ...base, argv: ['--web'] })).toEqual({ mode: 'web', reason: 'web mode requested' });
    expect(planStart({ ...base, env: { DISPLAY: ':0', MP_START_WEB: '1' } }).mode).toBe('web');
    const old = planStart({ ...base, electronBinaryPresent: false, nodeVersion: 'v20.19.2' });
    expect(old).toEqual({ mode: 'web', reason: expect.stringMatching(/needs Node 22\.12\+ \(this is Node 20\.19\.2\)/) });
    expect(old.reason).not.toContain('\n');
  });

  it('tries the download only where it can work', () => {
    expect(planStart({ ...base, electronBinaryPresent: false })).toEqual({ mode: 'download' });
    expect(nodeCanDownloadElectron('v22.11.9')).toBe(false);
    expect(nodeCanDownloadElectron('v24.1.0')).toBe(true);
  });

  it('a failure becomes one line with its last detail', () => {
    const r = fallbackReason('download', 'Downloading Electron binary...\nRequestError: getaddrinfo ENOTFOUND github.com\n');
    expect(r).toBe('the Electron binary could not be downloaded (RequestError: getaddrinfo ENOTFOUND github.com)');
    expect(fallbackReason('launch', '')).toBe('Electron could not start');
  });

  it('opens the browser only where a desktop is present, with the served link', () => {
    expect(hasDisplay('linux', {})).toBe(false);
    expect(browserCommand('linux', {}, 'http://127.0.0.1:1/')).toBeNull();
    expect(browserCommand('linux', { DISPLAY: ':1' }, 'http://127.0.0.1:1/')).toEqual(['xdg-open', ['http://127.0.0.1:1/']]);
    expect(browserCommand('darwin', {}, 'u')).toEqual(['open', ['u']]);
    expect(servedUrl('MarketPipe is serving at http://127.0.0.1:5000/#token=abc')).toBe('http://127.0.0.1:5000/#token=abc');
    expect(servedUrl('warning: something')).toBeNull();
  });
});
