import { useClient } from '../clientContext';
import { useSession } from '../state/session';

const TRANSPORT_TEXT = {
  ipc: 'Electron IPC',
  websocket: 'WebSocket (marketpipe serve)',
  memory: 'In memory',
  none: 'None',
} as const;

export function SettingsPage() {
  const client = useClient();
  const info = useSession((s) => s.info);
  const providers = useSession((s) => s.providers);
  return (
    <div className="page">
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
      <section className="panel placeholder" aria-labelledby="settings-title">
        <h2 id="settings-title">Settings</h2>
        <p>
          Provider credentials, default feeds and timeframes, ingestion workers and rate limits, and the data directory
          will be editable here.
        </p>
        <p className="muted">Coming soon.</p>
      </section>
    </div>
  );
}
