/** Debugging: the one logger of the adapters, and the trace of what a client does. */
export { createLogger } from './logger.js'
export type { LogSink, LoggerOptions } from './logger.js'
export { traceDelivery } from './traceDelivery.js'
export type { TracedPorts } from './traceDelivery.js'
