import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * Where the outside reference data lives: `../shared/data` beside the repository's root (CI puts it
 * there; a user's clone usually lacks it).
 */
export const sharedDataDir = fileURLToPath(new URL('../../../shared/data/', import.meta.url))

/** True when the reference data is there. Under CI=true its absence is an error, never a skip. */
export function hasSharedData(): boolean {
  const present = existsSync(sharedDataDir)
  if (!present && process.env['CI'] === 'true') {
    throw new Error(`Reference data missing: ${sharedDataDir} (CI must run with ../shared beside the repository)`)
  }
  return present
}

/** The absolute path of a file in the reference data. */
export function sharedDataPath(name: string): string {
  return sharedDataDir + name
}

/** The reason printed when a conformance test is skipped. */
export const sharedDataSkipReason = `reference data not found at ${sharedDataDir}; these conformance tests need ../shared beside the repository`
