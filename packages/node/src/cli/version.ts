import { readFileSync } from 'node:fs'

/**
 * The version in @ecrm/node's package.json. This module sits two folders below the package root
 * both as source (src/cli/) and built (dist/cli/), so one relative path serves both.
 */
export function readVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version?: unknown
  }
  return typeof manifest.version === 'string' ? manifest.version : 'unknown'
}
