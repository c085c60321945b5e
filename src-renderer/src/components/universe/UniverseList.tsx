import { useId, useMemo, useState, type FormEvent } from 'react';
import type { ErrorValue } from '../../../../src-main/shared/errors';
import { useClient } from '../../clientContext';
import { plural } from '../../format';
import { createUniverse, filterUniverses, useUniverses } from '../../state/universe';
import { filterByFacets, useUniverseFilters } from '../../state/universeFilters';
import { ErrorAlert } from '../ErrorAlert';
import { DynamicUniverseForm, UniverseFacetFilters } from './DynamicUniverse';

/** The left column: create a universe, filter the list, pick one; a dynamic universe's form below. */
export function UniverseList() {
  const client = useClient();
  const list = useUniverses((s) => s.list);
  const selected = useUniverses((s) => s.selected);
  const select = useUniverses((s) => s.select);
  const [filter, setFilter] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorValue | null>(null);
  const facets = useUniverseFilters((s) => s.facets);
  const shown = useMemo(() => filterByFacets(filterUniverses(list ?? [], filter), facets), [list, filter, facets]);
  const idBase = useId();

  async function create(e: FormEvent) {
    e.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) {
      setError({ code: 'E_BAD_INPUT', message: 'give a universe name' });
      return;
    }
    setBusy(true);
    setError(null);
    const err = await createUniverse(client, trimmed);
    setBusy(false);
    if (err) setError(err);
    else setName('');
  }

  return (
    <section className="panel universe-list" aria-labelledby="universe-list-title">
      <div className="panel-head">
        <h2 id="universe-list-title">Universes</h2>
        {list && <span className="muted">{list.length}</span>}
      </div>
      <form className="universe-create" onSubmit={(e) => void create(e)} noValidate>
        <div className="field">
          <label htmlFor="universe-new-name">Universe name</label>
          <input id="universe-new-name" type="text" value={name} onChange={(e) => setName(e.target.value)} maxLength={64} autoComplete="off" placeholder="Tech" />
        </div>
        <button type="submit" className="primary" disabled={busy}>
          Create
        </button>
      </form>
      <ErrorAlert error={error} title="Not created" />
      {list && list.length > 0 && (
        <input type="search" aria-label="Filter universes" placeholder="Filter universes" value={filter} onChange={(e) => setFilter(e.target.value)} />
      )}
      {list && <UniverseFacetFilters list={list} />}
      <ul className="universe-items">
        {shown.map((u) => {
          const metaId = `${idBase}-${u.name}`;
          return (
            <li key={u.name}>
              <button
                type="button"
                className="universe-item"
                aria-current={u.name === selected ? 'true' : undefined}
                aria-describedby={metaId}
                onClick={() => select(u.name)}
              >
                <span className="universe-item-name">{u.name}</span>
                {/* named by the universe's name alone, described by its count and tags (hidden from the name, not from the description) */}
                <span id={metaId} className="universe-item-meta" aria-hidden="true">
                  <span className="universe-count">{plural(u.symbols.length, 'symbol')}</span>
                  {u.tags.map((t) => (
                    <span key={t} className="tag">
                      {t}
                    </span>
                  ))}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
      {list && list.length > 0 && shown.length === 0 && <p className="hint">No universe matches these filters.</p>}
      <DynamicUniverseForm />
    </section>
  );
}
