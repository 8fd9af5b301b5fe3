import { createBrowserClient } from '@ecrm/browser'
import type { BrowserClient, BrowserClientOptions } from '@ecrm/browser'
import { createElement, useEffect, useState } from 'react'
import type { ReactNode } from 'react'
import { createClientHolder } from './clientHolder.js'
import { EcrmContext } from './context.js'

/** Props of {@link EcrmProvider}: a client of your own, or the options to create one. */
export type EcrmProviderProps =
  | { readonly client: BrowserClient; readonly children?: ReactNode }
  | (BrowserClientOptions & { readonly client?: undefined; readonly children?: ReactNode })

/**
 * Makes an ecrm client available to the hooks below it. Given `writeKey` and `endpoint`, it creates
 * the browser client once, after mount (never during server rendering, and only once under
 * StrictMode); given `client`, it uses that one and never closes it.
 *
 * @example
 * <EcrmProvider writeKey="WRITE_KEY" endpoint="https://collect.shop.example"><App /></EcrmProvider>
 */
export function EcrmProvider(props: EcrmProviderProps): ReactNode {
  const [holder] = useState(() => createClientHolder(props.client))
  // biome-ignore lint/correctness/useExhaustiveDependencies: the client is created once per provider; later option changes do not recreate it (documented).
  useEffect(() => {
    if (props.client !== undefined) return undefined
    const { children: _children, client: _client, ...options } = props
    return holder.acquire(() => createBrowserClient(options))
  }, [holder])
  return createElement(EcrmContext.Provider, { value: holder }, props.children)
}
