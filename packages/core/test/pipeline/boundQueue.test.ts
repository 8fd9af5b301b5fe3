import { describe, expect, it } from 'vitest'
import { chooseDrops } from '../../src/pipeline/boundQueue.js'
import { priorityOf } from '../../src/pipeline/priority.js'
import { makeQueueItem } from '../contract/queueContract.js'

describe('priorityOf', () => {
  it('ranks page/screen < other events < conversions < Order Completed', () => {
    expect(priorityOf('page')).toBeLessThan(priorityOf('track', 'Product Viewed'))
    expect(priorityOf('screen')).toBe(priorityOf('page'))
    expect(priorityOf('identify')).toBe(priorityOf('track', 'Product Viewed'))
    expect(priorityOf('track', 'Product Viewed')).toBeLessThan(priorityOf('track', 'Checkout Started'))
    expect(priorityOf('track', 'Checkout Started')).toBeLessThan(priorityOf('track', 'Order Completed'))
  })
})

describe('chooseDrops', () => {
  const same = { payload: '{"type":"track"}' }
  const items = [
    makeQueueItem('order', { ...same, priority: priorityOf('track', 'Order Completed') }, 0),
    makeQueueItem('page-old', { ...same, priority: priorityOf('page') }, 1),
    makeQueueItem('checkout', { ...same, priority: priorityOf('track', 'Checkout Started') }, 2),
    makeQueueItem('track', { ...same, priority: priorityOf('track', 'Product Added') }, 3),
    makeQueueItem('page-new', { ...same, priority: priorityOf('page') }, 4),
  ]

  it('drops nothing within the caps', () => {
    expect(chooseDrops(items, { maxEvents: 5, maxBytes: 1e9 })).toEqual([])
  })

  it('drops lowest priority first, oldest first within a priority, Order Completed last', () => {
    expect(chooseDrops(items, { maxEvents: 4, maxBytes: 1e9 })).toEqual(['page-old'])
    expect(chooseDrops(items, { maxEvents: 1, maxBytes: 1e9 })).toEqual(['page-old', 'page-new', 'track', 'checkout'])
    expect(chooseDrops(items, { maxEvents: 0, maxBytes: 1e9 }).at(-1)).toBe('order')
  })

  it('keeps queue order among items of the same priority and age', () => {
    const twins = ['a', 'b', 'c', 'd'].map((id) => makeQueueItem(id, same, 0))
    expect(chooseDrops([...twins].reverse(), { maxEvents: 1, maxBytes: 1e9 })).toEqual(['d', 'c', 'b'])
    expect(chooseDrops(twins, { maxEvents: 1, maxBytes: 1e9 })).toEqual(['a', 'b', 'c'])
  })

  it('drops until the bytes fit', () => {
    const total = items.reduce((sum, item) => sum + item.bytes, 0)
    const oneItem = items[0]?.bytes ?? 0
    expect(chooseDrops(items, { maxEvents: 100, maxBytes: total - 1 })).toEqual(['page-old'])
    expect(chooseDrops(items, { maxEvents: 100, maxBytes: total - oneItem - 1 })).toEqual(['page-old', 'page-new'])
  })
})
