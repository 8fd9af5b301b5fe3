import { afterAll, describe, expect, it } from 'vitest'
import { createHttpTransport } from '../src/transport/httpTransport.js'
import { runTransportContract, useTransportSink } from './transportContract.js'

const sink = useTransportSink()
const transport = createHttpTransport()
afterAll(() => transport.close())

runTransportContract('createHttpTransport', transport, sink)

describe('createHttpTransport', () => {
  it('sends batch after batch over one kept-alive connection', async () => {
    const before = sink.received.length
    for (let n = 0; n < 5; n++) expect(await transport.send(sink.request('/202'))).toMatchObject({ status: 202 })
    expect(new Set(sink.received.slice(before).map((r) => r.socket)).size).toBe(1)
  })
})
