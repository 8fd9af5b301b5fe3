// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { act, render, renderHook } from '@testing-library/react'
import { StrictMode } from 'react'
import type { ReactNode } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import { createBrowserClient } from '@ecrm/browser'
import type { BrowserClient, BrowserClientOptions } from '@ecrm/browser'
import { chooseVariation, getBucketRanges, hashFnv } from '@ecrm/core'
import type { Experiment, RuleDefinition } from '@ecrm/core'
import { EcrmProvider, useExperiment, useLeadScore, useProfile, useRule } from '../src/index.js'
import {
  createFakeConnectivity,
  createManualClock,
  createScriptedTransport,
  createSequentialIds,
} from '../../core/test/fakes/index.js'

const T0 = Date.parse('2026-03-01T10:00:00.000Z')
const clients: BrowserClient[] = []
let db = 0
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close()
  localStorage.clear()
})

const vip: RuleDefinition = {
  id: 'vip',
  when: 'Order Completed',
  if: { '>=': [{ var: 'profile.money.orderCount' }, 2] },
}
const cta: Experiment = { key: 'checkout_cta', variations: [{ id: 'control' }, { id: 'buy_now' }] }

/** A real browser client over fakes (manual clock, scripted transport, fake IndexedDB). */
const setup = (options: Partial<BrowserClientOptions> = {}) => {
  const time = createManualClock({ startAt: T0, settleTurns: 40 })
  const scripted = createScriptedTransport()
  const client = createBrowserClient({
    writeKey: 'wk',
    endpoint: 'https://collect.shop.example',
    dbName: `ecrm-react-onsite-${++db}`,
    capture: { pageViews: false },
    rules: [vip],
    experiments: [cta],
    ...options,
    ports: {
      clock: time,
      scheduler: time,
      transport: scripted.transport,
      connectivity: createFakeConnectivity(true),
      createId: createSequentialIds('r-'),
    },
  })
  clients.push(client)
  const wrapper = ({ children }: { children?: ReactNode }) => <EcrmProvider client={client}>{children}</EcrmProvider>
  const exposures = async (): Promise<Record<string, any>[]> => {
    await time.settle()
    await client.flush()
    return (scripted.sentEvents() as Record<string, any>[]).filter((event) => event['event'] === 'Experiment Viewed')
  }
  return { client, time, wrapper, exposures }
}

describe('useProfile', () => {
  it('re-renders with each new profile and keeps its identity between changes', async () => {
    const { client, time, wrapper } = setup()
    let renders = 0
    const { result, rerender } = renderHook(() => (renders++, useProfile()), { wrapper })
    const first = result.current
    expect(first?.money.orderCount).toBe(0)
    rerender()
    expect(result.current).toBe(first)
    await act(async () => {
      client.track('Order Completed', { order_id: 'o-1', total: 25, currency: 'EUR' })
      await time.settle()
    })
    expect(result.current?.money).toMatchObject({ orderCount: 1, revenue: 25 })
    expect(renders).toBe(3)
  })
})

describe('useRule', () => {
  it('turns true when the condition starts to hold', async () => {
    const { client, time, wrapper } = setup()
    const { result } = renderHook(() => useRule('vip'), { wrapper })
    expect(result.current).toBe(false)
    await act(async () => {
      client.track('Order Completed', { order_id: 'o-1', total: 5 })
      client.track('Order Completed', { order_id: 'o-2', total: 5 })
      await time.settle()
    })
    expect(result.current).toBe(true)
    expect(renderHook(() => useRule('missing'), { wrapper }).result.current).toBeUndefined()
  })
})

describe('useLeadScore', () => {
  it('follows the profile', async () => {
    const { client, time, wrapper } = setup()
    const { result } = renderHook(() => useLeadScore(), { wrapper })
    expect(result.current?.score).toBe(0)
    await act(async () => {
      client.identify({ email: 'ada@acme.example', title: 'VP Marketing' })
      await time.settle()
    })
    expect(result.current?.score).toBeGreaterThan(0)
  })
})

describe('useExperiment', () => {
  it('gives the hashed variation and one exposure, also under StrictMode and many renders', async () => {
    const { client, wrapper, exposures } = setup()
    const visitor = client.user().anonymousId as string
    const expected =
      cta.variations[chooseVariation(hashFnv('checkout_cta', visitor, 2) as number, getBucketRanges(2, 1))]?.id
    function Cta() {
      const assignment = useExperiment('checkout_cta')
      return <button type="button">{assignment?.variationId ?? 'none'}</button>
    }
    const view = render(
      <StrictMode>
        {wrapper({
          children: (
            <>
              <Cta />
              <Cta />
            </>
          ),
        })}
      </StrictMode>,
    )
    expect(view.getAllByRole('button').map((button) => button.textContent)).toEqual([expected, expected])
    view.rerender(<StrictMode>{wrapper({ children: <Cta /> })}</StrictMode>)
    const sent = await exposures()
    expect(sent).toHaveLength(1)
    expect(sent[0]?.['properties']).toEqual({ experiment_id: 'checkout_cta', variation_id: expected })
  })
})
