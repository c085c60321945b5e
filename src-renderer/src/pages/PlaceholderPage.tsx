import type { ReactNode } from 'react';

export function PlaceholderPage({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="page">
      <section className="panel placeholder" aria-labelledby="placeholder-title">
        <h2 id="placeholder-title">{title}</h2>
        {children}
        <p className="muted">Coming soon.</p>
      </section>
    </div>
  );
}
