import { formatZodError, type DomainHandlers } from '../contract/dispatcher';
import { AGGREGATE_TIMEFRAMES, AggregateArgSchema, type AggregateArgInput, type AggregateResult } from '../contract/aggregate';
import type { Timeframe } from '../contract/schemas';
import type { LakeWriter } from '../lake/writer';
import type { EngineMetrics } from '../metrics';
import { MpError } from '../shared/errors';
import { aggregate } from './aggregate';

export type AggregateTimeframe = Exclude<Timeframe, '1m'>;

/** MP_AGGREGATE_TIMEFRAMES: what the pipeline builds after each 1m job (default all; "none" or empty: nothing). */
export function aggregateTimeframesFrom(raw: string | undefined): AggregateTimeframe[] {
  if (raw === undefined) return [...AGGREGATE_TIMEFRAMES];
  const list = raw.split(',').map((s) => s.trim()).filter((s) => s && s !== 'none');
  const bad = list.filter((s) => !(AGGREGATE_TIMEFRAMES as readonly string[]).includes(s));
  if (bad.length) throw new MpError('E_BAD_INPUT', `MP_AGGREGATE_TIMEFRAMES: unknown timeframe ${bad.join(', ')} (choose from ${AGGREGATE_TIMEFRAMES.join(', ')}, or none)`);
  return [...new Set(list)] as AggregateTimeframe[];
}

export interface AggregateDeps {
  barsRoot: string;
  /** the engine's lake writer (opening it bootstraps the data folder) */
  writer(): Promise<LakeWriter>;
  metrics: EngineMetrics;
}

/**
 * Builds coarser timeframes from the lake's 1m bars, published through the lake writer; timed as a stage. `jobId`: the
 * job whose pipeline stage this is (its files name it in the catalog); none for `marketpipe aggregate` and repair.
 */
export async function runAggregate(d: AggregateDeps, input: AggregateArgInput, signal?: AbortSignal, jobId?: string): Promise<AggregateResult> {
  const parsed = AggregateArgSchema.safeParse(input);
  if (!parsed.success) throw new MpError('E_BAD_INPUT', formatZodError(parsed.error));
  const endStage = d.metrics.startStage('aggregate');
  let writer: LakeWriter | undefined;
  try {
    writer = await d.writer();
    return await aggregate({ barsRoot: d.barsRoot, writer, timeframes: parsed.data.timeframes, scope: parsed.data.scope, signal, ...(jobId !== undefined ? { jobId } : {}) });
  } finally {
    endStage();
    // the writer's DuckDB keeps what aggregation used (up to WRITER_MEMORY) cached: given back, queued behind the writes
    // (best effort: a failure leaves memory cached, nothing else)
    void writer?.rest().catch(() => undefined);
  }
}

export function aggregateHandlers(run: (arg: AggregateArgInput, signal?: AbortSignal) => Promise<AggregateResult>): DomainHandlers<'aggregate'> {
  // an in-process caller (the CLI on Ctrl-C) may cancel; aggregation stops between partitions
  return { 'aggregate.run': async (arg, ctx) => run(arg, ctx.signal) };
}
