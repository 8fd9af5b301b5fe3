import { describe, expect, it } from 'vitest'
import { createCoreClient, createMemoryQueue } from '@ecrm/core'
import { createErasedIds, eraseVisitor } from '../src/erasure.js'
import { watchPageOutbox } from '../src/pageExit.js'
import { makeQueueItem } from '../../core/test/contract/queueContract.js'
import { createManualClock, createScriptedTransport } from '../../core/test/fakes/index.js'

describe('createErasedIds', () => {
  it('names the events and queued items of erased ids, except the erasure request itself', () => {
    const erased = createErasedIds()
    const item = (fields: Record<string, unknown>) => ({
      payload: JSON.stringify({ type: 'track', event: 'E', ...fields }),
    })
    expect(erased.isErasedItem(item({ anonymousId: 'a-1' }))).toBe(false)
    erased.add(['a-1', 'o"brien'])
    expect(erased.isErased({ type: 'track', anonymousId: 'a-1' })).toBe(true)
    expect(erased.isErased({ type: 'page', anonymousId: 'a-2', userId: 'o"brien' })).toBe(true)
    expect(erased.isErased({ type: 'track', event: 'Data Erasure Requested', anonymousId: 'a-1' })).toBe(false)
    expect(erased.isErasedItem(item({ anonymousId: 'a-2', userId: 'o"brien' }))).toBe(true)
    expect(erased.isErasedItem(item({ anonymousId: 'a-2' }))).toBe(false)
    expect(erased.isErasedItem(item({ anonymousId: 'a-1', event: 'Data Erasure Requested' }))).toBe(false)
    expect(erased.isErasedItem({ payload: 'not json' })).toBe(false)
  })
})

describe('eraseVisitor', () => {
  it("queues one erasure request, removes the visitor's other queued events and keeps another visitor's", async () => {
    const time = createManualClock()
    // Wired as the browser client wires it: the queue drops what the erased ids name, so events
    // still on their way into the queue (core writes a microtask later) are stopped too.
    const erased = createErasedIds()
    const queue = watchPageOutbox(createMemoryQueue(), erased.isErasedItem).queue
    const scripted = createScriptedTransport()
    const core = createCoreClient(
      { writeKey: 'wk', endpoint: 'https://c.example' },
      { clock: time, scheduler: time, queue, transport: scripted.transport },
    )
    core.identify({ userId: 'o"brien' })
    core.track({ event: 'Private Thing' })
    const visitor = core.user()
    const other = makeQueueItem('other', {
      payload: JSON.stringify({ type: 'track', event: 'Theirs', anonymousId: 'someone-else', messageId: 'other' }),
    })
    await queue.enqueue([other])
    await time.settle()
    expect(await queue.size()).toBe(3)
    let forgotLocal = false
    await eraseVisitor({ core, queue, erased, forgetLocal: () => (forgotLocal = true) })
    expect(forgotLocal).toBe(true)
    expect(core.user().anonymousId).not.toBe(visitor.anonymousId)
    const sent = scripted.sentEvents()
    expect(sent.map((event) => event['event'] ?? event['type'])).toEqual(
      expect.arrayContaining(['Theirs', 'Data Erasure Requested']),
    )
    expect(sent).toHaveLength(2)
    expect(sent.find((event) => event['event'] === 'Data Erasure Requested')).toMatchObject({
      userId: 'o"brien',
      properties: { anonymousId: visitor.anonymousId, userId: 'o"brien' },
    })
  })
})
