import { parseLocalTime } from '../rules/compileRule.js'
import { nextLocalTime } from '../rules/localCalendar.js'
import type { RuleSchedule } from '../rules/ruleSchema.js'

/**
 * When a schedule trigger should be checked next after `now`: the next local `daily` time, the
 * birthday's `at` (09:00 by default), the inactivity check's `at`, else the next local midnight.
 * Each occurrence starts one instance (see dueOccurrence), so an extra check never enters twice.
 */
export function nextScheduleCheck(schedule: RuleSchedule, now: number, timeZone: string): number {
  const at = 'daily' in schedule ? schedule.daily : 'birthday' in schedule ? (schedule.at ?? '09:00') : schedule.at
  return nextLocalTime(now, at === undefined ? 0 : parseLocalTime(at), timeZone)
}
