/**
 * Channels as `ecrm.config.json` declares them: `{ "<name>": { "type": "smtp" | "kavenegar" |
 * "twilio" | "http-sms" | "web-push", ...options } }`, secrets written `{ "env": "NAME" }` and read from the
 * environment when the channels are created (never stored in the file).
 */
import { EcrmValidationError, toValidationIssues } from '@ecrm/core'
import type { Channel, ValidationIssue } from '@ecrm/core'
import * as z from 'zod'
import { channelNameSchema } from './channelOptions.js'
import { createHttpSmsChannel, httpSmsOptionsSchema } from './httpSmsChannel.js'
import { createKavenegarChannel, kavenegarOptionsSchema } from './kavenegarChannel.js'
import { createSmtpChannel, smtpOptionsSchema } from './smtpChannel.js'
import { createWebPushChannel, webPushOptionsSchema } from './webPushChannel.js'
import { createTwilioChannel, twilioOptionsSchema, hasOneTwilioSender, twilioSenderIssue } from './twilioChannel.js'

/** A secret in config: the name of the environment variable holding it, read at start. */
export const envSecretSchema = z.strictObject({
  env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'),
})

/** One configured channel; the key it is configured under is its name. */
export const channelConfigSchema = z.discriminatedUnion('type', [
  // The entry's key is its name, so `name` is not an option here.
  smtpOptionsSchema(envSecretSchema)
    .omit({ name: true })
    .extend({ type: z.literal('smtp') }),
  kavenegarOptionsSchema(envSecretSchema)
    .omit({ name: true })
    .extend({
      type: z.literal('kavenegar'),
      /** The secret last segment of the delivery URL set in Kavenegar's panel; `ecrm serve` answers `/v1/m/kavenegar/<statusToken>`. */
      statusToken: envSecretSchema.optional(),
    }),
  twilioOptionsSchema(envSecretSchema)
    .omit({ name: true })
    .extend({
      type: z.literal('twilio'),
      /** The account's auth token, which Twilio signs status callbacks with, when `authToken` is an API key's secret. @default authToken */
      statusAuthToken: envSecretSchema.optional(),
    })
    .refine(hasOneTwilioSender, twilioSenderIssue),
  httpSmsOptionsSchema(envSecretSchema)
    .omit({ name: true })
    .extend({ type: z.literal('http-sms') }),
  webPushOptionsSchema(envSecretSchema)
    .omit({ name: true })
    .extend({ type: z.literal('web-push') }),
])

/** A channel's entry in config. */
export type ChannelConfig = z.input<typeof channelConfigSchema>

/** The `channels` section of config: channels by name. */
export const channelsConfigSchema = z.record(channelNameSchema, channelConfigSchema)

type Factory = (options: never) => Channel
const factories = {
  smtp: createSmtpChannel as Factory,
  kavenegar: createKavenegarChannel as Factory,
  twilio: createTwilioChannel as Factory,
  'http-sms': createHttpSmsChannel as Factory,
  'web-push': createWebPushChannel as Factory,
} satisfies Record<ChannelConfig['type'], Factory>

/** The environment secrets are read from. */
export type SecretEnvironment = Readonly<Record<string, string | undefined>>

/** A secret as config gives it. */
export type EnvSecret = z.infer<typeof envSecretSchema>

function collectSecrets(
  value: unknown,
  env: SecretEnvironment,
  path: readonly (string | number)[],
  missing: ValidationIssue[],
): unknown {
  const secret = envSecretSchema.safeParse(value)
  if (secret.success) {
    const found = env[secret.data.env]
    if (found === undefined || found === '')
      missing.push({
        path: [...path],
        message: `environment variable ${secret.data.env} is not set`,
        code: 'missing_env',
      })
    return found ?? ''
  }
  if (Array.isArray(value)) return value.map((item, index) => collectSecrets(item, env, [...path, index], missing))
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, collectSecrets(item, env, [...path, key], missing)]),
  )
}

/**
 * Replaces every `{ env: NAME }` under `value` by `env[NAME]`; unset or empty variables throw one
 * `EcrmValidationError` naming each config path (`channels.email.auth.pass`) and its variable.
 */
export function resolveEnvSecrets(value: unknown, env: SecretEnvironment, path: readonly (string | number)[]): unknown {
  const missing: ValidationIssue[] = []
  const resolved = collectSecrets(value, env, path, missing)
  if (missing.length > 0) throw new EcrmValidationError('Missing secret', missing)
  return resolved
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
export function createChannels(
  config: Readonly<Record<string, ChannelConfig>>,
  env: SecretEnvironment,
): Record<string, Channel> {
  const parsed = channelsConfigSchema.safeParse(config)
  if (!parsed.success) {
    throw new EcrmValidationError('channels config', toValidationIssues(parsed.error, ['channels']))
  }
  const resolved = Object.entries(resolveEnvSecrets(config, env, ['channels']) as Record<string, unknown>)
  const channels: Record<string, Channel> = {}
  for (const [name, entry] of resolved) {
    // statusToken and statusAuthToken configure the collector's callback routes, not the channel.
    const {
      type,
      statusToken: _route,
      statusAuthToken: _signing,
      ...options
    } = entry as { type: keyof typeof factories } & Record<string, unknown>
    channels[name] = factories[type]({ ...options, name } as never)
  }
  return channels
}
