import type { z } from 'zod'
import { crmEventSchemas } from './crmEvents.js'
import { ecommerceEventSchemas } from './ecommerceEvents.js'

/**
 * Every event name ecrm knows, with the schema of its `properties`: the Segment e-commerce v2
 * events and the CRM events. A `track` with another name is accepted with any JSON properties.
 *
 * @example
 * knownEventSchemas['Order Completed'].safeParse({ order_id: 'o-1', total: 42, currency: 'EUR' })
 */
export const knownEventSchemas = { ...ecommerceEventSchemas, ...crmEventSchemas } as const

/** A name in {@link knownEventSchemas}. */
export type KnownEventName = keyof typeof knownEventSchemas

/** The properties of a known event, inferred from its schema. */
export type KnownEventProperties<Name extends KnownEventName> = z.infer<(typeof knownEventSchemas)[Name]>

/** True when `name` is a key of {@link knownEventSchemas} (own key: `constructor` is not an event). */
export function isKnownEventName(name: string): name is KnownEventName {
  return Object.hasOwn(knownEventSchemas, name)
}

/** Squeezes a name to lower-case letters and digits: `order_completed` ~ `Order Completed`. */
function squeeze(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '')
}

let bySqueezedName: Map<string, KnownEventName> | undefined

/**
 * The known name an unknown name was probably meant to be (`order completed` → `Order Completed`),
 * or undefined. Names are case-sensitive on the wire, so a near miss is worth a warning.
 */
export function suggestEventName(name: string): KnownEventName | undefined {
  bySqueezedName ??= new Map(
    (Object.keys(knownEventSchemas) as KnownEventName[]).map((known) => [squeeze(known), known]),
  )
  return bySqueezedName.get(squeeze(name))
}
