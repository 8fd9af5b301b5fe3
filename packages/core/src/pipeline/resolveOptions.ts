import { EcrmError } from '../errors.js'
import type { EcrmEvent } from '../model/envelope.js'
import type { CoreClientOptions } from './clientTypes.js'

/** The client's options with every default filled in. */
export interface ResolvedOptions {
  readonly writeKey: string
  readonly endpoint: string
  readonly library: { readonly name: string; readonly version: string }
  readonly batch: { readonly maxEvents: number; readonly maxBytes: number; readonly flushIntervalMs: number }
  readonly retry: { readonly maxAttempts: number; readonly baseDelayMs: number; readonly maxDelayMs: number; readonly maxAgeMs: number }
  readonly limits: { readonly maxEvents: number; readonly maxBytes: number; readonly maxEventBytes: number; readonly maxHeldEvents: number }
  readonly requestTimeoutMs: number
  readonly leaseMs: number
  readonly headers: 'simple' | 'full'
  readonly consent: {
    readonly required: boolean
    readonly categoryOf: (event: EcrmEvent) => string
    readonly initial: Readonly<Record<string, boolean>>
  }
  readonly identity: 'persisted' | 'none'
}

/** The library named in `context.library` when the adapter names none. */
export const DEFAULT_LIBRARY = { name: '@ecrm/core', version: '0.1.0' } as const

const SEVEN_DAYS_MS = 7 * 24 * 60 * 60 * 1000

/**
 * Fills defaults and checks the options. Throws {@link EcrmError} `invalid_options` for a
 * programmer error (no write key, an endpoint that is not http(s), a limit that is not a positive
 * number), naming the option and the fix.
 */
export function resolveOptions(options: CoreClientOptions): ResolvedOptions {
  const fail = (where: string, detail: string): never => {
    throw new EcrmError('invalid_options', `createCoreClient() got invalid options: ${where} (${detail})`)
  }
  if (typeof options !== 'object' || options === null) fail('options', 'pass an object like { writeKey, endpoint }')
  if (typeof options.writeKey !== 'string' || options.writeKey.trim() === '') {
    fail('writeKey', 'pass the non-empty write key of your source')
  }
  if (typeof options.endpoint !== 'string' || !/^https?:\/\/[^/]/i.test(options.endpoint)) {
    fail('endpoint', `expected an http(s) URL like 'https://collect.shop.example', got ${JSON.stringify(options.endpoint)}`)
  }
  const positive = (where: string, value: number | undefined, fallback: number, allowZero = false): number => {
    if (value === undefined) return fallback
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || (!allowZero && value === 0)) {
      fail(where, `expected a ${allowZero ? 'non-negative' : 'positive'} number, got ${String(value)}`)
    }
    return value
  }
  const batch = options.batch ?? {}
  const retry = options.retry ?? {}
  const limits = options.limits ?? {}
  const consent = options.consent ?? {}
  if (options.headers !== undefined && options.headers !== 'simple' && options.headers !== 'full') {
    fail('headers', "expected 'simple' or 'full'")
  }
  if (options.identity !== undefined && options.identity !== 'persisted' && options.identity !== 'none') {
    fail('identity', "expected 'persisted' or 'none'")
  }
  return {
    writeKey: options.writeKey,
    endpoint: options.endpoint,
    library: options.library ?? DEFAULT_LIBRARY,
    batch: {
      maxEvents: Math.floor(positive('batch.maxEvents', batch.maxEvents, 100)),
      maxBytes: positive('batch.maxBytes', batch.maxBytes, 500_000),
      flushIntervalMs: positive('batch.flushIntervalMs', batch.flushIntervalMs, 5_000, true),
    },
    retry: {
      maxAttempts: Math.floor(positive('retry.maxAttempts', retry.maxAttempts, 10)),
      baseDelayMs: positive('retry.baseDelayMs', retry.baseDelayMs, 1_000, true),
      maxDelayMs: positive('retry.maxDelayMs', retry.maxDelayMs, 300_000, true),
      maxAgeMs: positive('retry.maxAgeMs', retry.maxAgeMs, SEVEN_DAYS_MS),
    },
    limits: {
      maxEvents: Math.floor(positive('limits.maxEvents', limits.maxEvents, 10_000)),
      maxBytes: positive('limits.maxBytes', limits.maxBytes, 5_000_000),
      maxEventBytes: positive('limits.maxEventBytes', limits.maxEventBytes, 32_768),
      maxHeldEvents: Math.floor(positive('limits.maxHeldEvents', limits.maxHeldEvents, 1_000)),
    },
    requestTimeoutMs: positive('requestTimeoutMs', options.requestTimeoutMs, 10_000),
    leaseMs: positive('leaseMs', options.leaseMs, 30_000),
    headers: options.headers ?? 'simple',
    consent: {
      required: consent.required ?? false,
      categoryOf: consent.categoryOf ?? (() => 'analytics'),
      initial: consent.initial ?? {},
    },
    identity: options.identity ?? 'persisted',
  }
}
