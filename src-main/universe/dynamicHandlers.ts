import type Database from 'better-sqlite3';
import type { PartialHandlers } from '../contract/dispatcher';
import type { QueryService } from '../query/service';
import { MpError } from '../shared/errors';
import { evaluateRule, normalizeRule } from './rule';
import type { UniverseStore } from './store';

export interface DynamicUniverseDeps {
  store: () => UniverseStore;
  query: () => Promise<QueryService>;
  db: () => Database.Database;
}

/** Dynamic universes (rules run by the read-only query service) and the lake's emptiness. */
export function dynamicUniverseHandlers(d: DynamicUniverseDeps): PartialHandlers {
  const ruleOf = (name: string): string => {
    const u = d.store().get(name);
    if (!u.rule) throw new MpError('E_BAD_INPUT', `universe "${u.name}" has no rule: give it one first (universe create NAME --rule "SQL")`);
    return u.rule;
  };
  return {
    'universe.preview': async ({ sql }) => evaluateRule(await d.query(), sql),
    'universe.evaluate': async ({ name }) => {
      const current = new Set(d.store().get(name).symbols);
      const m = await evaluateRule(await d.query(), ruleOf(name));
      const wanted = new Set(m.symbols);
      return { ...m, added: m.symbols.filter((s) => !current.has(s)), removed: [...current].filter((s) => !wanted.has(s)).sort() };
    },
    'universe.refresh': async ({ name }) => {
      const m = await evaluateRule(await d.query(), ruleOf(name));
      return d.store().replaceMembers(name, m.symbols);
    },
    'universe.createDynamic': async ({ name, rule, ...meta }) => {
      const r = normalizeRule(rule);
      // the name is checked before the (possibly slow) rule runs, and again by create(): nothing exists until both pass
      if (d.store().list().some((u) => u.name.toLowerCase() === name.trim().toLowerCase())) throw new MpError('E_CONFLICT', `universe "${name.trim()}" already exists`);
      const m = await evaluateRule(await d.query(), r);
      const universe = d.store().create(name, m.symbols, { ...meta, rule: r });
      return { universe, added: universe.symbols, removed: [] };
    },
    'universe.setRule': async ({ name, rule }) => {
      const store = d.store();
      store.get(name);
      if (rule === null) return { universe: store.setRule(name, null), added: [], removed: [] };
      const r = normalizeRule(rule);
      const m = await evaluateRule(await d.query(), r);
      const db = d.db();
      // the rule and the members it gives change together, or not at all
      return db.transaction(() => {
        store.setRule(name, r);
        return store.replaceMembers(name, m.symbols);
      })();
    },
    'lake.status': async () => {
      const symbols = d.db().prepare(`SELECT count(DISTINCT symbol) FROM coverage`).pluck().get() as number;
      return { symbols, empty: symbols === 0 };
    },
  };
}
