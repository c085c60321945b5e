import { hashFor, PAGES, useNav } from '../state/nav';

export function Nav() {
  const page = useNav((s) => s.page);
  const go = useNav((s) => s.go);
  return (
    <nav className="nav" aria-label="Main">
      <div className="brand" aria-hidden="true">
        <span className="brand-mark">▮▮</span>
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
