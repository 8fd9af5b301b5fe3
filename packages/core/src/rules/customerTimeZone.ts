import { readPath } from '../logic/semantics.js'
import { isValidTimeZone } from '../logic/timeZone.js'
import type { RuleEvent } from './ruleTypes.js'

/**
 * The IANA zone a rule keeps its local times in (quiet hours, schedules, calendar operators) for
 * one customer, the same in every runtime. The first valid zone of: the host's `override` (the
 * engine's `timeZoneOf`), the profile's `timezone`, its `traits.timezone`, the triggering event's
 * `context.timezone`, the rule's `timeZone`; else UTC. The customer's own settings come first
 * because a rule is written for many customers in many zones; the rule's zone is the fallback for
 * customers whose zone is unknown.
 *
 * @example
 * customerTimeZone({ traits: { timezone: 'Asia/Tehran' } }, null, 'Europe/Paris') // 'Asia/Tehran'
 */
export function customerTimeZone(
  profile: unknown,
  event: RuleEvent | null,
  ruleZone: string | null | undefined,
  override?: string,
): string {
  const candidates = [
    override,
    readPath(profile, ['timezone'], undefined),
    readPath(profile, ['traits', 'timezone'], undefined),
    event?.context?.timezone,
    ruleZone,
  ]
  for (const zone of candidates) if (typeof zone === 'string' && isValidTimeZone(zone)) return zone
  return 'UTC'
}
