/**
 * Reading ecrm events the way every CRM mapping needs: what kind of CRM change an event is, who
 * it is about, and which traits go to which vendor field.
 */
import type { EcrmEvent, JsonObject, JsonValue } from '../model/envelope.js'
import { ERASURE_EVENT_NAME } from '../model/erasure.js'

/** What a CRM does with an event. */
export type CrmAction = 'contact' | 'lead' | 'order' | 'erasure' | 'activity' | 'ignore'

/**
 * Sorts an event into the CRM change it stands for: `identify` → contact upsert, `Lead Captured`
 * → lead, `Order Completed` → deal/opportunity, `Data Erasure Requested` → erasure, other
 * tracks → activity (timeline/custom event); page, screen, group and alias are ignored.
 *
 * @example
 * crmActionOf({ type: 'track', event: 'Order Completed', ... }) // 'order'
 */
export function crmActionOf(event: EcrmEvent): CrmAction {
  if (event.type === 'identify') return 'contact'
  if (event.type !== 'track') return 'ignore'
  switch (event.event) {
    case 'Lead Captured':
      return 'lead'
    case 'Order Completed':
      return 'order'
    case ERASURE_EVENT_NAME:
      return 'erasure'
    default:
      return 'activity'
  }
}

/** The event's traits (identify) or `context.traits`, as a plain object. */
export function traitsOf(event: EcrmEvent): JsonObject {
  const own = event.type === 'identify' || event.type === 'group' ? event.traits : undefined
  const fromContext = (event.context as { traits?: unknown } | undefined)?.traits
  const base: JsonObject = isObject(fromContext) ? fromContext : {}
  return { ...base, ...(isObject(own) ? own : {}) }
}

/** The event's properties (track, page, screen), or an empty object. */
export function propertiesOf(event: EcrmEvent): JsonObject {
  const properties: unknown = 'properties' in event ? event.properties : undefined
  return isObject(properties) ? properties : {}
}

/**
 * What a lead form tells about a person: its `fields`, then its properties, then any traits
 * (so `email`, `first_name`, `company.name` in a form map like identify traits).
 */
export function leadTraitsOf(event: EcrmEvent): JsonObject {
  const properties = propertiesOf(event)
  const fields = isObject(properties.fields) ? properties.fields : {}
  return { ...fields, ...properties, ...traitsOf(event) }
}

/** The person's email: traits, then properties (a lead form, an erasure request), lower-cased. */
export function emailOf(event: EcrmEvent): string | undefined {
  const candidates = [traitsOf(event).email, propertiesOf(event).email]
  for (const value of candidates) {
    if (typeof value === 'string' && value.includes('@')) return value.trim().toLowerCase()
  }
  return undefined
}

/** Whether the event's consent says no to `category` (undecided is not a no). */
export function isConsentDenied(event: EcrmEvent, category: string): boolean {
  return event.context?.consent?.categories?.[category] === false
}

/** Epoch ms the event happened: `timestamp`, else `originalTimestamp`, else `fallback`. */
export function occurredAtOf(event: EcrmEvent, fallback: number): number {
  for (const text of [event.timestamp, event.originalTimestamp]) {
    if (text === undefined) continue
    const at = Date.parse(text)
    if (!Number.isNaN(at)) return at
  }
  return fallback
}

/** `YYYY-MM-DD` (UTC) of an epoch ms; what date fields (close dates) want. */
export function isoDate(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10)
}

/**
 * Which ecrm trait goes to which vendor field: keys are trait paths (`email`, `address.city`,
 * `company.name`), values the vendor's field name, or `null` to leave a default out.
 */
export type TraitsMap = Readonly<Record<string, string | null>>

/** The defaults with the user's entries on top (`null` removes a default). */
export function mergeTraitsMap(defaults: TraitsMap, overrides: TraitsMap | undefined): Record<string, string> {
  const merged: Record<string, string | null> = { ...defaults, ...(overrides ?? {}) }
  const result: Record<string, string> = {}
  for (const [path, field] of Object.entries(merged)) if (field !== null) result[path] = field
  return result
}

/**
 * Copies mapped traits to vendor fields. Only mapped paths are sent (CRMs refuse fields they do
 * not know); objects and arrays are skipped (no CRM field takes them as they are).
 *
 * @example
 * applyTraitsMap({ email: 'a@b.example', address: { city: 'Lyon' } }, { email: 'Email', 'address.city': 'MailingCity' })
 * // { Email: 'a@b.example', MailingCity: 'Lyon' }
 */
export function applyTraitsMap(
  traits: JsonObject,
  map: Readonly<Record<string, string>>,
): Record<string, string | number | boolean> {
  const fields: Record<string, string | number | boolean> = {}
  for (const [path, field] of Object.entries(map)) {
    const value = readPath(traits, path)
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fields[field] = value
  }
  return fields
}

/** Splits `name` into first and last name when only a full name is known. */
export function splitName(traits: JsonObject): { first?: string; last?: string } {
  const first = typeof traits.first_name === 'string' ? traits.first_name : undefined
  const last = typeof traits.last_name === 'string' ? traits.last_name : undefined
  if (first !== undefined || last !== undefined || typeof traits.name !== 'string') {
    return { ...(first === undefined ? {} : { first }), ...(last === undefined ? {} : { last }) }
  }
  const parts = traits.name.trim().split(/\s+/)
  if (parts.length === 1) return { last: parts[0] as string }
  return { first: parts.slice(0, -1).join(' '), last: parts[parts.length - 1] as string }
}

/** A number from a money-like property (number or numeric string), else undefined. */
export function amountOf(value: JsonValue | undefined): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value)
  return undefined
}

/** Groups items by a key, keeping first-seen order. */
export function groupBy<T, K extends string>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>()
  for (const item of items) {
    const key = keyOf(item)
    const list = groups.get(key)
    if (list === undefined) groups.set(key, [item])
    else list.push(item)
  }
  return groups
}

/** Cuts a list into chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = []
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size))
  return chunks
}

function readPath(value: JsonObject, path: string): JsonValue | undefined {
  let current: JsonValue | undefined = value
  for (const key of path.split('.')) {
    if (!isObject(current)) return undefined
    current = current[key]
  }
  return current
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
