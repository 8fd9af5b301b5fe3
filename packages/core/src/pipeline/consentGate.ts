import type { KeyValueStore } from '../ports.js'
import type { EcrmEvent } from '../model/envelope.js'

/** Storage key of the persisted consent decisions (decisions only: never events). */
export const CONSENT_KEY = 'ecrm.consent'

/** What the gate says about one event. */
export type ConsentDecision = 'allow' | 'hold' | 'deny'

/** Options of {@link createConsentGate}. */
export interface ConsentGateOptions {
  readonly required: boolean
  readonly categoryOf: (event: EcrmEvent) => string
  readonly initial: Readonly<Record<string, boolean>>
  readonly storage: KeyValueStore
  /** Most events held; past it the oldest held event is dropped. */
  readonly maxHeld: number
  /** Called when `categoryOf` throws; the event then counts as `'analytics'`. */
  readonly onCategoryError: (error: unknown) => void
}

/** Events waiting for a decision, and the decisions themselves. */
export interface ConsentGate {
  readonly get: () => Record<string, boolean | undefined>
  /** The category of an event (never throws). */
  readonly categoryOf: (event: EcrmEvent) => string
  readonly decide: (category: string) => ConsentDecision
  /** Holds an event in memory; returns the event dropped to make room, if any. */
  readonly hold: (event: EcrmEvent, category: string) => EcrmEvent | undefined
  /** Records decisions; returns the held events now granted (in call order) and the number purged. */
  readonly set: (changes: Readonly<Record<string, boolean>>) => { readonly granted: EcrmEvent[]; readonly purged: number }
  readonly heldCount: () => number
  /** The `context.consent` value: the decided categories. */
  readonly contextValue: () => { categories: Record<string, boolean> }
}

/**
 * The consent gate. With `required`, an event whose category is undecided is held in memory —
 * not persisted, because nothing about a visitor may be stored before they agree — and sent
 * once granted; a denied category is never queued. Without `required`, only an explicit denial
 * stops events (opt-out).
 */
export function createConsentGate(options: ConsentGateOptions): ConsentGate {
  const readStored = (): Record<string, boolean> => {
    try {
      const text = options.storage.get(CONSENT_KEY)
      if (text === undefined) return {}
      const parsed: unknown = JSON.parse(text)
      if (typeof parsed !== 'object' || parsed === null) return {}
      return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, boolean] => typeof entry[1] === 'boolean'))
    } catch {
      return {}
    }
  }
  let decisions: Record<string, boolean> = { ...options.initial, ...readStored() }
  let held: { event: EcrmEvent; category: string }[] = []

  return {
    get: () => ({ ...decisions }),
    categoryOf(event) {
      try {
        const category = options.categoryOf(event)
        return typeof category === 'string' && category !== '' ? category : 'analytics'
      } catch (error) {
        options.onCategoryError(error)
        return 'analytics'
      }
    },
    decide(category) {
      const decision = decisions[category]
      if (decision === true) return 'allow'
      if (decision === false) return 'deny'
      return options.required ? 'hold' : 'allow'
    },
    hold(event, category) {
      held.push({ event, category })
      return held.length > options.maxHeld ? held.shift()?.event : undefined
    },
    set(changes) {
      decisions = { ...decisions, ...changes }
      try {
        options.storage.set(CONSENT_KEY, JSON.stringify(decisions))
      } catch {
        // Blocked storage: the decision holds for this session only.
      }
      const granted: EcrmEvent[] = []
      let purged = 0
      const kept: { event: EcrmEvent; category: string }[] = []
      for (const entry of held) {
        const decision = changes[entry.category]
        if (decision === true) granted.push(entry.event)
        else if (decision === false) purged += 1
        else kept.push(entry)
      }
      held = kept
      return { granted, purged }
    },
    heldCount: () => held.length,
    contextValue: () => ({ categories: { ...decisions } }),
  }
}
