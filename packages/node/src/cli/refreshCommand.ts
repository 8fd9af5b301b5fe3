import { defineCommand } from './command.js'
import { openStore } from './openStore.js'
import { readConfig } from './readConfig.js'

/** `ecrm refresh`: refits the models and re-derives every stored profile once, then exits. */
export const refreshCommand = defineCommand({
  name: 'refresh',
  summary: 'Refit and re-derive every stored profile (RFM, lead, CLV, segments, loyalty), then exit',
  usage: `Usage: ecrm refresh [options]

Refits and re-derives every stored profile (RFM, lead, CLV, segments, loyalty), then exits.
  --data-dir <path>     embedded PGlite data directory (default .ecrm-data)
  --database-url <url>  PostgreSQL instead of PGlite (env DATABASE_URL)
  --config <file>       ecrm.config.json (what to derive)
  --page-size <n>       profiles per page and transaction (default 5000)
  -h, --help            this text`,
  options: {
    'data-dir': { type: 'string' },
    'database-url': { type: 'string' },
    config: { type: 'string' },
    'page-size': { type: 'string' },
  },
  run: async ({ values }) => {
    const config = await readConfig('refresh', values.config)
    if (config === 2) return 2
    const pageSize = Number(values['page-size'] ?? 5_000)
    if (!Number.isInteger(pageSize) || pageSize < 1) {
      console.error(`ecrm refresh: --page-size must be a positive integer (got ${values['page-size']})`)
      return 2
    }
    const store = await openStore(values, config?.derive)
    try {
      const result = await store.refresh({ pageSize })
      console.log(
        `ecrm refresh: ${result.customers} profiles (${result.buyers} buyers), RFM by ${result.rfmMethod}, ` +
          `CLV ${result.clvFitted ? 'fitted' : 'not fitted (too few repeat buyers)'}, ${result.segmentChanges} segment changes, ${result.durationMs} ms`,
      )
      return 0
    } finally {
      await store.close()
    }
  },
})
