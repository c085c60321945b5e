// Public surface of the exchange calendar. Dates are exchange-local 'YYYY-MM-DD' strings; instants are UTC
// epoch milliseconds. Invalid or out-of-range input throws RangeError.
export {
  CALENDAR_FIRST_YEAR,
  CALENDAR_LAST_YEAR,
  CALENDAR_VERSION,
  clipToClosedSessions,
  EXCHANGE_TZ,
  earlyCloseName,
  exchangeDate,
  holidayName,
  isTradingDay,
  lastClosedSession,
  nextTradingDay,
  previousTradingDay,
  regularMinuteCount,
  sessionFor,
  sessionOf,
  tradingDays,
} from './nyse';
export type { Session, SessionPhase } from './nyse';
export { UNSCHEDULED_CLOSURES, UNSCHEDULED_EARLY_CLOSES } from './closures';
export type { UnscheduledClosure, UnscheduledEarlyClose } from './closures';
export { utcToZonedParts, zonedTimeToUtc } from '../../src-common/tz';
export type { ZonedParts } from '../../src-common/tz';
