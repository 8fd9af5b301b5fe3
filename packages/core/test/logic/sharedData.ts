import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * Locates a file of the shared reference data (/work/shared/data, `../shared/data` beside the
 * repo). Absent locally: tests skip with a visible reason. Absent on CI: the suite fails.
 */
export function sharedDataFile(name: string): { path: string; exists: boolean; reason: string } {
  const path = fileURLToPath(new URL(`../../../../../shared/data/${name}`, import.meta.url))
  const exists = existsSync(path)
  if (!exists && process.env['CI'] === 'true') {
    throw new Error(`Reference data missing: ${path} (CI must provide ../shared/data beside the repo)`)
  }
  return { path, exists, reason: `skipped: reference data ${name} not found at ${path}` }
}

/** Reads and parses a JSON file of the shared data. */
export function readSharedJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T
}
