// The cart journey of issue 19 and docs/journeys.md, on a virtual clock: cart abandoned → wait 1 h →
// email → wait 1 day → no order yet? → SMS with a discount; Order Completed (same cart) ends it.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { JourneyDefinition } from '../../src/journeys/journeySchema.js'
import { simulateJourney } from '../../src/journeys/simulateJourney.js'
import type { SimulatedCustomer, SimulatedEvent } from '../../src/journeys/simulateJourney.js'

const cart = JSON.parse(readFileSync('examples/journeys/cart-recovery.journey.json', 'utf8')) as JourneyDefinition

const at = (iso: string): number => Date.parse(iso)
const track = (iso: string, name: string, cartId: string, userId = 'u-1'): SimulatedEvent => ({
  at: at(iso),
  event: { event: name, userId, properties: { cart_id: cartId } },
})

/** `<ISO time> <step>` of every action, in order. */
const sends = (customer: SimulatedCustomer | undefined): string[] =>
  (customer?.timeline ?? []).flatMap((entry) =>
    entry.kind === 'action' ? [`${new Date(entry.at).toISOString()} ${entry.action.stepId}`] : [],
  )

describe('the cart journey', () => {
  it('stops after the email when the order comes: no SMS, converted', () => {
    const [customer] = simulateJourney(cart, [
      track('2026-12-01T10:00:00Z', 'Cart Abandoned', 'c-1'),
      track('2026-12-01T13:00:00Z', 'Order Completed', 'c-1'),
    ])
    expect(sends(customer)).toEqual(['2026-12-01T11:00:00.000Z reminder_email'])
    const outcomes = customer?.timeline.flatMap((entry) => (entry.kind === 'outcome' ? [entry.outcome.type] : []))
    expect(outcomes).toEqual(['entered', 'waiting', 'waiting', 'converted', 'exited'])
    expect(customer?.state.active).toEqual([])
  })

  it('sends the SMS once, a day after the email, when no order comes', () => {
    const [customer] = simulateJourney(cart, [track('2026-12-01T10:00:00Z', 'Cart Abandoned', 'c-1')])
    expect(sends(customer)).toEqual([
      '2026-12-01T11:00:00.000Z reminder_email',
      '2026-12-02T11:00:00.000Z discount_sms',
      '2026-12-02T11:00:00.000Z mark_discounted',
    ])
  })

  it("skips the SMS when another cart's order came (the branch reads all recent events)", () => {
    const [customer] = simulateJourney(cart, [
      track('2026-12-01T10:00:00Z', 'Cart Abandoned', 'c-1'),
      track('2026-12-01T15:00:00Z', 'Order Completed', 'c-other'),
    ])
    expect(sends(customer)).toEqual(['2026-12-01T11:00:00.000Z reminder_email'])
  })

  it('refuses a new cart inside the 7-day re-entry window and takes one after it', () => {
    const [customer] = simulateJourney(cart, [
      track('2026-12-01T10:00:00Z', 'Cart Abandoned', 'c-1'),
      track('2026-12-03T10:00:00Z', 'Cart Abandoned', 'c-2'),
      track('2026-12-09T10:00:00Z', 'Cart Abandoned', 'c-3'),
    ])
    const refused = customer?.timeline.flatMap((entry) =>
      entry.kind === 'outcome' && entry.outcome.type === 'refused' ? [entry.outcome.reason] : [],
    )
    expect(refused).toEqual(['reentry_window'])
    expect(sends(customer).filter((line) => line.endsWith('reminder_email'))).toEqual([
      '2026-12-01T11:00:00.000Z reminder_email',
      '2026-12-09T11:00:00.000Z reminder_email',
    ])
    const keys = customer?.timeline.flatMap((entry) => (entry.kind === 'action' ? [entry.action.idempotencyKey] : []))
    expect(new Set(keys).size).toBe(keys?.length)
    expect(keys).toContain('cart_recovery:u-1:2:reminder_email')
  })
})
