import type { EcrmEvent } from '../model/envelope.js'
import type { RuleEvent } from './ruleTypes.js'

/**
 * The names under which calls other than `track` reach the rules, the same in the browser and on
 * the server. `Segment Entered` and `Segment Exited` come from the store's derivation (a customer
 * joined or left a named or RFM segment), with `segment_id` and `segment_kind` properties.
 */
export const RULE_EVENTS = {
  identify: 'Identify',
  page: 'Page Viewed',
  screen: 'Screen Viewed',
  segmentEntered: 'Segment Entered',
  segmentExited: 'Segment Exited',
} as const

/**
 * What the rule engine sees of an event, in every runtime: a `track` event under its own name;
 * an `identify` call as `Identify` with the traits as properties (a welcome rule says
 * `when: "Identify"`); a `page` call as `Page Viewed` and a `screen` call as `Screen Viewed`,
 * their `name` (and `category`) beside the properties; `group` and `alias` trigger no rule
 * (`null`). A rule event (no `type`, e.g. `Segment Entered`) passes as it is. The event's
 * `context.timezone` is kept, for quiet hours and schedules.
 *
 * @example
 * toRuleEvent({ type: 'identify', messageId: 'm-1', userId: 'u-1', traits: { email: 'a@b.example' } })
 * // { event: 'Identify', userId: 'u-1', anonymousId: undefined, properties: { email: 'a@b.example' } }
 */
export function toRuleEvent(event: EcrmEvent | RuleEvent): RuleEvent | null {
  if (!('type' in event)) return event
  let name: string
  let properties: Readonly<Record<string, unknown>>
  if (event.type === 'track') {
    name = event.event
    properties = event.properties ?? {}
  } else if (event.type === 'identify') {
    name = RULE_EVENTS.identify
    properties = event.traits ?? {}
  } else if (event.type === 'page' || event.type === 'screen') {
    name = RULE_EVENTS[event.type]
    const named = event.type === 'page' && event.category !== undefined ? { category: event.category } : {}
    properties = { ...event.properties, ...(event.name === undefined ? {} : { name: event.name }), ...named }
  } else {
    return null
  }
  const timezone = event.context?.timezone
  return {
    event: name,
    userId: event.userId,
    anonymousId: event.anonymousId,
    properties,
    ...(timezone === undefined ? {} : { context: { timezone } }),
  }
}
