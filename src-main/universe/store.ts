import type Database from 'better-sqlite3';
import { SYMBOL_RE, type Universe } from '../contract/schemas';
import { MpError } from '../shared/errors';

interface UniverseRow {
  id: number;
  name: string;
  exchange: string | null;
  asset_class: string | null;
  tags: string;
  rule: string | null;
  version: number;
  created_at: string;
  updated_at: string;
  members: string | null;
}

export const UNIVERSE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$/;

function checkName(name: string): string {
  const n = name.trim();
  if (!UNIVERSE_NAME_RE.test(n)) throw new MpError('E_BAD_INPUT', `"${name}" is not a universe name (letters, digits, space, _ . -, up to 64 characters)`);
  return n;
}

export function checkSymbols(symbols: string[]): string[] {
  const out = new Set<string>();
  for (const raw of symbols) {
    const s = raw.trim().toUpperCase();
    if (!SYMBOL_RE.test(s)) throw new MpError('E_BAD_INPUT', `"${raw}" is not a symbol (letters, digits, ".", "-", 1-15 characters)`);
    out.add(s);
  }
  return [...out];
}

/** Named, versioned symbol lists (migrations/0002_universes.sql). */
export class UniverseStore {
  constructor(private readonly db: Database.Database) {}

  private row(name: string): UniverseRow | undefined {
    return this.db
      .prepare(
        `SELECT u.*, (SELECT json_group_array(symbol) FROM (SELECT symbol FROM universe_members m WHERE m.universe_id = u.id AND m.removed_at IS NULL ORDER BY symbol)) AS members
         FROM universes u WHERE u.name = ? COLLATE NOCASE`,
      )
      .get(name.trim()) as UniverseRow | undefined;
  }

  private toUniverse(r: UniverseRow): Universe {
    return {
      name: r.name,
      exchange: r.exchange,
      assetClass: r.asset_class,
      tags: JSON.parse(r.tags) as string[],
      version: r.version,
      symbols: r.members ? (JSON.parse(r.members) as string[]) : [],
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      rule: r.rule,
    };
  }

  /** Whether a universe of that name (any case) exists. */
  exists(name: string): boolean {
    return this.row(name) !== undefined;
  }

  get(name: string): Universe {
    const r = this.row(name);
    if (!r) throw new MpError('E_NOT_FOUND', `no universe "${name}"`);
    return this.toUniverse(r);
  }

  list(): Universe[] {
    const names = this.db.prepare(`SELECT name FROM universes ORDER BY name COLLATE NOCASE`).pluck().all() as string[];
    return names.map((n) => this.get(n));
  }

  create(name: string, symbols: string[] = [], meta: { exchange?: string; assetClass?: string; tags?: string[]; rule?: string } = {}): Universe {
    const n = checkName(name);
    const syms = checkSymbols(symbols);
    if (this.row(n)) throw new MpError('E_CONFLICT', `universe "${n}" already exists`);
    const now = new Date().toISOString();
    this.db.transaction(() => {
      const id = this.db
        .prepare(`INSERT INTO universes (name, exchange, asset_class, tags, rule, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
        .run(n, meta.exchange ?? null, meta.assetClass ?? null, JSON.stringify(meta.tags ?? []), meta.rule ?? null, now, now).lastInsertRowid;
      const ins = this.db.prepare(`INSERT INTO universe_members (universe_id, symbol, added_at) VALUES (?, ?, ?)`);
      for (const s of syms) ins.run(id, s, now);
    })();
    return this.get(n);
  }

  /** Adds symbols (already present ones are left alone). Returns the universe and which symbols were new. */
  add(name: string, symbols: string[]): { universe: Universe; added: string[] } {
    const syms = checkSymbols(symbols);
    const u = this.row(name);
    if (!u) throw new MpError('E_NOT_FOUND', `no universe "${name}"`);
    const now = new Date().toISOString();
    const added: string[] = [];
    this.db.transaction(() => {
      const ins = this.db.prepare(`INSERT OR IGNORE INTO universe_members (universe_id, symbol, added_at) VALUES (?, ?, ?)`);
      for (const s of syms) if (ins.run(u.id, s, now).changes > 0) added.push(s);
      if (added.length) this.bump(u.id, now);
    })();
    return { universe: this.get(u.name), added };
  }

  remove(name: string, symbols: string[]): { universe: Universe; removed: string[] } {
    const syms = checkSymbols(symbols);
    const u = this.row(name);
    if (!u) throw new MpError('E_NOT_FOUND', `no universe "${name}"`);
    const now = new Date().toISOString();
    const removed: string[] = [];
    this.db.transaction(() => {
      const close = this.db.prepare(`UPDATE universe_members SET removed_at = ? WHERE universe_id = ? AND symbol = ? AND removed_at IS NULL`);
      for (const s of syms) if (close.run(now, u.id, s).changes > 0) removed.push(s);
      if (removed.length) this.bump(u.id, now);
    })();
    return { universe: this.get(u.name), removed };
  }

  rename(name: string, to: string): Universe {
    const u = this.row(name);
    if (!u) throw new MpError('E_NOT_FOUND', `no universe "${name}"`);
    const n = checkName(to);
    const other = this.row(n);
    if (other && other.id !== u.id) throw new MpError('E_CONFLICT', `universe "${n}" already exists`);
    const now = new Date().toISOString();
    this.db.prepare(`UPDATE universes SET name = ?, version = version + 1, updated_at = ? WHERE id = ?`).run(n, now, u.id);
    return this.get(n);
  }

  setMeta(name: string, meta: { exchange?: string | null; assetClass?: string | null; tags?: string[] }): Universe {
    const u = this.row(name);
    if (!u) throw new MpError('E_NOT_FOUND', `no universe "${name}"`);
    const now = new Date().toISOString();
    this.db
      .prepare(`UPDATE universes SET exchange = ?, asset_class = ?, tags = ?, version = version + 1, updated_at = ? WHERE id = ?`)
      .run(
        meta.exchange === undefined ? u.exchange : meta.exchange,
        meta.assetClass === undefined ? u.asset_class : meta.assetClass,
        meta.tags === undefined ? u.tags : JSON.stringify([...new Set(meta.tags.map((t) => t.trim()).filter(Boolean))]),
        now,
        u.id,
      );
    return this.get(u.name);
  }

  /** Sets (or clears, with null) a universe's rule; members are left as they are until a refresh. */
  setRule(name: string, rule: string | null): Universe {
    const u = this.row(name);
    if (!u) throw new MpError('E_NOT_FOUND', `no universe "${name}"`);
    const now = new Date().toISOString();
    this.db.prepare(`UPDATE universes SET rule = ?, version = version + 1, updated_at = ? WHERE id = ?`).run(rule, now, u.id);
    return this.get(u.name);
  }

  /**
   * Makes the members exactly `symbols`: the new ones added, the others' memberships closed (kept as history), in one
   * transaction and one version bump, so a refresh is one step of the universe's history.
   */
  replaceMembers(name: string, symbols: string[]): { universe: Universe; added: string[]; removed: string[] } {
    const syms = checkSymbols(symbols);
    const u = this.row(name);
    if (!u) throw new MpError('E_NOT_FOUND', `no universe "${name}"`);
    const current = new Set(this.toUniverse(u).symbols);
    const wanted = new Set(syms);
    const added = syms.filter((s) => !current.has(s)).sort();
    const removed = [...current].filter((s) => !wanted.has(s)).sort();
    const now = new Date().toISOString();
    if (added.length || removed.length) {
      this.db.transaction(() => {
        const ins = this.db.prepare(`INSERT INTO universe_members (universe_id, symbol, added_at) VALUES (?, ?, ?)`);
        const close = this.db.prepare(`UPDATE universe_members SET removed_at = ? WHERE universe_id = ? AND symbol = ? AND removed_at IS NULL`);
        for (const s of removed) close.run(now, u.id, s);
        for (const s of added) ins.run(u.id, s, now);
        this.bump(u.id, now);
      })();
    }
    return { universe: this.get(u.name), added, removed };
  }

  delete(name: string): void {
    const r = this.db.prepare(`DELETE FROM universes WHERE name = ? COLLATE NOCASE`).run(name.trim());
    if (r.changes === 0) throw new MpError('E_NOT_FOUND', `no universe "${name}"`);
  }

  private bump(id: number | bigint, now: string): void {
    this.db.prepare(`UPDATE universes SET version = version + 1, updated_at = ? WHERE id = ?`).run(now, id);
  }
}
