import type { ConnectionStatus } from '../client';
import { PAGES, useNav } from '../state/nav';
import { useSession } from '../state/session';

const STATUS_TEXT: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  open: 'Connected',
  reconnecting: 'Reconnecting…',
  refused: 'Refused',
  closed: 'Disconnected',
};

export function Header() {
  const page = useNav((s) => s.page);
  const info = useSession((s) => s.info);
  const status = useSession((s) => s.status);
  const title = PAGES.find((p) => p.id === page)?.label ?? '';
  return (
    <header className="header">
      <h1>{title}</h1>
      <dl className="header-meta">
        <div>
          <dt>Data dir</dt>
          <dd className="mono" title={info?.dataDir}>
            {info?.dataDir ?? '…'}
          </dd>
        </div>
        {info && (
          <div>
            <dt>Version</dt>
            <dd className="mono">{info.version}</dd>
          </div>
        )}
      </dl>
      <span className="conn" data-status={status} role="status" aria-label={`Connection: ${STATUS_TEXT[status]}`}>
        <span className="conn-dot" aria-hidden="true" />
        {STATUS_TEXT[status]}
      </span>
    </header>
  );
}
