/** @ecrm/react — a provider and hooks over the ecrm browser client. */
export { EcrmProvider } from './EcrmProvider.js'
export type { EcrmProviderProps } from './EcrmProvider.js'
export { useEcrm, useEcrmState, useTrack, useIdentify, usePageView, useConsent } from './hooks.js'
export { createClientHolder } from './clientHolder.js'
export type { ClientHolder } from './clientHolder.js'
