import type Database from 'better-sqlite3';
import type { DomainHandlers } from '../contract/dispatcher';
import type { CoverageStore } from '../db/coverage';
import type { QueryService } from '../query/service';
import { MpError } from '../shared/errors';
import { symbolCoverage } from './coverage';
import { symbolsFromCsv, universeToCsv } from './csv';
import { evaluateRule, normalizeRule } from './rule';
import type { UniverseStore } from './store';

export interface UniverseDeps {
  store(): UniverseStore;
  coverage(): CoverageStore;
  /** the read-only query engine, which runs the rules of dynamic universes */
  query(): Promise<QueryService>;
  db(): Database.Database;
}

/** The universe domain: static lists and dynamic ones (a rule over the lake), their CSV and their coverage. */
export function universeHandlers(d: UniverseDeps): DomainHandlers<'universe'> {
  const ruleOf = (name: string): string => {
    const u = d.store().get(name);
    if (!u.rule) throw new MpError('E_BAD_INPUT', `universe "${u.name}" has no rule: give it one first (universe create NAME --rule "SQL")`);
    return u.rule;
  };
  return {
    'universe.list': async () => d.store().list(),
    'universe.get': async ({ name }) => d.store().get(name),
    'universe.create': async ({ name, symbols, ...meta }) => d.store().create(name, symbols, meta),
    'universe.add': async ({ name, symbols }) => d.store().add(name, symbols),
    'universe.remove': async ({ name, symbols }) => d.store().remove(name, symbols),
    'universe.rename': async ({ name, to }) => d.store().rename(name, to),
    'universe.update': async ({ name, ...meta }) => d.store().setMeta(name, meta),
    'universe.import': async ({ name, csv }) => {
      const parsed = symbolsFromCsv(csv, 'the file');
      if (parsed.symbols.length === 0) {
        const first = parsed.rejected.slice(0, 3).map((r) => `line ${r.line} "${r.value}": ${r.reason}`).join('; ');
        throw new MpError('E_BAD_INPUT', `no valid symbol in the file (${parsed.rejected.length} line(s) rejected${first ? `: ${first}` : ''})`);
      }
      const store = d.store();
      const universe = store.exists(name) ? store.add(name, parsed.symbols).universe : store.create(name, parsed.symbols);
      return { universe, imported: parsed.symbols.length, rejected: parsed.rejected };
    },
    'universe.export': async ({ name }) => {
      const u = d.store().get(name);
      return { filename: `${u.name.replace(/[^A-Za-z0-9_.-]+/g, '_')}.csv`, csv: universeToCsv(u) };
    },
    'universe.coverage': async ({ name, provider, feed }) => symbolCoverage(d.coverage(), d.store().get(name).symbols, { provider, feed }),
    'universe.delete': async ({ name }) => {
      d.store().delete(name);
      return { deleted: true as const };
    },
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
      if (d.store().exists(name)) throw new MpError('E_CONFLICT', `universe "${name.trim()}" already exists`);
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
      // the rule and the members it gives change together, or not at all
      return d.db().transaction(() => {
        store.setRule(name, r);
        return store.replaceMembers(name, m.symbols);
      })();
    },
  };
}
