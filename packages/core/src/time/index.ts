/** Public surface of time helpers shared by the adapters. */
export { MAX_TIMER_DELAY_MS, withLongDelays } from './longDelays.js'
export { DAY_MS, HOUR_MS } from './units.js'
