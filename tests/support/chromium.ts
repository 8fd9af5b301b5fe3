import { existsSync } from 'node:fs'
import { chromium } from 'playwright-core'
import type { Browser } from 'playwright-core'

/** Debian's Chromium, the browser the end-to-end tests drive. */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'

/** Flags for a quiet, headless, deterministic Chromium in a container. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
] as const

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

/** Launches Debian's Chromium through playwright-core. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], headless: true })
}
