import { useConsent } from '@ecrm/react'

/**
 * Asks for consent until the visitor answers. The client was created with
 * `consent: { default: 'pending' }`: until then, events wait in memory and nothing is sent.
 * The answer is remembered on the device, so the banner stays away on the next visit.
 */
export function ConsentBanner() {
  const [consent, setConsent] = useConsent()
  // `undefined` while there is no client yet (first render) or no answer for the category.
  if (consent['analytics'] !== undefined) return null
  return (
    <aside className="consent" role="dialog" aria-label="Cookie consent">
      <p>We use ecrm to understand what you like and to remind you of your cart.</p>
      <button type="button" onClick={() => setConsent({ analytics: true, marketing: true })}>
        Accept all
      </button>
      <button type="button" onClick={() => setConsent({ analytics: true, marketing: false })}>
        Analytics only
      </button>
      <button type="button" onClick={() => setConsent({ analytics: false, marketing: false })}>
        Decline
      </button>
    </aside>
  )
}
