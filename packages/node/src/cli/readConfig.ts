import type { LoadedConfig } from '../config/loadConfig.js'

/** Loads `--config`, printing its faults; 2 (the exit code) when it is invalid or unreadable. */
export async function readConfig(command: string, path: string | undefined): Promise<LoadedConfig | undefined | 2> {
  if (path === undefined) return undefined
  const { loadConfig } = await import('../config/loadConfig.js')
  try {
    return await loadConfig(path)
  } catch (error) {
    console.error(`ecrm ${command}: ${error instanceof Error ? error.message : String(error)}`)
    return 2
  }
}
