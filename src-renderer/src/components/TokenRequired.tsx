export function TokenRequired() {
  return (
    <main className="token-page">
      <div className="token-card" role="alert">
        <h1>Access token needed</h1>
        <p>
          This page needs the link printed by <code>marketpipe serve</code> (it carries an access token).
        </p>
        <p className="muted">
          Run <code>marketpipe serve</code> and open the full address it prints, including <code>?token=…</code>. A
          server restart prints a new link.
        </p>
      </div>
    </main>
  );
}
