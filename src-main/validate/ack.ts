import type Database from 'better-sqlite3';
import { z } from 'zod';
import { AckKindSchema, type Ack, type AcknowledgeArg } from '../contract/validation';
import { MpError } from '../shared/errors';

// Acknowledgements (migration 0014): an analyst's "known, accepted" on one finding or on a rule for a symbol. They live
// apart from runs, so a finding acknowledged once stays acknowledged in every run that finds it again, later ones
// included. The findings loaded for the page carry the id of the acknowledgement that covers them (ack_id), kept in
// step here whenever an acknowledgement is made or undone, so hiding them is a plain indexed predicate.

const AckRowSchema = z.object({
  id: z.number().int(),
  kind: AckKindSchema,
  symbol: z.string(),
  rule: z.string(),
  note: z.string(),
  created_at: z.string(),
});

export function toAck(row: unknown): Ack {
  const r = AckRowSchema.parse(row);
  return { id: r.id, kind: r.kind, symbol: r.symbol, rule: r.rule, note: r.note, createdAt: r.created_at };
}

/**
 * The acknowledgement covering a finding row of validation_findings (referred to by its table name): its own first,
 * else its rule's for its symbol.
 */
const COVERING_ACK = `coalesce(
  (SELECT a.id FROM validation_acks a WHERE a.symbol = validation_findings.symbol AND a.rule = validation_findings.rule
     AND a.kind = 'finding' AND a.timeframe = validation_findings.timeframe AND a.ts = validation_findings.ts
     AND a.provider = coalesce(validation_findings.provider, '') AND a.feed = coalesce(validation_findings.feed, '')),
  (SELECT a.id FROM validation_acks a WHERE a.symbol = validation_findings.symbol AND a.rule = validation_findings.rule AND a.kind = 'rule'))`;

/** Sets ack_id on a run's freshly loaded findings (only rows whose symbol and rule have an acknowledgement are touched). */
export function applyAcksToRun(db: Database.Database, runId: string): void {
  db.prepare(
    `UPDATE validation_findings SET ack_id = ${COVERING_ACK}
     WHERE run_id = ? AND (symbol, rule) IN (SELECT symbol, rule FROM validation_acks)`,
  ).run(runId);
}

/** Re-derives ack_id of every loaded finding of (symbol, rule), after an acknowledgement of them changed. */
function refresh(db: Database.Database, symbol: string, rule: string): void {
  db.prepare(
    `UPDATE validation_findings SET ack_id = ${COVERING_ACK}
     WHERE run_id IN (SELECT run_id FROM validation_findings_runs) AND symbol = ? AND rule = ?`,
  ).run(symbol, rule);
}

const FindingKeySchema = z.object({
  symbol: z.string(),
  rule: z.string(),
  timeframe: z.string(),
  ts: z.string(),
  provider: z.string().nullable(),
  feed: z.string().nullable(),
});

export class AckStore {
  constructor(private readonly db: Database.Database) {}

  /**
   * Records an acknowledgement and hides what it covers. One finding is named by its run and place in the run's report
   * (the run's findings must be loaded: the page that shows the finding loaded them); it is stored by its bar, rule
   * and source, so the same finding in another run is covered too. Acknowledging twice the same thing is E_CONFLICT.
   */
  acknowledge(arg: AcknowledgeArg, now: Date = new Date()): Ack {
    let key: z.infer<typeof FindingKeySchema>;
    if (arg.kind === 'finding') {
      const row = this.db
        .prepare(`SELECT symbol, rule, timeframe, ts, provider, feed FROM validation_findings WHERE run_id = ? AND seq = ?`)
        .get(arg.runId, arg.seq);
      if (row === undefined) throw new MpError('E_NOT_FOUND', `run ${arg.runId} has no finding #${arg.seq}`);
      key = FindingKeySchema.parse(row);
    } else {
      key = { symbol: arg.symbol, rule: arg.rule, timeframe: '', ts: '', provider: '', feed: '' };
    }
    const insert = this.db.prepare(
      `INSERT INTO validation_acks (kind, symbol, rule, timeframe, ts, provider, feed, note, created_at)
       VALUES (@kind, @symbol, @rule, @timeframe, @ts, @provider, @feed, @note, @createdAt)
       ON CONFLICT DO NOTHING RETURNING *`,
    );
    return this.db.transaction(() => {
      const row = insert.get({ ...key, provider: key.provider ?? '', feed: key.feed ?? '', kind: arg.kind, note: arg.note, createdAt: now.toISOString() });
      if (row === undefined) {
        const what = arg.kind === 'rule' ? `${key.rule} for ${key.symbol}` : `this ${key.rule} finding of ${key.symbol} at ${key.ts}`;
        throw new MpError('E_CONFLICT', `${what} is already acknowledged`);
      }
      refresh(this.db, key.symbol, key.rule);
      return toAck(row);
    })();
  }

  /** Undoes an acknowledgement; its findings are shown again (unless another acknowledgement covers them). */
  remove(id: number): Ack {
    return this.db.transaction(() => {
      const row = this.db.prepare(`DELETE FROM validation_acks WHERE id = ? RETURNING *`).get(id);
      if (row === undefined) throw new MpError('E_NOT_FOUND', `no acknowledgement ${id} (already undone?)`);
      const ack = toAck(row);
      refresh(this.db, ack.symbol, ack.rule);
      return ack;
    })();
  }
}
