/** @ecrm/react — a provider and hooks over the ecrm browser client. */
export { EcrmProvider } from './EcrmProvider.js'
export type { EcrmProviderProps } from './EcrmProvider.js'
export { useEcrm, useEcrmState, useClientStore, useTrack, useIdentify, usePageView, useConsent } from './hooks.js'
export { useProfile, useRule, useExperiment, useLeadScore } from './onsiteHooks.js'
export { createClientHolder } from './clientHolder.js'
export type { ClientHolder } from './clientHolder.js'
