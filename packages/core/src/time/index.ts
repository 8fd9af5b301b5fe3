/** Public surface of time helpers shared by the adapters. */
export { MAX_TIMER_DELAY_MS, withLongDelays } from './longDelays.js'
