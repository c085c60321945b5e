import { useEffect, useState, type KeyboardEvent } from 'react';
import type { CredentialStatus } from '../../../src-main/contract/schemas';
import { useClient } from '../clientContext';
import { groupByProvider, keylessProviders, loadCredentials, setCredential, SOURCE_TEXT, useCredentials } from '../state/credentials';
import { useSession } from '../state/session';
import { ErrorAlert } from './ErrorAlert';
import { ActionsHeader } from './ActionsHeader';

const PLACEHOLDER: Record<CredentialStatus['source'], string> = {
  missing: 'not set',
  stored: 'replace the stored value',
  env: 'the environment wins',
};

export function CredentialsPanel() {
  const client = useClient();
  const list = useCredentials((s) => s.list);
  const loadError = useCredentials((s) => s.loadError);
  const errors = useCredentials((s) => s.errors);
  const providers = useSession((s) => s.providers);
  const web = client.transport === 'websocket';

  useEffect(() => {
    void loadCredentials(client);
  }, [client]);

  const groups = list ? groupByProvider(list, providers) : [];
  const keyless = list ? keylessProviders(list, providers) : [];

  return (
    <section className="panel" aria-labelledby="credentials-title">
      <div className="panel-head">
        <h2 id="credentials-title">Provider credentials</h2>
        <span className="muted">Values are never shown or sent back: only where each one comes from.</span>
      </div>
      {web ? (
        <p className="note">
          Web mode: the engine behind this page (<code>marketpipe serve</code>) reads credentials from its environment or from a{' '}
          <code>.env</code> file in the folder it was started from, and does not store them. Set them there and restart it.
        </p>
      ) : (
        <p className="hint">
          Saved values are encrypted by the OS keychain. A variable set in the environment wins over a stored value.
        </p>
      )}
      {loadError && <p className="hint error-text">Credentials could not be listed: {loadError}</p>}
      {!list && !loadError && <p className="empty">Loading…</p>}
      {list && groups.length === 0 && <p className="empty">No provider needs credentials.</p>}
      <div className="cred-groups">
        {groups.map(({ provider, rows }) => {
          const err = errors[provider];
          return (
            <div key={provider} className="cred-group">
              <table className="grid creds" aria-labelledby={`cred-${provider}`}>
                <caption id={`cred-${provider}`}>{provider}</caption>
                <thead>
                  <tr>
                    <th scope="col">Setting</th>
                    <th scope="col">Source</th>
                    <th scope="col">Value</th>
                    <ActionsHeader />
                  </tr>
                </thead>
                <tbody>
                  {rows.map((row) => (
                    <CredentialRow key={row.name} row={row} />
                  ))}
                </tbody>
              </table>
              <ErrorAlert error={err?.error ?? null} title={err ? `${err.name} not ${err.action === 'save' ? 'saved' : 'cleared'}` : undefined} />
            </div>
          );
        })}
      </div>
      {keyless.length > 0 && (
        <p className="hint">
          Need no credentials: <span className="mono">{keyless.join(', ')}</span>
        </p>
      )}
    </section>
  );
}

function CredentialRow({ row }: { row: CredentialStatus }) {
  const client = useClient();
  const busy = useCredentials((s) => s.busy[row.name]);
  const done = useCredentials((s) => s.done[row.name]);
  // The value lives in this input only, and only until Save: it is cleared before the answer comes back.
  const [value, setValue] = useState('');
  const inputId = `cred-value-${row.name}`;

  function save() {
    if (!value || busy) return;
    const v = value;
    setValue('');
    void setCredential(client, row.provider, row.name, v);
  }

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'Enter') {
      e.preventDefault();
      save();
    }
  }

  return (
    <tr aria-label={row.name} data-source={row.source}>
      <th scope="row" className="mono">
        {row.name}
      </th>
      <td>
        <span className="badge cred-source" data-source={row.source}>
          {SOURCE_TEXT[row.source]}
        </span>
        {done && (
          <span className="muted cred-done" role="status">
            {' '}
            {done}
          </span>
        )}
      </td>
      <td className="cred-value">
        <label htmlFor={inputId} className="sr-only">
          Value for {row.name}
        </label>
        <input
          id={inputId}
          type="password"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          onKeyDown={onKeyDown}
          autoComplete="off"
          spellCheck={false}
          placeholder={PLACEHOLDER[row.source]}
          disabled={!!busy}
        />
      </td>
      <td className="actions">
        <button type="button" className="small" aria-label={`Save ${row.name}`} disabled={!value || !!busy} onClick={save}>
          {busy === 'save' ? 'Saving…' : 'Save'}
        </button>
        <button
          type="button"
          className="small"
          aria-label={`Clear ${row.name}`}
          title={row.source === 'stored' ? `Remove the stored ${row.name}` : row.source === 'env' ? 'Set in the environment: nothing stored to clear' : 'Nothing stored'}
          disabled={row.source !== 'stored' || !!busy}
          onClick={() => void setCredential(client, row.provider, row.name, null)}
        >
          {busy === 'clear' ? 'Clearing…' : 'Clear'}
        </button>
      </td>
    </tr>
  );
}
