/**
 * Channels as `ecrm.config.json` declares them: `channels: { <name>: { type, ... } }`, secrets as
 * `{ "env": "NAME" }` so the file can be committed. One union member per channel type.
 */
import { EcrmValidationError } from '@ecrm/core'
import type { Channel } from '@ecrm/core'
import { z } from 'zod'
import { createSmtpChannel, smtpOptionsSchema } from './smtpChannel.js'

/** A secret in config: the name of the environment variable holding it, read at start. */
export const envSecretSchema = z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name') })

/** A secret as config gives it. */
export type EnvSecret = z.infer<typeof envSecretSchema>

/** One configured channel: a discriminated union on `type`. */
export const channelConfigSchema = z.discriminatedUnion('type', [
  smtpOptionsSchema(envSecretSchema).omit({ name: true }).extend({ type: z.literal('smtp') }),
])

/** One channel's config as written. */
export type ChannelConfig = z.input<typeof channelConfigSchema>

/** The environment secrets are read from. */
export type SecretEnvironment = Readonly<Record<string, string | undefined>>

/**
 * Replaces every `{ env: NAME }` under `value` by `env[NAME]`; a missing or empty variable is an
 * `EcrmValidationError` naming the config path (`channels.email.auth.pass`) and the variable.
 */
export function resolveEnvSecrets(value: unknown, env: SecretEnvironment, path: readonly (string | number)[]): unknown {
  const secret = envSecretSchema.safeParse(value)
  if (secret.success) {
    const found = env[secret.data.env]
    if (found === undefined || found === '') {
      throw new EcrmValidationError('Missing secret', [{ path: [...path], message: `environment variable ${secret.data.env} is not set`, code: 'missing_env' }])
    }
    return found
  }
  if (Array.isArray(value)) return value.map((item, index) => resolveEnvSecrets(item, env, [...path, index]))
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveEnvSecrets(item, env, [...path, key])]))
  }
  return value
}

/**
 * Builds the configured channels by name, secrets read from `env`. Throws (naming the path) when a
 * secret's variable is unset; nothing is left open then.
 *
 * @example
 * const channels = createChannels({ email: { type: 'smtp', host: 'smtp.shop.example', from: 'Shop <news@shop.example>', auth: { user: 'news', pass: { env: 'SMTP_PASSWORD' } } } }, process.env)
 */
export function createChannels(config: Readonly<Record<string, ChannelConfig>>, env: SecretEnvironment): Record<string, Channel> {
  const resolved = Object.entries(config).map(([name, channel]) => [name, resolveEnvSecrets(channel, env, ['channels', name])] as const)
  return Object.fromEntries(resolved.map(([name, channel]) => [name, createChannel(name, channel as { type: string })]))
}

function createChannel(name: string, config: { type: string }): Channel {
  const { type, ...options } = config
  switch (type) {
    case 'smtp':
      return createSmtpChannel({ ...(options as Parameters<typeof createSmtpChannel>[0]), name })
    default:
      throw new Error(`channels.${name}.type "${type}" has no factory`)
  }
}
