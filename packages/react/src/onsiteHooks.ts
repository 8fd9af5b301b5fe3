import type { BrowserClient } from '@ecrm/browser'
import type { Assignment, CustomerProfile, LeadScore } from '@ecrm/core'
import { useEffect } from 'react'
import { useClientHolder } from './context.js'
import { useClientStore } from './hooks.js'

/** Reads an on-site value live; `undefined` on the server and in the first render. */
const useOnsite = <T>(hook: string, read: (client: BrowserClient) => T | undefined): T | undefined =>
  useClientStore(
    hook,
    (client, listener) => client.subscribeOnsite(listener),
    (client) => client && read(client),
  )

/**
 * The visitor's local profile, live (`ecrm.profile()`); `undefined` on the server, in the first
 * render and with `profile: false`.
 *
 * @example
 * const profile = useProfile()
 * return profile && profile.money.orderCount > 0 ? <WelcomeBack /> : <FirstVisitOffer />
 */
export function useProfile(): CustomerProfile | undefined {
  return useOnsite('useProfile()', (client) => client.profile())
}

/**
 * Whether rule `id`'s condition holds for this visitor, live (`ecrm.rule(id)`); `undefined` on
 * the server, in the first render and for an unknown rule.
 *
 * @example
 * const vip = useRule('vip')
 */
export function useRule(id: string): boolean | undefined {
  return useOnsite('useRule()', (client) => client.rule(id))
}

/** The lead score of the visitor's local profile, live; `undefined` on the server, in the first render or when lead scoring is off. */
export function useLeadScore(): LeadScore | undefined {
  return useOnsite('useLeadScore()', (client) => client.leadScore())
}

/**
 * The visitor's variation of experiment `key` (sticky, QA overrides honoured), and one
 * `Experiment Viewed` per visitor and variant, sent after the render that shows it (never during
 * render, never on the server). `undefined` on the server, in the first render and for an unknown
 * key: render the control then.
 *
 * @example
 * const cta = useExperiment('checkout_cta')
 * return <button>{cta?.variationId === 'buy_now' ? 'Buy now' : 'Checkout'}</button>
 */
export function useExperiment(key: string): Assignment | undefined {
  const holder = useClientHolder('useExperiment()')
  const assignment = useOnsite('useExperiment()', (client) => client.experiment(key, { expose: false }))
  const variationId = assignment?.inExperiment === true ? assignment.variationId : undefined
  useEffect(() => {
    if (variationId !== undefined) holder.run((client) => client.experiment(key))
  }, [holder, key, variationId])
  return assignment
}
