// Public surface of the IEX Cloud-compatible provider.
export { IEX_PAGE_SIZE, IEX_RESILIENCE, IEX_TIMEFRAMES, dailyUrl, iexProvider, intradayUrl } from './adapter';
