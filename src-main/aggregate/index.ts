// Public surface of aggregation: coarser timeframes from the lake's 1m bars, published into the lake.
export { aggregate, AggregateArgSchema, AGGREGATE_TIMEFRAMES, dailySql, intradaySql, sourceSql } from './aggregate';
export type { AggregateArg, AggregateOptions, AggregateResult } from './aggregate';
