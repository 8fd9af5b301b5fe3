export { ecrmConfigSchema } from './configSchema.js'
export type { EcrmConfig } from './configSchema.js'
export { loadConfig, parseConfig } from './loadConfig.js'
export type { LoadedConfig } from './loadConfig.js'
