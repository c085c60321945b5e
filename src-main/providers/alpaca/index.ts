// Public surface of the Alpaca provider.
export { ALPACA_DEFAULT_URL, ALPACA_FEEDS, ALPACA_MAX_LIMIT, ALPACA_RESILIENCE, ALPACA_TIMEFRAMES, alpacaProvider, buildBarsUrl, requestWindow } from './adapter';
export type { AlpacaBarsQuery } from './adapter';
