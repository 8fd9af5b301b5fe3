/**
 * Destinations as `ecrm.config.json` declares them: `{ "<name>": { "type": "webhook" | "hubspot"
 * | "salesforce" | "zoho" | "dynamics" | "payamgostar", ...options } }`, secrets written
 * `{ "env": "NAME" }` and read from the environment at start, as the channels' are.
 */
import {
  EcrmValidationError,
  dynamicsDestination,
  hubspotDestination,
  payamgostarDestination,
  salesforceDestination,
  toValidationIssues,
  zohoDestination,
} from '@ecrm/core'
import type { Destination } from '@ecrm/core'
import * as z from 'zod'
import { envSecretSchema, resolveEnvSecrets } from '../channels/channelConfig.js'
import type { SecretEnvironment } from '../channels/channelConfig.js'
import { webhookDestination } from './webhookDestination.js'

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
const common = {
  /** The consent category an event needs (`context.consent.categories[category] !== false`). */
  category: z.string().min(1).optional(),
}
const traitsMap = z.record(z.string(), z.string().nullable()).optional()

/** One configured destination; the key it is configured under is its name. */
export const destinationConfigSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('webhook'),
    url: httpUrl,
    secret: envSecretSchema,
    batchSize: z.number().int().min(1).max(1000).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    ...common,
  }),
  z.strictObject({
    type: z.literal('hubspot'),
    accessToken: envSecretSchema,
    baseUrl: httpUrl.optional(),
    dealIdProperty: z.string().min(1).nullable().optional(),
    customEvents: z.record(z.string(), z.string()).optional(),
    traitsMap,
    ...common,
  }),
  z.strictObject({
    type: z.literal('salesforce'),
    loginUrl: httpUrl,
    clientId: z.string().min(1),
    clientSecret: envSecretSchema,
    /** Present: the refresh-token flow; absent: client credentials. */
    refreshToken: envSecretSchema.optional(),
    externalIdField: z.string().min(1).optional(),
    orderIdField: z.string().min(1).nullable().optional(),
    platformEvent: z.string().min(1).optional(),
    traitsMap,
    ...common,
  }),
  z.strictObject({
    type: z.literal('zoho'),
    clientId: z.string().min(1),
    clientSecret: envSecretSchema,
    refreshToken: envSecretSchema,
    accountsUrl: httpUrl.optional(),
    apiDomain: httpUrl.optional(),
    orderIdField: z.string().min(1).nullable().optional(),
    traitsMap,
    ...common,
  }),
  z.strictObject({
    type: z.literal('dynamics'),
    orgUrl: httpUrl,
    tenantId: z.string().min(1),
    clientId: z.string().min(1),
    clientSecret: envSecretSchema,
    authorityUrl: httpUrl.optional(),
    orderKeyColumn: z.string().min(1).nullable().optional(),
    activities: z.boolean().optional(),
    traitsMap,
    ...common,
  }),
  z.strictObject({
    type: z.literal('payamgostar'),
    serverUrl: httpUrl,
    username: z.string().min(1),
    password: envSecretSchema,
    typeKey: z.string().min(1).optional(),
    traitsMap,
    ...common,
  }),
])

/** A destination's entry in config. */
export type DestinationConfig = z.input<typeof destinationConfigSchema>

/** A destination's name: names its queue and its stats. */
export const destinationNameSchema = z.string().regex(/^[a-z0-9_-]{1,64}$/, 'use 1-64 of a-z, 0-9, _ and -')

/** The `destinations` section of config: destinations by name. */
export const destinationsConfigSchema = z.record(destinationNameSchema, destinationConfigSchema)

type Resolved = { readonly type: string } & Record<string, unknown>

/** Drops keys whose value is `undefined` (the factories' options are exact). */
function defined(options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined))
}

function create(name: string, entry: Resolved): Destination {
  const { type, ...options } = entry
  const named = defined({ ...options, name })
  switch (type) {
    case 'webhook':
      return webhookDestination(named as never)
    case 'hubspot':
      return hubspotDestination(named as never)
    case 'salesforce': {
      const { clientId, clientSecret, refreshToken, ...rest } = named as Record<string, string>
      const credentials =
        refreshToken === undefined
          ? { grant: 'client_credentials' as const, clientId: clientId as string, clientSecret: clientSecret as string }
          : {
              grant: 'refresh_token' as const,
              clientId: clientId as string,
              clientSecret: clientSecret as string,
              refreshToken,
            }
      return salesforceDestination({ ...rest, credentials } as never)
    }
    case 'zoho':
      return zohoDestination(named as never)
    case 'dynamics':
      return dynamicsDestination(named as never)
    default:
      return payamgostarDestination(named as never)
  }
}

/**
 * Creates the configured destinations, reading their secrets from `env` (usually
 * `process.env`). A bad entry or a missing variable throws `EcrmValidationError` naming the path
 * (`destinations.crm.password (environment variable PG_PASSWORD is not set)`).
 *
 * @example
 * const destinations = createDestinations({ crm: { type: 'payamgostar', serverUrl, username: 'ecrm', password: { env: 'PG_PASSWORD' } } }, process.env)
 */
export function createDestinations(
  config: Readonly<Record<string, DestinationConfig>>,
  env: SecretEnvironment,
): Destination[] {
  const parsed = destinationsConfigSchema.safeParse(config)
  if (!parsed.success)
    throw new EcrmValidationError('destinations config', toValidationIssues(parsed.error, ['destinations']))
  const resolved = resolveEnvSecrets(parsed.data, env, ['destinations']) as Record<string, Resolved>
  return Object.entries(resolved).map(([name, entry]) => create(name, entry))
}
