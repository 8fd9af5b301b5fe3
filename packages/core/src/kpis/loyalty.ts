/** Something a member did that may earn or spend points. */
export interface LoyaltyActivity {
  /** What happened, matched by the earn rules' `on`: e.g. `order`, `review`, `signup`, `redeem`. */
  readonly type: string
  /** Epoch ms. */
  readonly at: number
  /** Money spent, in major currency units (for per-unit rules). */
  readonly amount?: number
  /** Points spent, for the redemption type. */
  readonly points?: number
}

/** How points are earned. Flat and per-unit points add up: `points + floor(amount × pointsPerUnit)`. */
export interface EarnRule {
  /** Names the rule in the ledger. */
  readonly id: string
  /** The activity type it applies to. */
  readonly on: string
  /** Flat points per activity. @default 0 */
  readonly points?: number
  /** Points per major currency unit of `amount` (1 = a point per euro). @default 0 */
  readonly pointsPerUnit?: number
  /** The rule applies only when `amount` is at least this. @default 0 */
  readonly minAmount?: number
  /** The rule applies at most this many times per member (e.g. 1 for a sign-up bonus). @default no limit */
  readonly maxTimes?: number
}

/** A tier, reached by qualifying points. */
export interface LoyaltyTier {
  readonly id: string
  /** Qualifying points needed. */
  readonly minPoints: number
  /** Multiplies the points earned while in this tier. @default 1 */
  readonly earnMultiplier?: number
}

/** A loyalty program. */
export interface LoyaltyProgram {
  readonly earnRules: readonly EarnRule[]
  /** In any order; the highest `minPoints` reached wins. */
  readonly tiers: readonly LoyaltyTier[]
  /** Tiers count points earned in this rolling window, ms (e.g. 365 days). @default a member's whole history */
  readonly tierWindowMs?: number
  /** The activity type that spends points. @default 'redeem' */
  readonly redeemType?: string
}

/** One line of the points ledger. */
export interface LoyaltyEntry {
  readonly at: number
  /** The earn rule, or the redeem type. */
  readonly source: string
  /** Points earned (positive) or spent (negative). */
  readonly points: number
}

/** Options of {@link computeLoyalty}. */
export interface LoyaltyOptions {
  /** Epoch ms: the moment the status is computed for. */
  readonly now: number
}

/** A member's standing at `now`. */
export interface LoyaltyStatus {
  /** Points available: earned − redeemed. */
  readonly balance: number
  readonly earned: number
  readonly redeemed: number
  /** Points earned within the tier window ending at `now`. */
  readonly qualifyingPoints: number
  /** The current tier, or null below the lowest one. */
  readonly tier: LoyaltyTier | null
  /** The next tier up, or null at the top. */
  readonly nextTier: LoyaltyTier | null
  /** Qualifying points still needed for `nextTier`; 0 at the top. */
  readonly pointsToNextTier: number
  /** Every earn and spend, oldest first: why the balance is what it is. */
  readonly ledger: LoyaltyEntry[]
}

// Money times a rate can land a hair below an integer (0.29 × 100 = 28.999…); do not lose the point.
const epsilon = 1e-9

function tierAt(tiers: readonly LoyaltyTier[], points: number): LoyaltyTier | null {
  let found: LoyaltyTier | null = null
  for (const tier of tiers)
    if (points >= tier.minPoints && (found === null || tier.minPoints > found.minPoints)) found = tier
  return found
}

/**
 * Replays a member's activities up to `now` through a program's earn rules: points per activity
 * (flat + floor(amount × rate), times the tier multiplier held at that moment, rounded down),
 * redemptions (never below a zero balance), the tier from qualifying points, and the gap to the
 * next tier. Activities after `now` are ignored. No activities gives a zero balance and the tier
 * for 0 points. Not handled: point expiry.
 *
 * @example
 * computeLoyalty(activities, { earnRules: [{ id: 'spend', on: 'order', pointsPerUnit: 1 }],
 *   tiers: [{ id: 'silver', minPoints: 0 }, { id: 'gold', minPoints: 500, earnMultiplier: 1.5 }] }, { now })
 */
export function computeLoyalty(
  activities: readonly LoyaltyActivity[],
  program: LoyaltyProgram,
  options: LoyaltyOptions,
): LoyaltyStatus {
  const { now } = options
  const redeemType = program.redeemType ?? 'redeem'
  const windowMs = program.tierWindowMs ?? Number.POSITIVE_INFINITY
  const ledger: LoyaltyEntry[] = []
  const used = new Map<string, number>()
  let earned = 0
  let redeemed = 0
  const qualifying = (at: number): number =>
    ledger.reduce(
      (sum, entry) => (entry.points > 0 && entry.at > at - windowMs && entry.at <= at ? sum + entry.points : sum),
      0,
    )

  const sorted = activities.filter((activity) => activity.at <= now).sort((a, b) => a.at - b.at)
  for (const activity of sorted) {
    if (activity.type === redeemType) {
      const points = Math.min(Math.max(0, activity.points ?? 0), earned - redeemed)
      if (points > 0) {
        redeemed += points
        ledger.push({ at: activity.at, source: redeemType, points: -points })
      }
      continue
    }
    const multiplier = tierAt(program.tiers, qualifying(activity.at))?.earnMultiplier ?? 1
    for (const rule of program.earnRules) {
      const times = used.get(rule.id) ?? 0
      if (rule.on !== activity.type || (activity.amount ?? 0) < (rule.minAmount ?? 0)) continue
      if (rule.maxTimes !== undefined && times >= rule.maxTimes) continue
      const base = (rule.points ?? 0) + Math.floor((activity.amount ?? 0) * (rule.pointsPerUnit ?? 0) + epsilon)
      const points = Math.floor(base * multiplier + epsilon)
      used.set(rule.id, times + 1)
      if (points <= 0) continue
      earned += points
      ledger.push({ at: activity.at, source: rule.id, points })
    }
  }

  const qualifyingPoints = qualifying(now)
  const tier = tierAt(program.tiers, qualifyingPoints)
  const above = program.tiers
    .filter((candidate) => candidate.minPoints > qualifyingPoints)
    .sort((a, b) => a.minPoints - b.minPoints)
  const nextTier = above[0] ?? null
  return {
    balance: earned - redeemed,
    earned,
    redeemed,
    qualifyingPoints,
    tier,
    nextTier,
    pointsToNextTier: nextTier === null ? 0 : nextTier.minPoints - qualifyingPoints,
    ledger,
  }
}
