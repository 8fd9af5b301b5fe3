import { runQueueContract } from '../contract/queueContract.js'
import { createMemoryQueue } from '../../src/pipeline/memoryQueue.js'

runQueueContract('memory queue', async () => ({ queue: createMemoryQueue() }))

// A second handle on the same memory stands in for a second tab: it runs the reopen tests too.
runQueueContract('memory queue, shared between two handles', async () => {
  const queue = createMemoryQueue()
  return { queue, reopen: async () => queue }
})
