import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { compileLogic, EcrmValidationError, isEcrmError, parseJsonSafely } from '@ecrm/core'
import type { LogicRule, ValidationIssue } from '@ecrm/core'
import type { DeriveConfig, MessagePolicy, RuleDefinition } from '@ecrm/core'
import type { ChannelConfig, EnvSecret } from '../channels/channelConfig.js'
import type { DestinationConfig } from '../destinations/destinationConfig.js'
import { loadRules, parseRules } from '../rules/loadRules.js'
import { ecrmConfigSchema } from './configSchema.js'
import type { EcrmConfig } from './configSchema.js'

/** A checked `ecrm.config.json`, its rules read and validated. */
export interface LoadedConfig {
  /** What the store derives (segments, lead model, loyalty, RFM, CLV). */
  readonly derive: DeriveConfig
  /** Minutes between full refreshes under `ecrm serve`; 0 for none. @default 60 */
  readonly refreshEveryMinutes: number
  readonly rules: readonly RuleDefinition[]
  readonly exposeSegments: readonly string[]
  /** Channels by name, secrets still `{ env }` (read when `ecrm serve` starts them). */
  readonly channels: Readonly<Record<string, ChannelConfig>>
  /** Destinations by name, secrets still `{ env }` (read when `ecrm serve` starts them). */
  readonly destinations: Readonly<Record<string, DestinationConfig>>
  /** The templates folder, absolute (resolved against the config file's folder). */
  readonly templates: string | undefined
  /** Link origin, link secret and policy, when configured. */
  readonly messages:
    | { readonly baseUrl: string; readonly linkSecret: EnvSecret; readonly policy: MessagePolicy | undefined }
    | undefined
}

/**
 * Checks a parsed config. Throws `EcrmValidationError` with the path of every fault
 * (`segments.vip.when`, `rfm.recencyEdgesDays`, `[2].quietHours.start` under `rules`).
 * A `rules` path is read relative to `baseDir`.
 *
 * @example
 * const config = await parseConfig(JSON.parse(text), process.cwd())
 */
export async function parseConfig(value: unknown, baseDir: string): Promise<LoadedConfig> {
  const result = ecrmConfigSchema.safeParse(value)
  if (!result.success) {
    throw new EcrmValidationError(
      'Invalid config',
      result.error.issues.map((issue) => ({
        path: issue.path.filter((part): part is string | number => typeof part !== 'symbol'),
        message: issue.message,
        code: issue.code,
      })),
    )
  }
  const config: EcrmConfig = result.data
  const logicIssues: ValidationIssue[] = []
  for (const [id, segment] of Object.entries(config.segments ?? {})) {
    try {
      compileLogic(segment.when as LogicRule)
    } catch (error) {
      logicIssues.push({
        path: ['segments', id, 'when'],
        message: error instanceof Error ? error.message : String(error),
        code: 'invalid_logic',
      })
    }
  }
  if (logicIssues.length > 0) throw new EcrmValidationError('Invalid config', logicIssues)
  const { refresh, rules, exposeSegments, channels, destinations, templates, messages, ...derive } = config
  let ruleList: RuleDefinition[] = []
  try {
    ruleList =
      typeof rules === 'string'
        ? await loadRules(resolve(baseDir, rules))
        : rules === undefined
          ? []
          : parseRules(rules)
  } catch (error) {
    if (isEcrmError(error) && error instanceof EcrmValidationError) {
      throw new EcrmValidationError(
        `Invalid config (rules${typeof rules === 'string' ? ` from ${rules}` : ''})`,
        error.issues.map((issue) => ({ ...issue, path: ['rules', ...issue.path] })),
      )
    }
    throw error
  }
  return {
    derive,
    refreshEveryMinutes: refresh?.everyMinutes ?? 60,
    rules: ruleList,
    exposeSegments: exposeSegments ?? [],
    channels: channels ?? {},
    destinations: destinations ?? {},
    templates: templates === undefined ? undefined : resolve(baseDir, templates),
    messages:
      messages === undefined
        ? undefined
        : { baseUrl: messages.baseUrl, linkSecret: messages.linkSecret, policy: messages.policy },
  }
}

/** Reads and checks `ecrm.config.json` (see {@link parseConfig}); errors name the file. */
export async function loadConfig(path: string): Promise<LoadedConfig> {
  const parsed = parseJsonSafely(await readFile(path, 'utf8'))
  if (!parsed.ok) {
    throw new EcrmValidationError(`Invalid config file ${path}`, [
      { path: [], message: `malformed JSON: ${parsed.message}`, code: 'invalid_json' },
    ])
  }
  try {
    return await parseConfig(parsed.value, dirname(path))
  } catch (error) {
    if (isEcrmError(error) && error instanceof EcrmValidationError)
      throw new EcrmValidationError(`Invalid config file ${path}`, error.issues)
    throw error
  }
}
