import type { Logger } from '../ports.js'

/** Where log lines go: the runtime's console, or anything with its three methods. */
export interface LogSink {
  readonly debug: (...parts: unknown[]) => void
  readonly warn: (...parts: unknown[]) => void
  readonly error: (...parts: unknown[]) => void
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Also write the debug lines: what the client queues, sends, retries and drops. @default false */
  readonly debug?: boolean
}

/**
 * Creates the one ecrm {@link Logger}: every line prefixed `[ecrm]` on `sink`, debug lines only
 * when asked. The adapters pass their console (core cannot name one): `createNodeClient` under
 * `ECRM_DEBUG=1`, the browser client with `debug: true`.
 *
 * @example
 * const logger = createLogger(console, { debug: true })
 * logger.debug('sending 3 events: POST https://collect.shop.example/v1/batch')
 */
export function createLogger(sink: LogSink, { debug = false }: LoggerOptions = {}): Logger {
  const line =
    (write: (...parts: unknown[]) => void) =>
    (message: string, detail?: unknown): void =>
      detail === undefined ? write(`[ecrm] ${message}`) : write(`[ecrm] ${message}`, detail)
  return {
    debug: debug ? line(sink.debug) : () => undefined,
    warn: line(sink.warn),
    error: line(sink.error),
  }
}
