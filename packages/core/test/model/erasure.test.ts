import { describe, expect, it } from 'vitest'
import { ERASURE_EVENT_NAME, crmActionOf, crmEventSchemas, validateEvent } from '../../src/index.js'

describe('ERASURE_EVENT_NAME', () => {
  it('is the Segment-style name every package keys erasure on', () => {
    expect(ERASURE_EVENT_NAME).toBe('Data Erasure Requested')
  })

  it('names the schema of its properties and is sorted as an erasure for every CRM destination', () => {
    expect(Object.keys(crmEventSchemas)).toContain(ERASURE_EVENT_NAME)
    const event = { type: 'track', event: ERASURE_EVENT_NAME, userId: 'u-1', messageId: 'm-1' } as const
    expect(crmActionOf(event)).toBe('erasure')
    const checked = validateEvent({ ...event, timestamp: '2026-03-01T10:00:00.000Z', properties: { email: 'nope' } })
    expect(checked).toMatchObject({ ok: false, issues: [{ path: ['properties', 'email'] }] })
  })
})
