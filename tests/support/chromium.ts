import { existsSync } from 'node:fs'
import { CHROMIUM_PATH } from '../../examples/shoppers/visits.mjs'

/** Launches Debian's Chromium through playwright-core. The path and flags live in one place: the demo's shopper script. */
export { launchBrowser as launchChromium } from '../../examples/shoppers/visits.mjs'

/** True when the Chromium binary exists; tests skip with this reason otherwise (and fail on CI). */
export const hasChromium = existsSync(CHROMIUM_PATH)

/**
 * Throws on CI when Chromium is missing (a skipped e2e suite must not look green there);
 * elsewhere returns the reason to show on the skipped tests.
 */
export function requireChromium(): string | undefined {
  if (hasChromium) return undefined
  const reason = `Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`
  if (process.env['CI'] === 'true') throw new Error(reason)
  return reason
}
