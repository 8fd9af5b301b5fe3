/** Pieces every channel's options share. */
import { EcrmValidationError, toValidationIssues } from '@ecrm/core'
import type { ChannelKind } from '@ecrm/core'
import * as z from 'zod'

/** A channel's name: how messages and rules refer to it (`then.send[].channel`). */
export const channelNameSchema = z.string().regex(/^[a-z0-9_-]{1,64}$/, 'use 1-64 of a-z, 0-9, _ and -')

/** Per-request timeout in ms. @default 15_000 */
export const timeoutMsSchema = z.number().int().min(100).max(600_000).default(15_000)

/**
 * Parses a factory's options, throwing `EcrmValidationError` naming the factory and each bad
 * option's path (`createSmtpChannel() options: auth.pass (...)`).
 */
export function parseChannelOptions<S extends z.ZodType>(factory: string, schema: S, options: unknown): z.output<S> {
  const result = schema.safeParse(options)
  if (!result.success) throw new EcrmValidationError(`${factory} options`, toValidationIssues(result.error))
  return result.data
}

/** The reason of an outcome, prefixed with the channel so logs and the outbox say where. */
export function channelReason(name: string, kind: ChannelKind, detail: string): string {
  return `${kind} channel ${name}: ${detail}`
}
