import type { JourneyAction, JourneyOutcome, SimulatedCustomer, SimulatedEntry } from '@ecrm/core'

/** One line of a customer's replay as `ecrm simulate --json` prints it (`at` in ISO-8601). */
export type SimulationLine = { readonly at: string } & (
  | { readonly kind: 'action'; readonly action: JourneyAction }
  | { readonly kind: 'outcome'; readonly outcome: JourneyOutcome }
)

/** The `--json` document: every customer's timeline, waits included. */
export function simulationJson(journeyId: string, customers: readonly SimulatedCustomer[]) {
  return {
    journey: journeyId,
    sent: false,
    customers: customers.map((customer) => ({
      customerId: customer.customerId,
      timeline: customer.timeline.map((entry): SimulationLine => ({ ...entry, at: new Date(entry.at).toISOString() })),
    })),
  }
}

function describeAction(action: JourneyAction): string {
  switch (action.type) {
    case 'send':
      return `send ${action.channel} "${action.template}" (${action.category}, key ${action.idempotencyKey})`
    case 'set_trait':
      return `set trait ${action.trait} = ${JSON.stringify(action.value)} (key ${action.idempotencyKey})`
    case 'set_consent':
      return `set consent ${action.category} ${action.granted ? 'granted' : 'denied'} (key ${action.idempotencyKey})`
    case 'call':
      return `call ${action.destination} with "${action.event.event}" (key ${action.idempotencyKey})`
  }
}

function describeOutcome(outcome: JourneyOutcome): string | null {
  const key = (value: string | number | null): string => (value === null ? '' : ` for ${value}`)
  switch (outcome.type) {
    case 'entered':
      return `entered ${outcome.instanceId}${key(outcome.key)}`
    case 'refused':
      return `not entered${key(outcome.key)}: ${outcome.reason}`
    case 'converted':
      return `converted ${outcome.instanceId} (${outcome.event})`
    case 'exited':
      return `exited ${outcome.instanceId}: ${outcome.reason === 'exit_event' ? outcome.event : 'completed'}`
    case 'waiting':
      return null // the next line's time says when the wait ended
  }
}

function describeEntry(entry: SimulatedEntry): string | null {
  const text = entry.kind === 'action' ? describeAction(entry.action) : describeOutcome(entry.outcome)
  return text === null ? null : `  ${new Date(entry.at).toISOString()}  ${text}`
}

/**
 * The text `ecrm simulate` prints: per customer, what the journey would send and do, and when,
 * with entries, exits and conversions; waits show as the gap between the times.
 */
export function simulationText(journeyId: string, customers: readonly SimulatedCustomer[]): string {
  const blocks = customers.map((customer) =>
    [customer.customerId, ...customer.timeline.flatMap((entry) => describeEntry(entry) ?? [])].join('\n'),
  )
  const actions = customers.reduce(
    (sum, customer) => sum + customer.timeline.filter((entry) => entry.kind === 'action').length,
    0,
  )
  return `Journey ${journeyId}: ${customers.length} customers, ${actions} actions (simulated: nothing was sent)\n\n${blocks.join('\n\n')}`
}
