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
 * their `name` (and `category`) beside the properties (`undefined` when absent); `group` and `alias` trigger no rule
 * (`null`). A rule event (no `type`, e.g. `Segment Entered`) passes as it is. The event's
 * `context.timezone` is kept, for quiet hours and schedules.
 *
 * @example
 * toRuleEvent({ type: 'identify', messageId: 'm-1', userId: 'u-1', traits: { email: 'a@b.example' } })
 * // { event: 'Identify', userId: 'u-1', anonymousId: undefined, properties: { email: 'a@b.example' } }
 */
export function toRuleEvent(event: EcrmEvent | RuleEvent): RuleEvent | null {
  if (!('type' in event)) return event
  const { type } = event
  // Literals, not RULE_EVENTS: the browser bundle keeps only what this function needs.
  const name =
    type === 'track'
      ? event.event
      : type === 'identify'
        ? 'Identify'
        : type === 'page'
          ? 'Page Viewed'
          : type === 'screen'
            ? 'Screen Viewed'
            : null
  if (name === null) return null
  // A page or screen call (the only types left past the name).
  const view = event as {
    readonly properties?: Readonly<Record<string, unknown>>
    readonly name?: string
    readonly category?: string
  }
  const properties =
    type === 'track'
      ? event.properties
      : type === 'identify'
        ? event.traits
        : { ...view.properties, name: view.name, category: view.category }
  const timezone = event.context?.timezone
  return {
    event: name,
    userId: event.userId,
    anonymousId: event.anonymousId,
    properties: properties ?? {},
    ...(timezone === undefined ? {} : { context: { timezone } }),
  }
}
