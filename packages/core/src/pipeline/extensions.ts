import type { ValidationIssue } from '../errors.js'
import type { EcrmEvent } from '../model/envelope.js'
import type { ClientDestination, Plugin } from './clientTypes.js'
import type { Report } from './clientState.js'
import type { ConsentGate } from './consentGate.js'
import { sanitize } from './sanitize.js'

/**
 * Runs the plugins' `before` hooks in order, on an event they may change (a copy). Returns the
 * final event, or `null` when a plugin dropped it (a warning says which). A throwing plugin is
 * reported and skipped; the plugins' output is sanitised again, since plugin code can put
 * anything in.
 */
export function runPlugins(
  plugins: readonly Plugin[] | undefined,
  event: EcrmEvent,
  warnings: ValidationIssue[],
  report: Report,
): EcrmEvent | null {
  let current = event
  for (const plugin of plugins ?? []) {
    if (plugin.before === undefined) continue
    const where = `plugin "${plugin.name}"`
    let next: unknown
    try {
      next = plugin.before(current)
    } catch (error) {
      report('plugin_failed', `A plugin threw: ${where} (${String(error)}; the event went on unchanged)`, error)
      continue
    }
    if (next === null) {
      warnings.push({ path: [], code: 'dropped_by_plugin', message: `${where} dropped the event` })
      return null
    }
    if (typeof next === 'object' && !Array.isArray(next)) current = next as EcrmEvent
    else report('plugin_failed', `A plugin returned a non-event: ${where} (return the event, or null to drop it)`)
  }
  // Sanitised even when no plugin replaced the event: a plugin may have changed it in place.
  const cleaned = sanitize(current, [])
  warnings.push(...cleaned.issues)
  const value = cleaned.value as Record<string, unknown>
  // The idempotency key and the type are the pipeline's; a plugin cannot remove them.
  if (typeof value['messageId'] !== 'string' || value['messageId'] === '') value['messageId'] = event.messageId
  if (typeof value['type'] !== 'string') value['type'] = event.type
  return value as unknown as EcrmEvent
}

/**
 * Hands an accepted event to each destination whose consent category (if any) is granted.
 * Errors, sync or async, are reported, never thrown.
 */
export function notifyDestinations(
  destinations: readonly ClientDestination[] | undefined,
  event: EcrmEvent,
  gate: ConsentGate,
  report: Report,
): void {
  for (const destination of destinations ?? []) {
    if (destination.category !== undefined && gate.decide(destination.category) !== 'allow') continue
    const fail = (error: unknown): void =>
      report('destination_failed', `A destination failed: destination "${destination.name}" (${String(error)})`, error)
    try {
      // Promise.resolve also takes a plain (synchronous) return, so one catch covers both.
      Promise.resolve(destination.deliver(event)).catch(fail)
    } catch (error) {
      fail(error)
    }
  }
}
