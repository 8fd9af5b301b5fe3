import type { EcrmError } from '../../src/errors.js'
import type { EcrmEvent } from '../../src/model/envelope.js'
import type { Ports } from '../../src/ports.js'
import type { CoreClientOptions } from '../../src/pipeline/clientTypes.js'
import { createCoreClient } from '../../src/pipeline/createCoreClient.js'
import { createMemoryQueue } from '../../src/pipeline/memoryQueue.js'
import { createManualClock, createScriptedTransport, createSequentialIds } from '../fakes/index.js'
import type { ScriptedOutcome } from '../fakes/index.js'

/** A started client on fakes: manual time, memory queue, scripted transport, sequential ids. */
export function setupClient(
  outcomes: readonly ScriptedOutcome[] = [],
  options: Partial<CoreClientOptions> = {},
  ports: Partial<Ports> = {},
  { start = true, fallback }: { start?: boolean; fallback?: ScriptedOutcome } = {},
) {
  const time = createManualClock()
  const queue = ports.queue ?? createMemoryQueue()
  const scripted = createScriptedTransport(outcomes, fallback)
  const errors: EcrmError[] = []
  const deadLetters: { events: EcrmEvent[]; reason: string }[] = []
  const client = createCoreClient(
    {
      writeKey: 'wk',
      endpoint: 'https://collect.test',
      onError: (error) => errors.push(error),
      onDeadLetter: (events, reason) => deadLetters.push({ events, reason }),
      ...options,
    },
    {
      clock: time,
      scheduler: time,
      transport: scripted.transport,
      createId: createSequentialIds('msg-'),
      random: () => 0.5,
      ...ports,
      queue,
    },
  )
  if (start) client.start()
  return { time, queue, client, errors, deadLetters, ...scripted }
}
