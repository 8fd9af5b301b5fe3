import { profileLimits } from './emptyProfile.js'
import type { CurrencyTotals, CustomerProfile, SurveyAnswer } from './profileSchema.js'
import { isNewer, mergeCounts, unionUnique } from './profileCollections.js'
import { mergeActivity, mergeEvents } from './profileEvents.js'
import { addOrders, summarizeOrders } from './profileOrders.js'
import { mergeMessages } from './profileMessages.js'
import { mergeSessions } from './profileSessions.js'
import { addSurveyAnswers, mergeCampaigns, mergeConsent } from './profileSignals.js'

/**
 * Merges two profiles of one person (after identify or alias), keeping `a.id`.
 *
 * Commutative apart from `id` and the order of identity lists: traits and consent go to the
 * latest timestamp, first/last seen are min/max, sessions are re-clustered, orders are joined by
 * order id, counts add up. It assumes the two profiles saw different events: an event folded
 * into both is counted twice (the messageId sets are united, so it will not be counted again).
 *
 * @example
 * const merged = mergeProfiles(userProfile, anonymousProfile)
 */
export function mergeProfiles(a: CustomerProfile, b: CustomerProfile): CustomerProfile {
  const cap = profileLimits.identities
  const orders = addOrders(
    {
      ...a.orders,
      archived: mergeTotals(a.orders.archived, b.orders.archived),
      archivedFirstAt: minOf(a.orders.archivedFirstAt, b.orders.archivedFirstAt),
    },
    b.orders.recent,
  )
  return {
    version: 1,
    id: a.id,
    identities: {
      userIds: unionUnique(a.identities.userIds, b.identities.userIds, cap),
      anonymousIds: unionUnique(a.identities.anonymousIds, b.identities.anonymousIds, cap),
      emails: unionUnique(a.identities.emails, b.identities.emails, cap),
      groupIds: unionUnique(a.identities.groupIds, b.identities.groupIds, cap),
    },
    ...mergeTraits(a, b),
    firstSeenAt: minOf(a.firstSeenAt, b.firstSeenAt),
    lastSeenAt: maxOf(a.lastSeenAt, b.lastSeenAt),
    sessions: mergeSessions(a.sessions, b.sessions),
    pageViews: a.pageViews + b.pageViews,
    orders,
    money: summarizeOrders(orders),
    products: {
      viewed: mergeCounts(a.products.viewed, b.products.viewed, profileLimits.counts),
      bought: mergeCounts(a.products.bought, b.products.bought, profileLimits.counts),
    },
    categories: {
      viewed: mergeCounts(a.categories.viewed, b.categories.viewed, profileLimits.counts),
      bought: mergeCounts(a.categories.bought, b.categories.bought, profileLimits.counts),
    },
    campaigns: mergeCampaigns(a.campaigns, b.campaigns),
    consent: mergeConsent(a.consent, b.consent),
    surveys: addSurveyAnswers(a.surveys, surveysOf(b, a)),
    events: mergeEvents(a.events, b.events),
    activity: mergeActivity(a.activity, b.activity),
    ...messagesOf(mergeMessages(a.messages, b.messages)),
    seenMessageIds: unionUnique(a.seenMessageIds, b.seenMessageIds, profileLimits.seenMessageIds),
    skipped: a.skipped + b.skipped,
  }
}

function messagesOf(messages: CustomerProfile['messages']): Pick<CustomerProfile, 'messages'> {
  return messages === undefined ? {} : { messages }
}

function mergeTraits(a: CustomerProfile, b: CustomerProfile): Pick<CustomerProfile, 'traits' | 'traitTimes'> {
  const traits = { ...a.traits }
  const traitTimes = { ...a.traitTimes }
  for (const [key, at] of Object.entries(b.traitTimes)) {
    const value = b.traits[key] ?? null
    const known = traitTimes[key]
    if (known !== undefined && !isNewer(at, value, known, traits[key] ?? null)) continue
    if (known === undefined && Object.keys(traitTimes).length >= profileLimits.traits) continue
    traits[key] = value
    traitTimes[key] = at
  }
  return { traits, traitTimes }
}

/** b's answers not already in a (the latest NPS/CSAT may also sit in `recent`). */
function surveysOf(b: CustomerProfile, a: CustomerProfile): SurveyAnswer[] {
  const known = new Set([a.surveys.nps, a.surveys.csat, ...a.surveys.recent].map((answer) => JSON.stringify(answer)))
  const out: SurveyAnswer[] = []
  for (const answer of [b.surveys.nps, b.surveys.csat, ...b.surveys.recent]) {
    if (answer === null || known.has(JSON.stringify(answer))) continue
    known.add(JSON.stringify(answer))
    out.push(answer)
  }
  return out
}

function mergeTotals(
  a: Readonly<Record<string, CurrencyTotals>>,
  b: Readonly<Record<string, CurrencyTotals>>,
): Record<string, CurrencyTotals> {
  const out: Record<string, CurrencyTotals> = { ...a }
  for (const [key, totals] of Object.entries(b)) {
    const mine = out[key]
    out[key] = mine
      ? {
          orders: mine.orders + totals.orders,
          gross: mine.gross + totals.gross,
          refunds: mine.refunds + totals.refunds,
        }
      : totals
  }
  return out
}

function minOf(x: number | null, y: number | null): number | null {
  return x === null ? y : y === null ? x : Math.min(x, y)
}

function maxOf(x: number | null, y: number | null): number | null {
  return x === null ? y : y === null ? x : Math.max(x, y)
}
