import type { EcrmEvent, JsonObject, JsonValue } from '../model/envelope.js'
import { profileLimits } from './emptyProfile.js'
import type { CustomerProfile, OrderRecord } from './profileSchema.js'
import { addCount, addUnique, cleanString, isJsonObject, isNewer } from './profileCollections.js'
import { addActivity, recordEvent } from './profileEvents.js'
import { addOrders, orderRecordOf, summarizeOrders, type OrderEventKind } from './profileOrders.js'
import { addSessionHit } from './profileSessions.js'
import { isMessageLifecycleEvent } from '../messages/messageEvents.js'
import { addMessageEvent } from './profileMessages.js'
import { addCampaign, addConsent, addSurveyAnswers, surveyAnswerOf } from './profileSignals.js'

/** Options of {@link reduceProfile}. */
export interface ReduceProfileOptions {
  /**
   * Epoch ms used for an event without `timestamp`, `originalTimestamp`, `receivedAt` or
   * `sentAt`. Without it such an event is only counted in `skipped`.
   */
  readonly now?: number
}

const orderEvents: Readonly<Record<string, OrderEventKind>> = {
  'Order Completed': 'completed',
  'Order Refunded': 'refunded',
  'Order Cancelled': 'cancelled',
}

/**
 * Folds one event into a profile and returns the new profile; the input is not changed.
 *
 * Idempotent by `messageId` (the last {@link profileLimits.seenMessageIds} ids are remembered).
 * Order-independent for everything but capped lists: traits, consent and touches go to the
 * latest timestamp, first/last seen are min/max, sessions are clustered by time, counts add up.
 * Not guaranteed: once a cap is reached, what is evicted depends on arrival order.
 *
 * @example
 * const profile = events.reduce((p, e) => reduceProfile(p, e), emptyProfile('user-42'))
 * profile.money.orderCount // 3
 */
export function reduceProfile(
  profile: CustomerProfile,
  event: EcrmEvent,
  options: ReduceProfileOptions = {},
): CustomerProfile {
  if (profile.seenMessageIds.includes(event.messageId)) return profile
  const seenMessageIds = addUnique(profile.seenMessageIds, event.messageId, profileLimits.seenMessageIds)
  const at = eventTimeMs(event) ?? options.now ?? null
  if (at === null) return { ...profile, seenMessageIds, skipped: profile.skipped + 1 }
  // The system's record of a message is not the customer's doing: it must not reset "inactive
  // for N days" (lastSeenAt, sessions, day buckets), only the messages summary counts it.
  if (event.type === 'track' && isMessageLifecycleEvent(event.event)) {
    return { ...profile, seenMessageIds, ...withMessages(profile, event.event, at, event.properties ?? {}) }
  }

  let next: CustomerProfile = {
    ...profile,
    seenMessageIds,
    identities: addIdentities(profile.identities, event),
    firstSeenAt: Math.min(profile.firstSeenAt ?? Infinity, at),
    lastSeenAt: Math.max(profile.lastSeenAt ?? -Infinity, at),
    campaigns: addCampaign(profile.campaigns, event.context, at),
    consent: addConsent(profile.consent, event.context, at),
  }
  const contextTraits = event.context?.['traits']
  if (isJsonObject(contextTraits)) next = addTraits(next, contextTraits, at)
  if (event.type === 'identify' && event.traits) next = addTraits(next, event.traits, at)

  if (event.type === 'track' || event.type === 'page' || event.type === 'screen') {
    const name = event.type === 'track' ? event.event : `$${event.type}`
    const properties = activityProperties(event)
    next = {
      ...next,
      sessions: addSessionHit(next.sessions, event.context?.sessionId ?? null, at),
      pageViews: next.pageViews + (event.type === 'track' ? 0 : 1),
      events: recordEvent(next.events, name, at, properties),
      activity: addActivity(next.activity, event.messageId, name, at, properties),
    }
    if (event.type === 'track') {
      next = addCommerce(next, event.event, event.messageId, at, event.properties ?? {})
      next = { ...next, ...withMessages(next, event.event, at, event.properties ?? {}) }
    }
  } else {
    next = { ...next, events: recordEvent(next.events, `$${event.type}`, at, {}) }
  }
  return next
}

/** The `messages` field after a message event (none for other events or profiles without one). */
function withMessages(
  profile: CustomerProfile,
  name: string,
  at: number,
  properties: JsonObject,
): Pick<CustomerProfile, 'messages'> {
  const messages = addMessageEvent(profile.messages, name, at, properties)
  return messages === undefined ? {} : { messages }
}

/** The time of an event in epoch ms: timestamp, else originalTimestamp, receivedAt, sentAt. */
export function eventTimeMs(event: EcrmEvent): number | null {
  for (const text of [event.timestamp, event.originalTimestamp, event.receivedAt, event.sentAt]) {
    if (text === undefined) continue
    const at = Date.parse(text)
    if (Number.isFinite(at)) return at
  }
  return null
}

function addIdentities(identities: CustomerProfile['identities'], event: EcrmEvent): CustomerProfile['identities'] {
  const cap = profileLimits.identities
  let { userIds, anonymousIds, groupIds } = identities
  if (event.userId !== undefined) userIds = addUnique(userIds, event.userId, cap)
  if (event.anonymousId !== undefined) anonymousIds = addUnique(anonymousIds, event.anonymousId, cap)
  if (event.type === 'alias') userIds = addUnique(userIds, event.previousId, cap)
  if (event.type === 'group') groupIds = addUnique(groupIds, event.groupId, cap)
  let { emails } = identities
  const traits = event.type === 'identify' ? event.traits : undefined
  const contextTraits = event.context?.['traits']
  for (const source of [traits, isJsonObject(contextTraits) ? contextTraits : undefined]) {
    const email = cleanString(source?.['email'], 320)?.toLowerCase()
    if (email !== undefined && email.includes('@')) emails = addUnique(emails, email, cap)
  }
  return { userIds, anonymousIds, emails, groupIds }
}

function addTraits(profile: CustomerProfile, traits: JsonObject, at: number): CustomerProfile {
  const next = { ...profile.traits }
  const times = { ...profile.traitTimes }
  for (const [key, value] of Object.entries(traits)) {
    const known = times[key]
    if (known === undefined && Object.keys(times).length >= profileLimits.traits) continue
    if (known !== undefined && !isNewer(at, value, known, next[key] ?? null)) continue
    next[key] = typeof value === 'string' ? value.slice(0, profileLimits.stringLength) : value
    times[key] = at
  }
  return { ...profile, traits: next, traitTimes: times }
}

/** Properties kept for counting and scoring; page and screen calls also get `path` and `name`. */
function activityProperties(event: EcrmEvent): JsonObject {
  if (event.type === 'track') return event.properties ?? {}
  if (event.type !== 'page' && event.type !== 'screen') return {}
  const extra: JsonObject = {}
  const path: JsonValue | undefined = event.context?.page?.path
  if (path !== undefined) extra['path'] = path
  if (event.name !== undefined) extra['name'] = event.name
  return { ...extra, ...(event.properties ?? {}) }
}

function addCommerce(
  profile: CustomerProfile,
  name: string,
  messageId: string,
  at: number,
  properties: JsonObject,
): CustomerProfile {
  const counts = profileLimits.counts
  if (name === 'Product Viewed') {
    const product = cleanString(properties['product_id'], 200) ?? cleanString(properties['sku'], 200)
    const category = cleanString(properties['category'], 200)
    return {
      ...profile,
      products:
        product === null
          ? profile.products
          : { ...profile.products, viewed: addCount(profile.products.viewed, product, 1, counts) },
      categories:
        category === null
          ? profile.categories
          : { ...profile.categories, viewed: addCount(profile.categories.viewed, category, 1, counts) },
    }
  }
  if (name === 'Survey Responded') {
    const answer = surveyAnswerOf(properties, at)
    return answer === null ? profile : { ...profile, surveys: addSurveyAnswers(profile.surveys, [answer]) }
  }
  const kind = orderEvents[name]
  if (kind === undefined) return profile
  const orderId = cleanString(properties['order_id'], 200) ?? messageId
  const record: OrderRecord = orderRecordOf(kind, orderId, at, properties)
  const wasCompleted = profile.orders.recent.some((order) => order.id === orderId && order.completedAt !== null)
  const orders = addOrders(profile.orders, [record])
  const next = { ...profile, orders, money: summarizeOrders(orders) }
  return kind === 'completed' && !wasCompleted ? addBought(next, properties) : next
}

/** Counts the products and categories of a newly completed order (by quantity). */
function addBought(profile: CustomerProfile, properties: JsonObject): CustomerProfile {
  const lines = properties['products']
  if (!Array.isArray(lines)) return profile
  let products = profile.products.bought
  let categories = profile.categories.bought
  for (const line of lines) {
    if (!isJsonObject(line)) continue
    const quantity = typeof line['quantity'] === 'number' && line['quantity'] > 0 ? line['quantity'] : 1
    const product = cleanString(line['product_id'], 200) ?? cleanString(line['sku'], 200)
    const category = cleanString(line['category'], 200)
    if (product !== null) products = addCount(products, product, quantity, profileLimits.counts)
    if (category !== null) categories = addCount(categories, category, quantity, profileLimits.counts)
  }
  return {
    ...profile,
    products: { ...profile.products, bought: products },
    categories: { ...profile.categories, bought: categories },
  }
}
