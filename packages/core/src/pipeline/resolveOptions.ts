import { EcrmError } from '../errors.js'
import type { CoreClientOptions } from './clientTypes.js'
import { RETRY_DEFAULTS } from '../delivery/deliveryEngine.js'

/**
 * The client's checked options with every numeric default filled in. Consent, identity, library
 * and headers are read from the options as given: the consent gate and the identity apply their
 * own defaults, createCoreClient names the library, and {@link checkModes} checks the two modes.
 */
export interface ResolvedOptions {
  readonly writeKey: string
  readonly endpoint: string
  readonly batch: { readonly maxEvents: number; readonly maxBytes: number; readonly flushIntervalMs: number }
  readonly retry: {
    readonly maxAttempts: number
    readonly baseDelayMs: number
    readonly maxDelayMs: number
    readonly maxAgeMs: number
  }
  readonly limits: {
    readonly maxEvents: number
    readonly maxBytes: number
    readonly maxEventBytes: number
    readonly maxHeldEvents: number
  }
  readonly requestTimeoutMs: number
  readonly leaseMs: number
}

/** Counts: at least 1, floored to whole numbers. */
const COUNTS: ReadonlySet<string> = new Set(['maxEvents', 'maxAttempts', 'maxHeldEvents'])
/** Waits that may be 0 (flush or retry at once); every other number must be positive. */
const ZERO_ALLOWED: ReadonlySet<string> = new Set(['flushIntervalMs', 'baseDelayMs', 'maxDelayMs'])

/**
 * Fills defaults and checks the options. Throws {@link EcrmError} `invalid_options` for a
 * programmer error (no write key, an endpoint that is not http(s), a limit that is not a positive
 * number, a count below 1), naming the option and the fix. The message names no factory: browser
 * and node users reach this through their own.
 */
export function resolveOptions(options: CoreClientOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) fail('options', 'pass an object like { writeKey, endpoint }')
  const { writeKey, endpoint } = options
  if (typeof writeKey !== 'string' || writeKey.trim() === '') fail('writeKey', "pass your source's write key")
  if (typeof endpoint !== 'string' || !/^https?:\/\/[^/]/i.test(endpoint)) {
    fail('endpoint', `expected an http(s) URL like 'https://collect.shop.example', got ${JSON.stringify(endpoint)}`)
  }
  /** Reads each number of `defaults` from `given` (an options group, maybe missing), checked and named `prefix + name`. */
  const numbers = <T extends Record<string, number>>(given: unknown, defaults: T, prefix = ''): T => {
    const resolved: Record<string, number> = {}
    for (const [name, fallback] of Object.entries(defaults)) {
      const value = (given as Record<string, unknown> | null | undefined)?.[name]
      // The least value allowed: 1 for a count (0.5 would floor to 0), 0 for a wait, else anything above 0.
      const least = COUNTS.has(name) ? 1 : ZERO_ALLOWED.has(name) ? 0 : undefined
      if (value === undefined) resolved[name] = fallback
      else if (typeof value === 'number' && (least === undefined ? value > 0 : value >= least))
        resolved[name] = least === 1 ? Math.floor(value) : value
      else
        fail(
          prefix + name,
          `expected a number ${least === undefined ? 'above 0' : `of at least ${least}`}, got ${String(value)}`,
        )
    }
    return resolved as T
  }
  return {
    writeKey,
    endpoint,
    batch: numbers(options.batch, { maxEvents: 100, maxBytes: 500_000, flushIntervalMs: 5_000 }, 'batch.'),
    retry: numbers(options.retry, RETRY_DEFAULTS, 'retry.'),
    limits: numbers(
      options.limits,
      { maxEvents: 10_000, maxBytes: 5_000_000, maxEventBytes: 32_768, maxHeldEvents: 1_000 },
      'limits.',
    ),
    ...numbers(options, { requestTimeoutMs: 10_000, leaseMs: 30_000 }),
  }
}

/**
 * Checks the two mode options, `headers` and `identity`, as {@link resolveOptions} checks the
 * others. Only createCoreClient needs this: an adapter that calls createPipelineClient sets both
 * itself (the browser always sends CORS-simple requests and keeps a persisted identity).
 */
export function checkModes({ headers = 'simple', identity = 'persisted' }: CoreClientOptions): void {
  if (headers !== 'simple' && headers !== 'full') fail('headers', "expected 'simple' or 'full'")
  if (identity !== 'persisted' && identity !== 'none') fail('identity', "expected 'persisted' or 'none'")
}

/** Throws the `invalid_options` error for the option at `where`. Names no factory (see resolveOptions). */
function fail(where: string, detail: string): never {
  throw new EcrmError('invalid_options', `Invalid option: ${where} (${detail})`)
}
