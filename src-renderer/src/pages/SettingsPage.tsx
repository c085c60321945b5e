import { useClient } from '../clientContext';
import { CredentialsPanel } from '../components/CredentialsPanel';
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
    <div className="page page-settings">
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
