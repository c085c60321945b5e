import { z } from 'zod';
import { UniverseNameSchema, UniverseSchema } from './schemas';

// App quality: dynamic universes (rules over the lake), the lake's emptiness for empty states, and the desktop menu's
// commands to the renderer.

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

export const LakeStatusSchema = z.object({
  /** symbols with at least one session in the lake (any source) */
  symbols: z.number().int().nonnegative(),
  empty: z.boolean(),
});
export type LakeStatus = z.infer<typeof LakeStatusSchema>;

export const appRequests = {
  /** What a rule matches now, without saving anything. */
  'universe.preview': { arg: z.object({ sql: UniverseRuleSchema }).strict(), result: RuleMatchSchema },
  /** What a dynamic universe's rule matches now and how its members would change (nothing is applied). */
  'universe.evaluate': {
    arg: z.object({ name: UniverseNameSchema }).strict(),
    result: RuleMatchSchema.extend({ added: z.array(z.string()), removed: z.array(z.string()) }),
  },
  /** Applies a dynamic universe's rule: its members become what the rule matches (versioned adds and removes). */
  'universe.refresh': { arg: z.object({ name: UniverseNameSchema }).strict(), result: RuleChangeSchema },
  /** Creates a dynamic universe: the rule is run first, so a bad rule creates nothing. */
  'universe.createDynamic': {
    arg: z
      .object({
        name: UniverseNameSchema,
        rule: UniverseRuleSchema,
        exchange: z.string().trim().max(32).optional(),
        assetClass: z.string().trim().max(32).optional(),
        tags: z.array(z.string().trim().max(32)).max(50).optional(),
      })
      .strict(),
    result: RuleChangeSchema,
  },
  /** Sets a universe's rule and applies it, or (null) makes it static again, members kept. A bad rule changes nothing. */
  'universe.setRule': { arg: z.object({ name: UniverseNameSchema, rule: UniverseRuleSchema.nullable() }).strict(), result: RuleChangeSchema },
  /** Whether the lake holds any data, for the empty states. */
  'lake.status': { arg: z.object({}).strict(), result: LakeStatusSchema },
} as const;

export const MENU_ACTIONS = ['shortcuts', 'export', 'go'] as const;
export const AppMenuSchema = z.object({
  action: z.enum(MENU_ACTIONS),
  /** the page to open, for `go` */
  page: z
    .string()
    .regex(/^[a-z]{1,20}$/)
    .optional(),
});
export type AppMenuCommand = z.infer<typeof AppMenuSchema>;

export const appEvents = {
  /** Desktop only: a native menu item the renderer acts on (open a page, the shortcut list, export). */
  'app.menu': AppMenuSchema,
} as const;
