import type { DuckDBConnection } from '@duckdb/node-api';
import type { Adjustment, ProviderInfo, Timeframe } from '../contract/schemas';
import type { Logger } from '../shared/log';
import type { HttpClient, ResilienceOptions } from './http/types';

// Providers yield the lake's columnar batches (lake/batch.ts).
export { BAR_COLUMNS, type BarBatch, type BarColumn } from '../lake/batch';
import type { BarBatch } from '../lake/batch';
import type { DeliveryDuplicates } from './batch';

export interface FetchBarsRequest {
  symbol: string;
  timeframe: Timeframe;
  /** exchange-local dates, inclusive */
  start: string;
  end: string;
  feed: string;
  /** bars per page (the provider's page limit) */
  pageSize: number;
  /** price adjustment to ask for (providers that list it in info.adjustments) */
  adjustment?: Adjustment;
  /** csv: the file or folder to read */
  source?: string;
  /** csv: zone of timestamps without an offset */
  tz?: string;
}

/** Several symbols over one range, fetched together (see Provider.fetchGroup). */
export interface FetchGroupRequest extends Omit<FetchBarsRequest, 'symbol' | 'source' | 'tz'> {
  symbols: string[];
}

/** The range and shape of the units that share it, for Provider.groupSymbols. */
export interface GroupPlanRequest {
  timeframe: Timeframe;
  start: string;
  end: string;
  /** trading days in [start, end] */
  days: number;
  pageSize: number;
}

/**
 * One step of a group fetch: a page of one symbol's bars (ascending, after that symbol's earlier pages), or the word
 * that a symbol has all its bars. Every symbol asked for gets exactly one `done`, after all its bars.
 */
export type GroupEvent = { symbol: string; batch: BarBatch; done?: undefined } | { symbol: string; done: true; batch?: undefined };

export interface PrepareRequest {
  symbols: string[];
  timeframe: Timeframe | undefined;
  start: string | undefined;
  end: string | undefined;
  feed: string;
  source: string | undefined;
  tz: string | undefined;
}

/** What a source holds for an import (providers that read their own files): the start of the job's row accounting. */
export interface SourceRows {
  /** rows of the job's symbols in the requested range */
  received: number;
  /** of those, rows after the last closed session: not imported (the range ends there) */
  future: number;
  /** of the others, rows on days without a trading session, per symbol and exchange-local day */
  closedDays: Array<{ symbol: string; date: string; rows: number }>;
}

/** What an ingest will do once the provider has checked the request (and, for files, read them). */
export interface PreparedIngest {
  symbols: string[];
  timeframe: Timeframe;
  start: string;
  end: string;
  /** csv: the rows the source holds for the request, so the job can account for each of them */
  rows?: SourceRows;
}

export interface ProviderContext {
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** this provider's resilient HTTP client (rate limit, retries, breaker), shared by all its jobs in this process */
  http: HttpClient;
}

export type ProviderDescriptor = Omit<ProviderInfo, 'configured' | 'adjustments'> & { adjustments?: Adjustment[] };

export interface Provider {
  readonly info: ProviderDescriptor;
  readonly defaultPageSize: number;
  /** defaults sized to the provider's documented limits; network-less providers leave it out */
  readonly resilience?: ResilienceOptions;
  /** when the limits depend on the environment (a paid plan's rate): wins over `resilience` */
  resilienceFor?(env: NodeJS.ProcessEnv): ResilienceOptions;
  isConfigured(env: NodeJS.ProcessEnv): boolean;
  /**
   * Optional: checks a request before any job exists and fills what the provider can tell itself (the csv provider
   * reads and validates its files here, so a bad file changes nothing). Throws MpError E_BAD_INPUT with a clear
   * message. Without it, symbols, start and end are required and the timeframe defaults to 1m.
   */
  prepare?(req: PrepareRequest, ctx: Omit<ProviderContext, 'http'>): Promise<PreparedIngest>;
  /** Optional: frees what the provider keeps between calls (the csv provider's parsed files). Called at engine close. */
  close?(): Promise<void>;
  /** Optional: ends what the provider keeps only for speed (idle worker threads) while no job fetches; restarted on demand. */
  idle?(): Promise<void>;
  /** Pages of bars for one symbol, ascending by ts. Must honour ctx.signal. */
  fetchBars(req: FetchBarsRequest, ctx: ProviderContext): AsyncIterable<BarBatch>;
  /**
   * Optional, with fetchGroup: splits symbols that share one range into the groups to fetch together, so that a
   * request serves several symbols where the API allows it. A group of one is fetched with fetchBars().
   */
  groupSymbols?(req: GroupPlanRequest, symbols: string[], env: NodeJS.ProcessEnv): string[][];
  /**
   * Optional: the bars of several symbols over one range in as few requests as the API allows (Alpaca's multi-symbol
   * bars; Polygon's grouped daily bars). A symbol's `done` comes only once its last page arrived: the runner writes
   * and checkpoints each symbol's unit then, so a failure or cancel mid-group leaves the others to a resume.
   */
  fetchGroup?(req: FetchGroupRequest, ctx: ProviderContext): AsyncIterable<GroupEvent>;
  /**
   * Optional, preferred by the ingest runner when present: the bars fetchBars() would deliver for the request, as a
   * relation in the provider's own DuckDB, which the lake writer copies to Parquet without a trip through JS (the csv
   * provider's parsed files). null when the request has no bars. The caller must release() the unit.
   */
  openUnit?(req: FetchBarsRequest, ctx: ProviderContext): Promise<SqlUnit | null>;
}

/**
 * One unit's bars as SQL. `sql` is valid on `conn` and yields the BarBatch columns (ts in epoch ms, open, high, low,
 * close, volume, tradeCount, vwap), all DOUBLE, NaN for "not provided", exactly the rows fetchBars() would deliver:
 * in any order, but with no timestamp twice (the provider keeps the copy fetchBars() would keep).
 */
export interface SqlUnit {
  /** lent to the lake writer alone, for the write (it may be shared by the units of one source: writes are serialised) */
  conn: DuckDBConnection;
  sql: string;
  /** the rows come in ts order (the writer then does not sort a new partition) */
  ordered?: boolean;
  /** the repeated timestamps the provider's de-duplication dropped from the unit (absent: none) */
  duplicates?: DeliveryDuplicates;
  /** frees what the provider holds for the unit */
  release(): void;
}
