import { useState, type FormEvent } from 'react';
import type { Universe } from '../../../../src-main/contract/schemas';
import type { ErrorValue } from '../../../../src-main/shared/errors';
import { useClient } from '../../clientContext';
import { formatInt } from '../../format';
import { applyRule, createDynamicUniverse, previewRule } from '../../state/universe';
import { DATA_FILTERS, facetValues, useUniverseFilters, type DataFilter } from '../../state/universeFilters';
import { ErrorAlert } from '../ErrorAlert';
import '../app.css';

// Dynamic universes on the Universe page: a rule (SQL over the lake, run read-only by the engine) decides the members.

const RULE_HINT =
  'A condition per symbol over sessions, first_session, last_session, last_close, adv20 (average daily volume, last 20 sessions), dollar_volume20, adv, return20 — e.g. adv20 > 1000000 — or a full SELECT returning a symbol column, e.g. SELECT DISTINCT symbol FROM bars WHERE close > 100.';

function Matches({ symbols, kind }: { symbols: string[]; kind?: string }) {
  return (
    <p className="rule-matches" aria-label="Matching symbols">
      {symbols.length === 0 ? 'No symbol matches.' : `${formatInt(symbols.length)} match${kind === 'query' ? ' (query)' : ''}: ${symbols.slice(0, 200).join(' ')}${symbols.length > 200 ? ' …' : ''}`}
    </p>
  );
}

/** "New dynamic universe": preview a rule, then create the universe from it. */
export function DynamicUniverseForm() {
  const client = useClient();
  const [name, setName] = useState('');
  const [rule, setRule] = useState('');
  const [preview, setPreview] = useState<{ symbols: string[]; kind: string } | null>(null);
  const [error, setError] = useState<ErrorValue | null>(null);
  const [busy, setBusy] = useState(false);

  async function runPreview() {
    setBusy(true);
    setError(null);
    const r = await previewRule(client, rule);
    setBusy(false);
    if (r.ok) setPreview(r.value);
    else setError(r.error);
  }

  async function create(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const err = await createDynamicUniverse(client, name, rule);
    setBusy(false);
    if (err) {
      setError(err);
      return;
    }
    setName('');
    setRule('');
    setPreview(null);
  }

  return (
    <details className="dynamic-rule">
      <summary>New dynamic universe</summary>
      <form onSubmit={(e) => void create(e)} noValidate>
        <div className="field">
          <label htmlFor="dyn-name">Dynamic universe name</label>
          <input id="dyn-name" type="text" value={name} maxLength={64} autoComplete="off" onChange={(e) => setName(e.target.value)} placeholder="Liquid" />
        </div>
        <div className="field">
          <label htmlFor="dyn-rule">Rule (SQL)</label>
          <textarea id="dyn-rule" value={rule} spellCheck={false} onChange={(e) => setRule(e.target.value)} placeholder="adv20 > 1000000" aria-describedby="dyn-rule-hint" />
          <p id="dyn-rule-hint" className="hint">
            {RULE_HINT}
          </p>
        </div>
        <div className="rule-actions">
          <button type="button" onClick={() => void runPreview()} disabled={busy || !rule.trim()}>
            Preview
          </button>
          <button type="submit" className="primary" disabled={busy || !rule.trim() || !name.trim()}>
            Create dynamic universe
          </button>
        </div>
      </form>
      {preview && <Matches symbols={preview.symbols} kind={preview.kind} />}
      <ErrorAlert error={error} title="Rule not accepted: fix the SQL (it runs read-only over the bars view) and try again" />
    </details>
  );
}

/** A universe's rule: shown, applied again (Refresh from rule), changed or removed. */
export function RulePanel({ universe }: { universe: Universe }) {
  const client = useClient();
  const [rule, setRule] = useState(universe.rule ?? '');
  const [note, setNote] = useState('');
  const [error, setError] = useState<ErrorValue | null>(null);
  const [busy, setBusy] = useState(false);

  async function apply(action: 'refresh' | 'save' | 'clear') {
    setBusy(true);
    setError(null);
    setNote('');
    const r = await applyRule(client, universe, action, rule);
    setBusy(false);
    if (r.ok) setNote(r.note);
    else setError(r.error);
  }

  if (!universe.rule) return null;
  return (
    <section className="dynamic-rule" aria-label="Rule">
      <div className="field">
        <label htmlFor="rule-edit">Rule (SQL)</label>
        <textarea id="rule-edit" value={rule} spellCheck={false} onChange={(e) => setRule(e.target.value)} />
      </div>
      <div className="rule-actions">
        <button type="button" className="primary" onClick={() => void apply('refresh')} disabled={busy}>
          Refresh from rule
        </button>
        <button type="button" onClick={() => void apply('save')} disabled={busy || !rule.trim() || rule.trim() === universe.rule}>
          Save rule and refresh
        </button>
        <button type="button" onClick={() => void apply('clear')} disabled={busy}>
          Make static
        </button>
        <span role="status" className="form-status">
          {note}
        </span>
      </div>
      <ErrorAlert error={error} title="Rule not applied: nothing changed; fix the SQL and try again" />
    </section>
  );
}

/** Universes by tag, exchange and asset class (only the facets some universe has). */
export function UniverseFacetFilters({ list }: { list: Universe[] }) {
  const facets = useUniverseFilters((s) => s.facets);
  const set = useUniverseFilters((s) => s.set);
  const v = facetValues(list);
  const select = (label: string, key: keyof typeof facets, values: string[]) =>
    values.length > 0 && (
      <select aria-label={label} value={facets[key]} onChange={(e) => set({ facets: { ...facets, [key]: e.target.value } })}>
        <option value="">{`Any ${label.toLowerCase()}`}</option>
        {values.map((x) => (
          <option key={x} value={x}>
            {x}
          </option>
        ))}
      </select>
    );
  if (!v.tags.length && !v.exchanges.length && !v.assetClasses.length) return null;
  return (
    <div className="universe-facets">
      {select('Tag', 'tag', v.tags)}
      {select('Exchange', 'exchange', v.exchanges)}
      {select('Asset class', 'assetClass', v.assetClasses)}
    </div>
  );
}

/** A universe's symbols by data held and freshness. */
export function SymbolDataFilter() {
  const data = useUniverseFilters((s) => s.data);
  const minBehind = useUniverseFilters((s) => s.minBehind);
  const set = useUniverseFilters((s) => s.set);
  return (
    <span className="symbol-filters">
      <select aria-label="Show symbols" value={data} onChange={(e) => set({ data: e.target.value as DataFilter })}>
        {DATA_FILTERS.map((f) => (
          <option key={f.id} value={f.id}>
            {f.label}
          </option>
        ))}
      </select>
      {data === 'behind' && (
        <label>
          by at least{' '}
          <input type="number" min={1} max={10000} value={minBehind} aria-label="Sessions behind, at least" onChange={(e) => set({ minBehind: Math.max(1, Number(e.target.value) || 1) })} style={{ width: '5em' }} />{' '}
          sessions
        </label>
      )}
    </span>
  );
}
