import { EcrmError } from '@ecrm/core'
import { createContext, useContext } from 'react'
import type { ClientHolder } from './clientHolder.js'

/** The provider's client holder; undefined outside a provider. */
export const EcrmContext = createContext<ClientHolder | undefined>(undefined)

/** The holder of the nearest provider; a clear error outside one. */
export function useClientHolder(hook: string): ClientHolder {
  const holder = useContext(EcrmContext)
  if (holder === undefined) {
    throw new EcrmError(
      'missing_provider',
      `${hook} was called outside <EcrmProvider>: wrap your app in <EcrmProvider writeKey="..." endpoint="..."> or <EcrmProvider client={client}>.`,
    )
  }
  return holder
}
