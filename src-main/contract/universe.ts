import { z } from 'zod';
import { SymbolCoverageSchema, UniverseNameSchema, UniverseSchema } from './schemas';

// The universe domain: named symbol lists, static or dynamic (a rule over the lake, run by the read-only query
// engine), versioned, with their coverage at a glance.

/** A universe rule: a SQL predicate over the per-symbol summary, or a whole SELECT returning a symbol column. */
export const UniverseRuleSchema = z.string().trim().min(1, 'give a rule').max(10_000);

export const RuleMatchSchema = z.object({
  kind: z.enum(['predicate', 'query']),
  symbols: z.array(z.string()),
  ignored: z.array(z.string()),
  elapsedMs: z.number().nonnegative(),
});

export const RuleChangeSchema = z.object({
  universe: UniverseSchema,
  added: z.array(z.string()),
  removed: z.array(z.string()),
});

const Name = z.object({ name: UniverseNameSchema }).strict();
const Meta = {
  exchange: z.string().trim().max(32).optional(),
  assetClass: z.string().trim().max(32).optional(),
  tags: z.array(z.string().trim().max(32)).max(50).optional(),
};

export const universeRequests = {
  'universe.list': { arg: z.object({}).strict(), result: z.array(UniverseSchema) },
  'universe.get': { arg: Name, result: UniverseSchema },
  'universe.create': {
    arg: z.object({ name: UniverseNameSchema, symbols: z.array(z.string()).max(10_000).default([]), ...Meta }).strict(),
    result: UniverseSchema,
  },
  'universe.add': {
    arg: z.object({ name: UniverseNameSchema, symbols: z.array(z.string()).min(1).max(10_000) }).strict(),
    result: z.object({ universe: UniverseSchema, added: z.array(z.string()) }),
  },
  'universe.remove': {
    arg: z.object({ name: UniverseNameSchema, symbols: z.array(z.string()).min(1).max(10_000) }).strict(),
    result: z.object({ universe: UniverseSchema, removed: z.array(z.string()) }),
  },
  'universe.rename': { arg: z.object({ name: UniverseNameSchema, to: UniverseNameSchema }).strict(), result: UniverseSchema },
  'universe.update': {
    arg: z
      .object({
        name: UniverseNameSchema,
        exchange: z.string().trim().max(32).nullable().optional(),
        assetClass: z.string().trim().max(32).nullable().optional(),
        tags: z.array(z.string().trim().max(32)).max(50).optional(),
      })
      .strict(),
    result: UniverseSchema,
  },
  /** Adds the symbols of a CSV text (symbol/ticker column or one per line) to a universe, created if new. */
  'universe.import': {
    arg: z.object({ name: UniverseNameSchema, csv: z.string().max(5_000_000) }).strict(),
    result: z.object({ universe: UniverseSchema, imported: z.number().int(), rejected: z.array(z.object({ line: z.number().int(), value: z.string(), reason: z.string() })) }),
  },
  'universe.export': { arg: Name, result: z.object({ filename: z.string(), csv: z.string() }) },
  /** Each symbol's coverage at a glance. */
  'universe.coverage': {
    arg: z.object({ name: UniverseNameSchema, provider: z.string().trim().min(1).max(32).optional(), feed: z.string().trim().min(1).max(40).optional() }).strict(),
    result: z.array(SymbolCoverageSchema),
  },
  'universe.delete': { arg: Name, result: z.object({ deleted: z.literal(true) }) },
  /** What a rule matches now, without saving anything. */
  'universe.preview': { arg: z.object({ sql: UniverseRuleSchema }).strict(), result: RuleMatchSchema },
  /** What a dynamic universe's rule matches now and how its members would change (nothing is applied). */
  'universe.evaluate': { arg: Name, result: RuleMatchSchema.extend({ added: z.array(z.string()), removed: z.array(z.string()) }) },
  /** Applies a dynamic universe's rule: its members become what the rule matches (versioned adds and removes). */
  'universe.refresh': { arg: Name, result: RuleChangeSchema },
  /** Creates a dynamic universe: the rule is run first, so a bad rule creates nothing. */
  'universe.createDynamic': { arg: z.object({ name: UniverseNameSchema, rule: UniverseRuleSchema, ...Meta }).strict(), result: RuleChangeSchema },
  /** Sets a universe's rule and applies it, or (null) makes it static again, members kept. A bad rule changes nothing. */
  'universe.setRule': { arg: z.object({ name: UniverseNameSchema, rule: UniverseRuleSchema.nullable() }).strict(), result: RuleChangeSchema },
} as const;
