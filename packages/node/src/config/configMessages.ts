import { EcrmValidationError, MESSAGE_LINKS_PREFIX } from '@ecrm/core'
import { createChannels, resolveEnvSecrets } from '../channels/channelConfig.js'
import type { ChannelConfig, SecretEnvironment } from '../channels/channelConfig.js'
import type { ServeMessagesOptions } from '../messages/serveMessages.js'
import type { StatusCallback } from '../messages/statusCallbackRoutes.js'
import { loadTemplates } from '../templates/loadTemplates.js'
import type { Templates } from '../templates/loadTemplates.js'
import type { LoadedConfig } from './loadConfig.js'

/** The link secret of a config (it also keys `offer.code`); `undefined` without `messages`. */
export function linkSecretOf(config: LoadedConfig, env: SecretEnvironment): string | undefined {
  return config.messages === undefined
    ? undefined
    : (resolveEnvSecrets(config.messages.linkSecret, env, ['messages', 'linkSecret']) as string)
}

/** Loads the config's template folder, `offer.code` keyed by the link secret. */
export async function templatesOf(config: LoadedConfig, env: SecretEnvironment): Promise<Templates | undefined> {
  if (config.templates === undefined) return undefined
  return loadTemplates({ folder: config.templates, offerSecret: linkSecretOf(config, env) ?? '' })
}

/**
 * What `ecrm serve` sends with: the channels built (secrets from `env`), the templates loaded and
 * checked, the link secret read. `undefined` when no channel is configured. Throws naming the
 * config path of a missing secret or the template file and line of a bad template.
 */
export async function serveMessagesOf(
  config: LoadedConfig,
  env: SecretEnvironment,
): Promise<ServeMessagesOptions | undefined> {
  if (Object.keys(config.channels).length === 0 || config.messages === undefined) return undefined
  const linkSecret = linkSecretOf(config, env)!
  const templates = (await templatesOf(config, env))!
  const channels = createChannels(config.channels, env)
  const statusCallbacks = statusCallbacksOf(config.channels, env)
  return {
    channels,
    templates,
    baseUrl: config.messages.baseUrl,
    linkSecret,
    statusCallbacks,
    ...(config.messages.policy === undefined ? {} : { policy: config.messages.policy }),
  }
}

/**
 * The delivery callbacks the channels ask for: a Twilio channel's `statusCallback` (answered at
 * its path, signature checked with the channel's auth token over the URL Twilio was given), and
 * one Kavenegar route per `statusToken` (channels sharing a token share the route). A
 * `statusCallback` outside the collector's `/v1/m/` routes throws naming the config path.
 */
export function statusCallbacksOf(
  channels: Readonly<Record<string, ChannelConfig>>,
  env: SecretEnvironment,
): StatusCallback[] {
  const callbacks: StatusCallback[] = []
  const kavenegar = new Map<string, string[]>()
  for (const [name, channel] of Object.entries(channels)) {
    if (channel.type === 'twilio' && channel.statusCallback !== undefined) {
      const url = new URL(channel.statusCallback)
      if (!url.pathname.startsWith(MESSAGE_LINKS_PREFIX)) {
        throw new EcrmValidationError('channels config', [
          {
            path: ['channels', name, 'statusCallback'],
            message: `must point at the collector's ${MESSAGE_LINKS_PREFIX} routes (e.g. ${url.origin}${MESSAGE_LINKS_PREFIX}twilio) for ecrm serve to answer it`,
            code: 'custom',
          },
        ])
      }
      if (channel.apiKeySid !== undefined && channel.statusAuthToken === undefined) {
        throw new EcrmValidationError('channels config', [
          {
            path: ['channels', name, 'statusAuthToken'],
            message:
              'required with apiKeySid and statusCallback: Twilio signs callbacks with the account auth token, not the API key secret',
            code: 'custom',
          },
        ])
      }
      const signing = channel.statusAuthToken ?? channel.authToken
      const authToken = resolveEnvSecrets(signing, env, [
        'channels',
        name,
        channel.statusAuthToken === undefined ? 'authToken' : 'statusAuthToken',
      ]) as string
      callbacks.push({ provider: 'twilio', path: url.pathname, publicOrigin: url.origin, authTokens: [authToken] })
    }
    if (channel.type === 'kavenegar' && channel.statusToken !== undefined) {
      const token = resolveEnvSecrets(channel.statusToken, env, ['channels', name, 'statusToken']) as string
      if (token.length < 16)
        throw new EcrmValidationError('channels config', [
          {
            path: ['channels', name, 'statusToken'],
            message: `environment variable ${channel.statusToken.env} must hold at least 16 characters`,
            code: 'custom',
          },
        ])
      kavenegar.set(token, [...(kavenegar.get(token) ?? []), name])
    }
  }
  for (const [token, names] of kavenegar) callbacks.push({ provider: 'kavenegar', token, channels: names })
  return callbacks
}
