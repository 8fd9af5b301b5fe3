// Paths every benchmark shares, resolved from this file so the scripts run from any directory.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'

/** The repository root (bench/..). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
/** Shared reference data, beside the repository root (../shared/data). */
export const sharedData = join(repoRoot, '..', 'shared', 'data')
/** bench/node_modules, where the peers are installed. */
export const peersDir = join(repoRoot, 'bench', 'node_modules')
/** True when the peers were installed (`npm --prefix bench ci`). */
export const hasPeers = existsSync(peersDir)
