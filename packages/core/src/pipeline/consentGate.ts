import type { KeyValueStore } from '../ports.js'
import type { EcrmEvent } from '../model/envelope.js'
import type { ConsentOptions } from './clientTypes.js'

/** Storage key of the persisted consent decisions (decisions only: never events). */
export const CONSENT_KEY = 'ecrm.consent'

/** What the gate says about one event. */
export type ConsentDecision = 'allow' | 'hold' | 'deny'

/** Options of {@link createConsentGate}: the client's consent options (their defaults applied here), plus what the client gives. */
export interface ConsentGateOptions extends ConsentOptions {
  readonly storage: KeyValueStore
  /** Most events held; past it the oldest held event is dropped. */
  readonly maxHeld: number
  /** Called when `categoryOf` throws; the event then counts as `'analytics'`. */
  readonly onCategoryError: (error: unknown) => void
}

/** Events waiting for a decision, and the decisions themselves. */
export interface ConsentGate {
  /** A copy of the decisions (also the `context.consent.categories` of each event). */
  readonly get: () => Record<string, boolean>
  /** The category of an event (never throws). */
  readonly categoryOf: (event: EcrmEvent) => string
  readonly decide: (category: string) => ConsentDecision
  /**
   * Holds an event in memory as its JSON text (a copy nothing can change); returns whether the
   * oldest held event was dropped to make room.
   */
  readonly hold: (payload: string, category: string) => boolean
  /**
   * Records and persists decisions; returns the JSON text of the held events now granted, in call
   * order. Held events of a denied category are purged.
   */
  readonly set: (changes: Readonly<Record<string, boolean>>) => string[]
  readonly heldCount: () => number
}

/**
 * The consent gate. With `required`, an event whose category is undecided is held in memory —
 * not persisted, because nothing about a visitor may be stored before they agree — and sent
 * once granted; a denied category is never queued. Without `required`, only an explicit denial
 * stops events (opt-out).
 */
export function createConsentGate(options: ConsentGateOptions): ConsentGate {
  const { storage, maxHeld } = options
  let decisions: Record<string, boolean> = { ...options.initial }
  try {
    // Persisted decisions win over the initial ones; stored values other than booleans are ignored.
    decisions = { ...decisions, ...pickDecisions(JSON.parse(storage.get(CONSENT_KEY) ?? '{}')) }
  } catch {
    // Unreadable or blocked storage: the initial decisions stand.
  }
  let held: { payload: string; category: string }[] = []

  return {
    get: () => ({ ...decisions }),
    categoryOf(event) {
      try {
        // No categoryOf, or one that names no category: 'analytics', the default.
        const category = options.categoryOf?.(event)
        return typeof category === 'string' && category !== '' ? category : 'analytics'
      } catch (error) {
        options.onCategoryError(error)
        return 'analytics'
      }
    },
    decide(category) {
      const decision = decisions[category]
      return decision === false ? 'deny' : decision === true || !options.required ? 'allow' : 'hold'
    },
    hold(payload, category) {
      held.push({ payload, category })
      return held.length > maxHeld && held.shift() !== undefined
    },
    set(changes) {
      decisions = { ...decisions, ...changes }
      try {
        storage.set(CONSENT_KEY, JSON.stringify(decisions))
      } catch {
        // Blocked storage: the decision holds for this session only.
      }
      const granted: string[] = []
      held = held.filter(({ payload, category }) => {
        const decision = changes[category]
        if (decision === true) granted.push(payload)
        return typeof decision !== 'boolean'
      })
      return granted
    },
    heldCount: () => held.length,
  }
}

/**
 * The decisions in `value`: its boolean entries. Each other entry goes to `onOther`; a value that
 * is not an object has none.
 */
export function pickDecisions(
  value: unknown,
  onOther?: (key: string, entry: unknown) => void,
): Record<string, boolean> {
  const decisions: Record<string, boolean> = {}
  for (const [key, entry] of Object.entries(typeof value === 'object' && value !== null ? value : {})) {
    if (typeof entry === 'boolean') decisions[key] = entry
    else onOther?.(key, entry)
  }
  return decisions
}
