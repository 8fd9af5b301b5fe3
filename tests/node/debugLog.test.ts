import { afterEach, describe, expect, it, vi } from 'vitest'
import { createNodeClient } from '../../packages/node/src/nodeClient.js'
import { startSink } from './sink.js'

/** Every console line written while `run` runs, by method. */
async function captureConsole(run: () => Promise<void>): Promise<{ method: string; text: string }[]> {
  const lines: { method: string; text: string }[] = []
  const methods = ['debug', 'log', 'info', 'warn', 'error'] as const
  const spies = methods.map((method) =>
    vi.spyOn(console, method).mockImplementation((...parts: unknown[]) => {
      lines.push({
        method,
        text: parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(' '),
      })
    }),
  )
  try {
    await run()
  } finally {
    for (const spy of spies) spy.mockRestore()
  }
  return lines
}

/** One event through a real HTTP backend that answers 503 once, then 200. */
async function deliverThroughA503(): Promise<void> {
  const sink = await startSink((n) => (n < 1 ? { status: 503 } : { status: 200 }))
  const client = createNodeClient({
    writeKey: 'wk',
    endpoint: sink.endpoint,
    retry: { baseDelayMs: 20, maxDelayMs: 50 },
  })
  try {
    client.track({ userId: 'u-1', event: 'Order Completed', properties: { order_id: 'o-1', total: 42 } })
    await client.flush()
    await sink.until(() => sink.acked.size === 1)
    await client.close()
  } finally {
    await sink.close()
  }
}

afterEach(() => vi.unstubAllEnvs())

describe('ECRM_DEBUG', () => {
  it('logs what the client does when ECRM_DEBUG=1: queued, sent, answered, retried, delivered', async () => {
    vi.stubEnv('ECRM_DEBUG', '1')
    const lines = await captureConsole(deliverThroughA503)
    const debug = lines.filter((line) => line.method === 'debug').map((line) => line.text)
    expect(debug[0]).toMatch(/^\[ecrm\] queued 1 events: track Order Completed /)
    expect(debug).toContainEqual(
      expect.stringMatching(/^\[ecrm\] sending 1 events: POST http:\/\/127\.0\.0\.1:\d+\/v1\/batch$/),
    )
    expect(debug).toContainEqual(expect.stringMatching(/^\[ecrm\] POST \S+: status 503$/))
    expect(debug).toContainEqual(expect.stringMatching(/^\[ecrm\] retrying 1 events at \d{4}-\d\d-\d\dT/))
    expect(debug).toContainEqual(expect.stringMatching(/^\[ecrm\] POST \S+: status 200$/))
    expect(debug).toContainEqual(expect.stringMatching(/^\[ecrm\] took 1 events off the queue/))
    // The failure itself is a warning, with its reason.
    expect(lines).toContainEqual({
      method: 'warn',
      text: expect.stringMatching(/^\[ecrm\] Sending a batch failed: .*status 503/),
    })
  })

  it('is silent by default: not one console line for the same run', async () => {
    vi.stubEnv('ECRM_DEBUG', '')
    expect(await captureConsole(deliverThroughA503)).toEqual([])
  })

  it('`debug: false` wins over ECRM_DEBUG=1', async () => {
    vi.stubEnv('ECRM_DEBUG', '1')
    const sink = await startSink(() => ({ status: 200 }))
    const lines = await captureConsole(async () => {
      const client = createNodeClient({ writeKey: 'wk', endpoint: sink.endpoint, debug: false })
      client.track({ userId: 'u-1', event: 'Signed Up' })
      await client.close()
    })
    await sink.close()
    expect(lines).toEqual([])
  })
})
