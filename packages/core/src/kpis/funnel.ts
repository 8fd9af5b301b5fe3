/** An event of one customer, as a funnel sees it. */
export interface FunnelEvent {
  readonly customerId: string
  /** The event name, e.g. `Product Viewed`. */
  readonly event: string
  /** Epoch ms. */
  readonly at: number
}

/** Options of {@link computeFunnel}. */
export interface FunnelOptions {
  /** The whole funnel must be completed within this many ms of its first step. @default no limit */
  readonly windowMs?: number
}

/** One step of a funnel and how many customers reached it. */
export interface FunnelStep {
  readonly step: string
  /** Customers who did every step up to this one, in order. */
  readonly customers: number
  /** `customers` ÷ customers at the first step, in [0, 1]; 0 when nobody started. */
  readonly rateFromStart: number
  /** `customers` ÷ customers at the previous step, in [0, 1]; 1 for the first step (0 if nobody). */
  readonly rateFromPrevious: number
}

/** How many steps, in order, one customer's time-sorted events complete from the start at `first`. */
function depthFrom(events: readonly FunnelEvent[], first: number, steps: readonly string[], windowMs: number): number {
  const startedAt = events[first]?.at ?? 0
  let depth = 1
  for (let index = first + 1; index < events.length && depth < steps.length; index += 1) {
    const event = events[index]
    if (event === undefined || event.at - startedAt > windowMs) break
    if (event.event === steps[depth]) depth += 1
  }
  return depth
}

/**
 * An ordered conversion funnel: for each step, the customers who did it after every earlier step
 * (in time order; equal times keep input order), optionally within `windowMs` of the first step.
 * Each customer counts once per step, at the deepest step any of their attempts reached.
 * No steps gives an empty list; no events, steps with 0 customers.
 *
 * Cost: with `windowMs`, every occurrence of the first step is tried as a start, so a customer
 * with k first steps and n events costs O(k·n).
 *
 * @example
 * computeFunnel(events, ['Product Viewed', 'Product Added', 'Checkout Started', 'Order Completed'])
 * // [{ step: 'Product Viewed', customers: 1000, rateFromStart: 1, rateFromPrevious: 1 }, ...]
 */
export function computeFunnel(
  events: readonly FunnelEvent[],
  steps: readonly string[],
  options: FunnelOptions = {},
): FunnelStep[] {
  const windowMs = options.windowMs ?? Number.POSITIVE_INFINITY
  const byCustomer = new Map<string, FunnelEvent[]>()
  for (const event of events) {
    const list = byCustomer.get(event.customerId) ?? []
    list.push(event)
    byCustomer.set(event.customerId, list)
  }
  const reached: number[] = steps.map(() => 0)
  for (const list of byCustomer.values()) {
    const sorted = [...list].sort((a, b) => a.at - b.at)
    let deepest = 0
    for (let index = 0; index < sorted.length && deepest < steps.length; index += 1) {
      if (sorted[index]?.event !== steps[0]) continue
      deepest = Math.max(deepest, depthFrom(sorted, index, steps, windowMs))
      // Without a window the earliest start can match everything a later one can.
      if (windowMs === Number.POSITIVE_INFINITY) break
    }
    for (let step = 0; step < deepest; step += 1) reached[step] = (reached[step] ?? 0) + 1
  }
  const started = reached[0] ?? 0
  return steps.map((step, index) => {
    const customers = reached[index] ?? 0
    const previous = index === 0 ? started : (reached[index - 1] ?? 0)
    return {
      step,
      customers,
      rateFromStart: started === 0 ? 0 : customers / started,
      rateFromPrevious: previous === 0 ? 0 : customers / previous,
    }
  })
}
