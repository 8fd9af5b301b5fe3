import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { EcrmValidationError } from '../../src/errors.js'
import { compileJourney } from '../../src/journeys/compileJourney.js'

const cart = JSON.parse(readFileSync('examples/journeys/cart-recovery.journey.json', 'utf8')) as Record<string, unknown>

/** The issues compileJourney throws for `input`, as `path: code`. */
function faults(input: unknown): string[] {
  try {
    compileJourney(input)
  } catch (error) {
    if (!(error instanceof EcrmValidationError)) throw error
    return error.issues.map((issue) => `${issue.path.join('.')}: ${issue.code}`)
  }
  return []
}

const steps = (...list: unknown[]): Record<string, unknown> => ({ ...cart, steps: list })

describe('compileJourney', () => {
  it('compiles the documented cart journey with every target resolved', () => {
    const journey = compileJourney(cart)
    expect(journey.first).toBe('wait_hour')
    expect(journey.steps.get('reminder_email')?.after).toBe('wait_day')
    expect(journey.steps.get('mark_discounted')?.after).toBe('end')
    expect(journey.steps.get('wait_day')?.waitMs).toBe(86_400_000)
    expect(journey.reentryMs).toBe(7 * 86_400_000)
    expect(journey.exits[0]?.matchKey).toBe(true)
  })

  it('names the zod path of a shape fault', () => {
    expect(faults({ ...cart, trigger: { event: '' } })).toEqual(['trigger.event: too_small'])
    expect(faults(steps({ id: 'w', type: 'wait' }))).toEqual(['steps.0.duration: custom'])
    expect(faults(steps({ id: 'w', type: 'wait', for: { event: 'Order Completed' } }))).toEqual([
      'steps.0.timeout: custom',
    ])
    expect(faults(steps({ id: 's', type: 'send', channel: 'email' }))).toEqual(['steps.0.template: invalid_type'])
    expect(faults(steps({ id: 's', type: 'teleport' }))).toEqual(['steps.0.type: invalid_union'])
    expect(faults({ ...cart, reentry: 'sometimes' })).toEqual(['reentry: invalid_union'])
  })

  it('rejects an unknown step reference at its path', () => {
    const error = (() => {
      try {
        compileJourney(steps({ id: 'b', type: 'branch', if: true, then: 'sms' }))
      } catch (caught) {
        return caught as EcrmValidationError
      }
      return null
    })()
    expect(error?.message).toMatch(/steps\[0\]\.then \(unknown step "sms"/)
  })

  it('rejects duplicate step ids and unknown JsonLogic operators', () => {
    expect(
      faults(
        steps(
          { id: 'a', type: 'set_trait', trait: 't', value: 1 },
          { id: 'a', type: 'set_trait', trait: 't', value: 2 },
        ),
      ),
    ).toEqual(['steps.1.id: duplicate_step'])
    expect(faults(steps({ id: 'b', type: 'branch', if: { dayz_since: [1] }, then: 'end' }))[0]).toMatch(/^steps\.0\.if/)
  })

  it('rejects a loop without a wait and accepts one through a wait', () => {
    const loop = steps(
      { id: 'check', type: 'branch', if: true, then: 'mark' },
      { id: 'mark', type: 'set_trait', trait: 't', value: 1, next: 'check' },
    )
    expect(faults(loop)).toEqual(['steps.0: cycle_without_wait'])
    const weekly = steps(
      { id: 'mail', type: 'send', channel: 'email', template: 'weekly' },
      { id: 'week', type: 'wait', duration: '1w', next: 'mail' },
    )
    expect(faults(weekly)).toEqual([])
  })
})
