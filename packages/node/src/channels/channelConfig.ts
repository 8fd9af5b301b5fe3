/**
 * Channels as `ecrm.config.json` declares them: `{ "<name>": { "type": "smtp" | "kavenegar" |
 * "twilio" | "http-sms" | "web-push", ...options } }`, secrets written `{ "env": "NAME" }` and read from the
 * environment when the channels are created (never stored in the file).
 */
import { EcrmValidationError, toValidationIssues } from '@ecrm/core'
import type { Channel, ValidationIssue } from '@ecrm/core'
import { z } from 'zod'
import { createHttpSmsChannel, httpSmsOptionsSchema } from './httpSmsChannel.js'
import { createKavenegarChannel, kavenegarOptionsSchema } from './kavenegarChannel.js'
import { createSmtpChannel, smtpOptionsSchema } from './smtpChannel.js'
import { createWebPushChannel, webPushOptionsSchema } from './webPushChannel.js'
import { createTwilioChannel, twilioOptionsSchema, hasOneTwilioSender, twilioSenderIssue } from './twilioChannel.js'

/** A secret in config: the name of the environment variable that holds it. */
export const envSecretSchema = z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name') })

/** One configured channel; the key it is configured under is its name. */
export const channelConfigSchema = z.discriminatedUnion('type', [
  // The entry's key is its name, so `name` is not an option here.
  smtpOptionsSchema(envSecretSchema).omit({ name: true }).extend({ type: z.literal('smtp') }),
  kavenegarOptionsSchema(envSecretSchema).omit({ name: true }).extend({ type: z.literal('kavenegar') }),
  twilioOptionsSchema(envSecretSchema).omit({ name: true }).extend({ type: z.literal('twilio') }).refine(hasOneTwilioSender, twilioSenderIssue),
  httpSmsOptionsSchema(envSecretSchema).omit({ name: true }).extend({ type: z.literal('http-sms') }),
  webPushOptionsSchema(envSecretSchema).omit({ name: true }).extend({ type: z.literal('web-push') }),
])

/** A channel's entry in config. */
export type ChannelConfig = z.input<typeof channelConfigSchema>

/** The `channels` section of config: channels by name. */
export const channelsConfigSchema = z.record(z.string().regex(/^[a-z0-9_-]{1,64}$/, 'use 1-64 of a-z, 0-9, _ and -'), channelConfigSchema)

type Factory = (options: never) => Channel
const factories = {
  smtp: createSmtpChannel as Factory,
  kavenegar: createKavenegarChannel as Factory,
  twilio: createTwilioChannel as Factory,
  'http-sms': createHttpSmsChannel as Factory,
  'web-push': createWebPushChannel as Factory,
} satisfies Record<ChannelConfig['type'], Factory>

/** Replaces every `{ env: NAME }` with the variable's value, collecting the ones missing. */
function resolveSecrets(value: unknown, env: Readonly<Record<string, string | undefined>>, path: (string | number)[], missing: ValidationIssue[]): unknown {
  if (Array.isArray(value)) return value.map((item, index) => resolveSecrets(item, env, [...path, index], missing))
  if (value === null || typeof value !== 'object') return value
  const entries = Object.entries(value)
  if (entries.length === 1 && entries[0]?.[0] === 'env' && typeof entries[0][1] === 'string') {
    const secret = env[entries[0][1]]
    if (secret === undefined || secret === '') missing.push({ path, message: `environment variable ${entries[0][1]} is not set`, code: 'missing_secret' })
    return secret ?? ''
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, resolveSecrets(item, env, [...path, key], missing)]))
}

/**
 * Creates the configured channels, reading their secrets from `env` (usually `process.env`). A
 * missing variable, or options a factory refuses, throw `EcrmValidationError` naming the channel
 * and the path (`channels.sms.apiKey (environment variable KAVENEGAR_API_KEY is not set)`).
 *
 * @example
 * const channels = createChannels({ sms: { type: 'kavenegar', apiKey: { env: 'KAVENEGAR_API_KEY' }, sender: '10004346' } }, process.env)
 * createMessageSender({ store, channels })
 */
export function createChannels(config: Readonly<Record<string, ChannelConfig>>, env: Readonly<Record<string, string | undefined>>): Record<string, Channel> {
  const parsed = channelsConfigSchema.safeParse(config)
  if (!parsed.success) {
    throw new EcrmValidationError('channels config', toValidationIssues(parsed.error, ['channels']))
  }
  const missing: ValidationIssue[] = []
  const resolved = Object.entries(config).map(([name, entry]) => [name, resolveSecrets(entry, env, ['channels', name], missing)] as const)
  if (missing.length > 0) throw new EcrmValidationError('channels config: missing secrets', missing)
  const channels: Record<string, Channel> = {}
  for (const [name, entry] of resolved) {
    const { type, ...options } = entry as { type: keyof typeof factories } & Record<string, unknown>
    channels[name] = factories[type]({ ...options, name } as never)
  }
  return channels
}
