import type { CustomerProfile } from './profileSchema.js'

/**
 * Caps that keep a profile bounded whatever a customer does. Past a cap the oldest (or least
 * counted) entries go first; aggregates (`money`, `sessions.count`, `events.totals`) stay exact.
 */
export const profileLimits = {
  /** Ids per identity list (userIds, anonymousIds, emails, groupIds). */
  identities: 50,
  /** Trait keys. */
  traits: 200,
  /** Sessions kept in `sessions.recent`. */
  sessions: 200,
  /** Orders kept in `orders.recent`; older ones fold into `orders.archived`. */
  orders: 200,
  /** Keys per count map (products, categories, channels, campaign names). */
  counts: 200,
  /** Survey answers kept. */
  surveys: 50,
  /** Event names tracked in `events`. */
  eventNames: 200,
  /** Daily buckets kept per event name, counted back from its newest day. */
  retentionDays: 400,
  /** Numeric properties summed per event name and day. */
  summedProperties: 16,
  /** Entries in `activity` (recent events for lead scoring). */
  activity: 300,
  /** Properties kept per activity entry. */
  activityProperties: 20,
  /** Longest string kept in an activity property or trait. */
  stringLength: 500,
  /** messageIds remembered for idempotency. */
  seenMessageIds: 1000,
} as const

/** Inactivity after which a visit without `context.sessionId` ends, in ms (30 minutes). */
export const SESSION_GAP_MS = 30 * 60 * 1000

/**
 * Creates a profile with nothing in it yet.
 *
 * @example
 * const profile = events.reduce(reduceProfile, emptyProfile('user-42'))
 */
export function emptyProfile(id: string): CustomerProfile {
  return {
    version: 1,
    id,
    identities: { userIds: [], anonymousIds: [], emails: [], groupIds: [] },
    traits: {},
    traitTimes: {},
    firstSeenAt: null,
    lastSeenAt: null,
    sessions: { count: 0, archived: 0, recent: [] },
    pageViews: 0,
    orders: { recent: [], archived: {}, archivedFirstAt: null },
    money: {
      currency: null,
      orderCount: 0,
      grossRevenue: 0,
      refunds: 0,
      revenue: 0,
      aov: 0,
      cancelledCount: 0,
      firstOrderAt: null,
      lastOrderAt: null,
      byCurrency: {},
    },
    products: { viewed: {}, bought: {} },
    categories: { viewed: {}, bought: {} },
    campaigns: { firstTouch: null, lastTouch: null, channels: {}, names: {} },
    consent: { categories: {}, gpc: null },
    surveys: { nps: null, csat: null, recent: [] },
    events: { totals: {}, days: {} },
    activity: [],
    seenMessageIds: [],
    skipped: 0,
  }
}
