// @vitest-environment happy-dom
import { render, waitFor } from '@testing-library/react'
import type { EcrmEvent, TransportRequest } from '@ecrm/core'
import { StrictMode } from 'react'
import { describe, expect, it } from 'vitest'
import { EcrmProvider, useEcrm } from '../src/index.js'

describe('EcrmProvider under StrictMode', () => {
  it('creates one client and sends one page view despite the double mount', async () => {
    const seen: EcrmEvent[] = []
    const requests: TransportRequest[] = []
    const clients = new Set<unknown>()
    function Probe() {
      const client = useEcrm()
      if (client !== undefined) clients.add(client)
      return null
    }
    const view = render(
      <StrictMode>
        <EcrmProvider
          writeKey="wk"
          endpoint="http://127.0.0.1:9"
          destinations={[{ name: 'probe', deliver: (event) => void seen.push(event) }]}
          ports={{
            transport: {
              send: async (request) => (requests.push(request), { type: 'response', status: 200, retryAfter: null }),
            },
          }}
        >
          <Probe />
        </EcrmProvider>
      </StrictMode>,
    )
    await waitFor(() => expect(clients.size).toBe(1))
    await waitFor(() => expect(seen.filter((event) => event.type === 'page')).toHaveLength(1))
    // Let the deferred close of the first StrictMode pass run: it must not close the live client.
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect([...clients][0]).toMatchObject({ getState: expect.any(Function) })
    expect((clients.values().next().value as { getState: () => { isClosed: boolean } }).getState().isClosed).toBe(false)
    view.unmount()
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect((clients.values().next().value as { getState: () => { isClosed: boolean } }).getState().isClosed).toBe(true)
  })
})
