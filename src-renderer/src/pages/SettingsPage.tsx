import { useState } from 'react';
import { DEFAULT_QUERY_TIMEOUT_S } from '../../../src-main/contract/query';
import { useClient } from '../clientContext';
import { MAX_QUERY_TIMEOUT_S, parseTimeoutSeconds, setQueryTimeout, useQueryTimeout } from '../state/queryTimeout';
import { CredentialsPanel } from '../components/CredentialsPanel';
import { useSession } from '../state/session';
import { setTheme, setTimeZone, THEME_SETTINGS, useDisplay, type ThemeSetting } from '../state/display';
import { formatInstant, resolveZone, TIME_ZONE_SETTINGS, zoneLabel, type TimeZoneSetting } from '../../../src-common/zonedTime';

const TRANSPORT_TEXT = {
  ipc: 'Electron IPC',
  websocket: 'WebSocket (marketpipe serve)',
  memory: 'In memory',
  none: 'None',
} as const;

const THEME_TEXT: Record<ThemeSetting, string> = { light: 'Light', dark: 'Dark', system: 'System' };

/** Time zone and theme: kept in this browser (localStorage), applied at once. */
function DisplayPanel() {
  const timeZone = useDisplay((s) => s.timeZone);
  const theme = useDisplay((s) => s.theme);
  const now = Date.now();
  return (
    <section className="panel" aria-labelledby="display-title">
      <h2 id="display-title">Display</h2>
      <div className="settings-display">
        <div className="field">
          <label htmlFor="settings-time-zone">Time zone</label>
          <select id="settings-time-zone" value={timeZone} onChange={(e) => setTimeZone(e.target.value as TimeZoneSetting)}>
            {TIME_ZONE_SETTINGS.map((z) => (
              <option key={z} value={z}>
                {zoneLabel(z)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="settings-theme">Theme</label>
          <select id="settings-theme" value={theme} onChange={(e) => setTheme(e.target.value as ThemeSetting)}>
            {THEME_SETTINGS.map((t) => (
              <option key={t} value={t}>
                {THEME_TEXT[t]}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p className="hint">
        Times on every page, the chart and the Metrics page&apos;s axes included, are shown in {timeZone === 'local' ? resolveZone(timeZone) : zoneLabel(timeZone)} time: now{' '}
        <span className="mono" data-testid="settings-now">
          {formatInstant(now, timeZone)}
        </span>
        . Date fields stay exchange dates; the CLI, exports and audit files stay ISO 8601 UTC.
      </p>
    </section>
  );
}

/** The Query page's timeout: sent with every run; the engine stops a query past it (0: never). */
function QueryPanel() {
  const seconds = useQueryTimeout((s) => s.seconds);
  const [text, setText] = useState(String(seconds));
  const valid = parseTimeoutSeconds(text) !== undefined;
  return (
    <section className="panel" aria-labelledby="query-settings-title">
      <h2 id="query-settings-title">Query</h2>
      <div className="field">
        <label htmlFor="settings-query-timeout">Query timeout (seconds)</label>
        <input
          id="settings-query-timeout"
          className="settings-timeout"
          type="number"
          min={0}
          max={MAX_QUERY_TIMEOUT_S}
          step={1}
          value={text}
          aria-invalid={!valid}
          aria-describedby="settings-query-timeout-hint"
          onChange={(e) => {
            setText(e.target.value);
            setQueryTimeout(e.target.value);
          }}
        />
      </div>
      <p className="hint" id="settings-query-timeout-hint">
        {valid ? `A query on the Query page is stopped after ${seconds} s; 0 means no limit. Default ${DEFAULT_QUERY_TIMEOUT_S} s.` : `Give a whole number of seconds from 0 to ${MAX_QUERY_TIMEOUT_S}; the timeout stays ${seconds} s.`}
      </p>
    </section>
  );
}

export function SettingsPage() {
  const client = useClient();
  const info = useSession((s) => s.info);
  const providers = useSession((s) => s.providers);
  return (
    <div className="page page-settings">
      <DisplayPanel />
      <QueryPanel />
      <section className="panel" aria-labelledby="about-title">
        <h2 id="about-title">About this engine</h2>
        <dl className="kv">
          <dt>Version</dt>
          <dd className="mono">{info?.version ?? '…'}</dd>
          <dt>Data dir</dt>
          <dd className="mono">{info?.dataDir ?? '…'}</dd>
          <dt>Host</dt>
          <dd>{info?.host ?? '…'}</dd>
          <dt>Connection</dt>
          <dd>{TRANSPORT_TEXT[client.transport]}</dd>
          <dt>Providers</dt>
          <dd>
            {providers
              ? providers.map((p) => `${p.name}${p.configured ? '' : ' (not configured)'}`).join(', ') || 'none'
              : '…'}
          </dd>
        </dl>
      </section>
      <CredentialsPanel />
    </div>
  );
}
