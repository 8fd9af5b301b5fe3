import { describe, expect, it } from 'vitest'
import { createKyTransport } from '../src/transport/kyTransport.js'
import { runTransportContract, useTransportSink } from './transportContract.js'

const sink = useTransportSink()

runTransportContract('createKyTransport', createKyTransport(), sink)

describe('createKyTransport', () => {
  it('uses an injected fetch', async () => {
    const urls: string[] = []
    const fetchFake: typeof fetch = async (input) => {
      urls.push(input instanceof Request ? input.url : String(input))
      return new Response(null, { status: 202 })
    }
    expect(await createKyTransport({ fetch: fetchFake }).send(sink.request('/anything'))).toMatchObject({ status: 202 })
    expect(urls).toEqual([`${sink.base()}/anything`])
  })
})
