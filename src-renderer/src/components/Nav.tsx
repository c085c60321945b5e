import { hashFor, PAGES, useNav } from '../state/nav';

export function Nav() {
  const page = useNav((s) => s.page);
  const go = useNav((s) => s.go);
  return (
    <nav className="nav" aria-label="Main">
      <div className="brand" aria-hidden="true">
        <svg className="brand-mark" width="16" height="16" viewBox="0 0 16 16" fill="currentColor">
          <rect x="2" y="5" width="3" height="7" rx="0.5" />
          <rect x="3.1" y="2" width="0.8" height="13" />
          <rect x="7" y="3" width="3" height="6" rx="0.5" opacity="0.6" />
          <rect x="8.1" y="1" width="0.8" height="10" opacity="0.6" />
          <rect x="12" y="6" width="3" height="5" rx="0.5" />
          <rect x="13.1" y="4" width="0.8" height="10" />
        </svg>
        <span className="brand-name">MarketPipe</span>
      </div>
      <ul>
        {PAGES.map((p) => (
          <li key={p.id}>
            <a
              href={hashFor(p.id)}
              aria-current={p.id === page ? 'page' : undefined}
              onClick={(e) => {
                e.preventDefault();
                go(p.id);
              }}
            >
              {p.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
