import { deriveConfigSchema, messagePolicySchema } from '@ecrm/core'
import * as z from 'zod'
import { channelConfigSchema, envSecretSchema } from '../channels/channelConfig.js'
import { channelNameSchema } from '../channels/channelOptions.js'
import { destinationConfigSchema, destinationNameSchema } from '../destinations/destinationConfig.js'

/**
 * `ecrm.config.json`: what `ecrm serve` (and `ecrm refresh`) derive, run and expose. Every key
 * is optional; unknown keys are refused, so a typo is an error with its path, not a silent no-op.
 */
export const ecrmConfigSchema = deriveConfigSchema
  .extend({
    /** The full refresh: every `everyMinutes` under `ecrm serve` (0 turns the schedule off). */
    refresh: z.strictObject({ everyMinutes: z.number().min(0).optional() }).optional(),
    /** Rules: a path to a rules JSON file (relative to this file), or the rules inline. */
    rules: z.union([z.string().min(1), z.array(z.unknown())]).optional(),
    /** Segment ids the collector may tell a visitor's browser (see `exposeSegments`). */
    exposeSegments: z.array(z.string().min(1)).optional(),
    /** Channels by name (what `then.send[].channel` names), secrets as `{ "env": "NAME" }`. */
    channels: z.record(channelNameSchema, channelConfigSchema).optional(),
    /** Destinations by name (webhook, CRMs): each gets its own queue in the store; secrets as `{ "env": "NAME" }`. */
    destinations: z.record(destinationNameSchema, destinationConfigSchema).optional(),
    /** The folder of `<name>.<locale>.liquid` templates (relative to this file). */
    templates: z.string().min(1).optional(),
    /** How messages are sent: the links' public origin and secret, and the consent/caps/quiet-hours policy. */
    messages: z
      .strictObject({
        /** The collector's public origin (links in messages point at `<baseUrl>/v1/m/…`). */
        baseUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
        /** Signs open, click and unsubscribe links, and keys `offer.code`. */
        linkSecret: envSecretSchema,
        policy: messagePolicySchema.optional(),
      })
      .optional(),
  })
  .strict()
  .superRefine((config, context) => {
    // Channels without templates or link signing would render nothing and offer no unsubscribe.
    if (config.channels === undefined || Object.keys(config.channels).length === 0) return
    if (config.templates === undefined)
      context.addIssue({ code: 'custom', path: ['templates'], message: 'required when channels are configured' })
    if (config.messages === undefined)
      context.addIssue({
        code: 'custom',
        path: ['messages'],
        message: 'required when channels are configured (baseUrl, linkSecret)',
      })
  })

/** The parsed `ecrm.config.json`. */
export type EcrmConfig = z.infer<typeof ecrmConfigSchema>
