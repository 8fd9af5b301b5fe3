import { describe, expect, it } from 'vitest'
import { validateBatch } from '../../src/model/index.js'
import { track } from './fixtures.js'

describe('validateBatch', () => {
  it('keeps the valid events and locates each invalid one by index and full path', () => {
    const body = {
      sentAt: '2026-11-23T14:00:05.000Z',
      batch: [
        { ...track('Product Viewed', { product_id: 'p-1', price: 10 }), messageId: 'm-0' },
        {
          ...track('Order Completed', { order_id: 'o-1', products: [{ sku: 's', price: Number.NaN }] }),
          messageId: 'm-1',
        },
        { type: 'identify', messageId: 'm-2', userId: 'u-1', traits: { email: 'ada@example.com' } },
        'not an event',
        { ...track('Survey Responded', { survey_id: 's', type: 'nps', score: 11 }), messageId: 'm-4' },
      ],
    }
    const result = validateBatch(body)
    expect(result.issues).toEqual([])
    expect(result.events.map(({ index, event }) => [index, event.messageId])).toEqual([
      [0, 'm-0'],
      [2, 'm-2'],
    ])
    expect(result.invalid).toEqual([
      {
        index: 1,
        issues: [
          {
            path: ['batch', 1, 'properties', 'products', 0, 'price'],
            message: 'expected number, got NaN',
            code: 'invalid_type',
          },
        ],
      },
      {
        index: 3,
        issues: [
          { path: ['batch', 3], message: 'expected object, got the string "not an event"', code: 'invalid_type' },
        ],
      },
      {
        index: 4,
        issues: [
          {
            path: ['batch', 4, 'properties', 'score'],
            message: 'must be at most 10, got the number 11',
            code: 'too_big',
          },
        ],
      },
    ])
  })

  it('reports a body that is not a batch at the top level, and checks nothing else', () => {
    expect(validateBatch(null)).toEqual({
      events: [],
      invalid: [],
      issues: [{ path: [], message: 'expected object, got null', code: 'invalid_type' }],
    })
    expect(validateBatch({ batch: [] }).issues).toEqual([
      { path: ['batch'], message: 'must have at least 1 items, has 0', code: 'too_small' },
    ])
    expect(validateBatch({ events: [track('X')] }).issues).toEqual([
      { path: ['batch'], message: 'required: expected array', code: 'invalid_type' },
    ])
    expect(validateBatch({ batch: [track('X')], sentAt: 'now' }).issues[0]).toMatchObject({
      path: ['sentAt'],
      code: 'invalid_format',
    })
  })

  it('warns about a messageId repeated within the batch, keeping both', () => {
    const result = validateBatch({ batch: [track('A'), track('B')] })
    expect(result.events).toHaveLength(2)
    expect(result.events[0]?.warnings).toEqual([])
    expect(result.events[1]?.warnings).toEqual([
      {
        path: ['batch', 1, 'messageId'],
        code: 'duplicate_message_id',
        message: 'this messageId already occurs earlier in the batch',
      },
    ])
  })

  it('prefixes warnings with the event index', () => {
    const result = validateBatch({ batch: [track('product viewed', { product_id: 'p' })] })
    expect(result.events[0]?.warnings[0]?.path).toEqual(['batch', 0, 'event'])
  })
})
