import { useRule } from '@ecrm/react'

/**
 * A personalised banner: shown while the `keen_shopper` rule (two products added this week)
 * holds for this visitor. The rule runs in the browser on the local profile, live.
 */
export function KeenShopperBanner() {
  const isKeen = useRule('keen_shopper')
  if (isKeen !== true) return null
  return <p className="banner">Free shipping on this order: you clearly know what you like.</p>
}
