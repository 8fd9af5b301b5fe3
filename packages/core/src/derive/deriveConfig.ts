import * as z from 'zod'
import { leadModelSchema } from '../leads/leadModelSchema.js'

/**
 * What a store derives on every profile, as data (the `segments`, `leadModel`, `loyalty`, `rfm`
 * and `clv` keys of `ecrm.config.json`). Checked by zod where it comes from outside; the derive
 * functions import only the types.
 */

const segmentId = z.string().regex(/^[a-z0-9_]+$/, 'use a snake_case id')

/** A named segment: a JsonLogic condition over the profile (derived fields included). */
export const namedSegmentSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  /** JsonLogic over the profile, e.g. `{ ">=": [{ "var": "money.revenue" }, 500] }`. */
  when: z.unknown().refine((value) => value !== undefined, 'give a JsonLogic condition'),
})

const edges = z.array(z.number().finite()).length(4)

/** How RFM cuts the base (see `chooseRfmCutPoints`). */
export const rfmConfigSchema = z.strictObject({
  method: z.enum(['auto', 'quantile', 'fixed']).optional(),
  recencyEdgesDays: edges.optional(),
  frequencyEdges: edges.optional(),
  monetaryEdges: edges.optional(),
  minCustomers: z.number().int().positive().optional(),
})

/** How CLV is predicted. */
export const clvConfigSchema = z.strictObject({
  /** Days ahead to value each customer. @default 365 */
  horizonDays: z.number().positive().optional(),
  /** Annual discount rate, e.g. 0.1. @default 0 */
  discountRate: z.number().gt(-1).optional(),
  /** Share of revenue that is profit, 0–1. @default 1 */
  margin: z.number().min(0).max(1).optional(),
  /** Customers sampled for the BG/NBD and Gamma-Gamma fits. @default 50000 */
  sampleSize: z.number().int().min(100).optional(),
})

/** A loyalty program: points per currency unit spent, tiers by points. */
export const loyaltyConfigSchema = z.strictObject({
  /** Points per major currency unit of an order's total. @default 1 */
  pointsPerUnit: z.number().min(0).optional(),
  /** Flat points per completed order. @default 0 */
  pointsPerOrder: z.number().min(0).optional(),
  /** Tiers by points (the highest `minPoints` reached wins). */
  tiers: z.array(
    z.object({ id: segmentId, minPoints: z.number().min(0), earnMultiplier: z.number().positive().optional() }),
  ),
  /** Tiers count points earned in this many days. @default the whole history */
  tierWindowDays: z.number().positive().optional(),
})

/** Schema of a {@link DeriveConfig}. */
export const deriveConfigSchema = z.strictObject({
  /** Named segments by snake_case id. */
  segments: z.record(segmentId, namedSegmentSchema).optional(),
  /** @default defaultLeadModel */
  leadModel: leadModelSchema.optional(),
  /** No loyalty fields without a program. */
  loyalty: loyaltyConfigSchema.optional(),
  rfm: rfmConfigSchema.optional(),
  clv: clvConfigSchema.optional(),
})

/** What to derive on every stored profile. */
export type DeriveConfig = z.infer<typeof deriveConfigSchema>
/** A named segment of a {@link DeriveConfig}. */
export type NamedSegment = z.infer<typeof namedSegmentSchema>
/** The loyalty program of a {@link DeriveConfig}. */
export type LoyaltyConfig = z.infer<typeof loyaltyConfigSchema>
/** The CLV options of a {@link DeriveConfig}. */
export type ClvConfig = z.infer<typeof clvConfigSchema>
