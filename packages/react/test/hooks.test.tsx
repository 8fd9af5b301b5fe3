// @vitest-environment happy-dom
import { act, render, renderHook } from '@testing-library/react'
import { StrictMode } from 'react'
import type { ReactNode } from 'react'
import { describe, expect, it } from 'vitest'
import { EcrmProvider, useConsent, useEcrm, useEcrmState, useIdentify, usePageView, useTrack } from '../src/index.js'
import { createFakeClient } from './fakeClient.js'

const withClient = (client: ReturnType<typeof createFakeClient>) =>
  function Wrapper({ children }: { children?: ReactNode }) {
    return <EcrmProvider client={client}>{children}</EcrmProvider>
  }

describe('useEcrm', () => {
  it('returns the provided client', () => {
    const client = createFakeClient()
    const { result } = renderHook(() => useEcrm(), { wrapper: withClient(client) })
    expect(result.current).toBe(client)
  })

  it('throws a clear error outside the provider', () => {
    expect(() => renderHook(() => useEcrm())).toThrow(/outside <EcrmProvider>/)
  })
})

describe('useTrack', () => {
  it('tracks through the client with a stable identity across renders', () => {
    const client = createFakeClient()
    const { result, rerender } = renderHook(() => useTrack(), { wrapper: withClient(client) })
    const first = result.current
    rerender()
    expect(result.current).toBe(first)
    result.current('Product Added', { product_id: 'sku-1' })
    expect(client.calls).toEqual([['track', 'Product Added', { product_id: 'sku-1' }]])
  })
})

describe('useIdentify', () => {
  it('identifies through the client', () => {
    const client = createFakeClient()
    const { result } = renderHook(() => useIdentify(), { wrapper: withClient(client) })
    result.current('user-42', { email: 'a@b.example' })
    expect(client.calls).toEqual([['identify', 'user-42', { email: 'a@b.example' }]])
  })
})

describe('usePageView', () => {
  it('sends one page view per distinct path', () => {
    const client = createFakeClient()
    const { rerender } = renderHook(({ path }) => usePageView(path), {
      wrapper: withClient(client),
      initialProps: { path: '/a' },
    })
    rerender({ path: '/a' })
    rerender({ path: '/b' })
    expect(client.calls).toEqual([
      ['page', { path: '/a' }],
      ['page', { path: '/b' }],
    ])
  })
})

describe('usePageView under StrictMode', () => {
  it('sends one page view for the first path despite the double effect', () => {
    const client = createFakeClient()
    function Page({ path }: { path: string }) {
      usePageView(path)
      return null
    }
    const view = render(
      <StrictMode>
        <EcrmProvider client={client}>
          <Page path="/a" />
        </EcrmProvider>
      </StrictMode>,
    )
    view.rerender(
      <StrictMode>
        <EcrmProvider client={client}>
          <Page path="/b" />
        </EcrmProvider>
      </StrictMode>,
    )
    expect(client.calls.filter(([name]) => name === 'page')).toEqual([
      ['page', { path: '/a' }],
      ['page', { path: '/b' }],
    ])
  })
})

describe('useConsent', () => {
  it('reads consent live and sets it through the client', () => {
    const client = createFakeClient()
    const { result } = renderHook(() => useConsent(), { wrapper: withClient(client) })
    expect(result.current[0]).toEqual({})
    act(() => result.current[1]({ analytics: true }))
    expect(result.current[0]).toEqual({ analytics: true })
    expect(client.calls).toEqual([['consent.set', { analytics: true }]])
  })
})

describe('useEcrmState', () => {
  it('re-renders on a state change and unsubscribes on unmount', () => {
    const client = createFakeClient()
    const seen: (string | undefined)[] = []
    function Who() {
      const userId = useEcrmState((state) => state?.user.userId)
      seen.push(userId)
      return <span>{userId ?? 'anonymous'}</span>
    }
    const view = render(
      <EcrmProvider client={client}>
        <Who />
      </EcrmProvider>,
    )
    expect(view.container.textContent).toBe('anonymous')
    act(() => client.setState({ user: { anonymousId: 'anon-1', userId: 'user-42', traits: {} } }))
    expect(view.container.textContent).toBe('user-42')
    view.unmount()
    expect(client.listenerCount()).toBe(0)
    expect(seen.at(-1)).toBe('user-42')
  })
})
