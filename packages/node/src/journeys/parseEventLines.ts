import { formatPath, toEpochMs, toRuleEvent, validateEvent } from '@ecrm/core'
import type { SimulatedEvent } from '@ecrm/core'

/** What {@link parseEventLines} gives: the events to replay, or the faults by line. */
export type ParsedEventLines =
  | { readonly ok: true; readonly events: SimulatedEvent[] }
  | { readonly ok: false; readonly faults: string[] }

/**
 * Reads NDJSON events (one Segment-spec event a line, as `/v1/batch` takes them, each with a
 * `timestamp`: the virtual clock runs on it) for the simulator. Every line goes through the
 * same `validateEvent` as ingest; `identify` traits accumulate into the profile the journey's
 * branches read (`profile.traits`), and `group`/`alias` reach no journey. Faults name the line
 * and the path: `line 3: timestamp (...)`.
 */
export function parseEventLines(text: string): ParsedEventLines {
  const events: SimulatedEvent[] = []
  const faults: string[] = []
  const traits = new Map<string, Record<string, unknown>>()
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return
    const where = `line ${index + 1}`
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch (error) {
      faults.push(`${where}: not JSON (${error instanceof Error ? error.message : String(error)})`)
      return
    }
    const checked = validateEvent(value)
    if (!checked.ok) {
      for (const issue of checked.issues) faults.push(`${where}: ${formatPath(issue.path)} (${issue.message})`)
      return
    }
    const at = toEpochMs(checked.event.timestamp, undefined)
    if (at === null) {
      faults.push(`${where}: timestamp (the simulator's clock needs an ISO-8601 timestamp on every event)`)
      return
    }
    const event = toRuleEvent(checked.event)
    const customerId = checked.event.userId ?? checked.event.anonymousId
    if (event === null || customerId === undefined) return
    if (checked.event.type === 'identify')
      traits.set(customerId, { ...traits.get(customerId), ...checked.event.traits })
    events.push({ at, event, profile: { traits: traits.get(customerId) ?? {} } })
  })
  return faults.length > 0 ? { ok: false, faults } : { ok: true, events }
}
