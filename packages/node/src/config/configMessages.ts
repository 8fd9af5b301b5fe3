import { createChannels, resolveEnvSecrets } from '../channels/channelConfig.js'
import type { SecretEnvironment } from '../channels/channelConfig.js'
import type { ServeMessagesOptions } from '../messages/serveMessages.js'
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
  return {
    channels: createChannels(config.channels, env),
    templates,
    baseUrl: config.messages.baseUrl,
    linkSecret,
    ...(config.messages.policy === undefined ? {} : { policy: config.messages.policy }),
  }
}
