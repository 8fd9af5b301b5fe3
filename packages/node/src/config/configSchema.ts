import { deriveConfigSchema } from '@ecrm/core'
import * as z from 'zod'

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
  })
  .strict()

/** The parsed `ecrm.config.json`. */
export type EcrmConfig = z.infer<typeof ecrmConfigSchema>
