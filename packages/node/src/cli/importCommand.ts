import { EcrmError } from '@ecrm/core'
import { defineCommand } from './command.js'
import { openStore } from './openStore.js'
import { readConfig } from './readConfig.js'
import type { ImportKind } from '../import/importColumns.js'

const KINDS: readonly string[] = ['customers', 'orders', 'spend']
/** Row errors printed per file; the summary counts them all. */
const PRINTED_ERRORS = 20

/** `ecrm import`: customers, orders and spend CSV files into the store, then a refresh. */
export const importCommand = defineCommand({
  name: 'import',
  summary: 'Import customers, orders and spend CSV files into the store (idempotent), then refresh',
  usage: `Usage: ecrm import <file>... [options]
       ecrm import --postgres-query "select ..." [--postgres-url <url>] [options]

Imports each file into the store: customers (identify with traits), orders (Order Completed at
the row's date) or marketing spend (per day and channel), told from the header. Importing a file
again adds nothing. Then refits RFM, CLV and segments over the whole base.
  --kind customers|orders|spend  what the files hold (default: told from each header)
  --currency <code>     currency of orders and spend without a currency column (e.g. EUR)
  --customer <col>      customer id column (name or 0-based index; detected by default)
  --date <col>          order date column
  --amount <col>        order amount column (currency units)
  --postgres-query <sql>  also import the rows of this query (its column names as the header)
  --postgres-url <url>  the database the query runs on (default: the store's --database-url)
  --data-dir <path>     embedded PGlite data directory (default .ecrm-data)
  --database-url <url>  PostgreSQL instead of PGlite (env DATABASE_URL)
  --config <file>       ecrm.config.json (what the refresh derives)
  --no-refresh          skip the refresh (run \`ecrm refresh\` later)
  -h, --help            this text

Exit code 0 when every row was imported, 1 when some rows failed (the others are imported),
2 for a file that cannot be read (a missing column, an unknown kind).`,
  allowPositionals: true,
  options: {
    kind: { type: 'string' },
    currency: { type: 'string' },
    customer: { type: 'string' },
    date: { type: 'string' },
    amount: { type: 'string' },
    'postgres-query': { type: 'string' },
    'postgres-url': { type: 'string' },
    'data-dir': { type: 'string' },
    'database-url': { type: 'string' },
    config: { type: 'string' },
    'no-refresh': { type: 'boolean' },
  },
  run: async ({ values, positionals }) => {
    const query = values['postgres-query']
    const queryUrl = values['postgres-url'] ?? values['database-url'] ?? process.env['DATABASE_URL']
    if (positionals.length === 0 && query === undefined) {
      console.error(`ecrm import: no file given\n\n${importCommand.usage}`)
      return 2
    }
    if (query !== undefined && (queryUrl === undefined || queryUrl === '')) {
      console.error('ecrm import: --postgres-query needs --postgres-url (or --database-url / DATABASE_URL)')
      return 2
    }
    if (values.kind !== undefined && !KINDS.includes(values.kind)) {
      console.error(`ecrm import: --kind must be customers, orders or spend (got ${values.kind})`)
      return 2
    }
    if (values.currency !== undefined && !/^[A-Z]{3}$/.test(values.currency)) {
      console.error(
        `ecrm import: --currency must be a 3-letter ISO 4217 code in capitals, e.g. EUR (got ${values.currency})`,
      )
      return 2
    }
    const config = await readConfig('import', values.config)
    if (config === 2) return 2
    const column = (value: string | undefined): string | number | undefined =>
      value === undefined ? undefined : /^\d+$/.test(value) ? Number(value) : value
    const columns = Object.fromEntries(
      Object.entries({
        customer: column(values.customer),
        date: column(values.date),
        amount: column(values.amount),
      }).filter(([, value]) => value !== undefined),
    )
    const { importCsv, importRecords } = await import('../import/importCsv.js')
    const { queryRecords } = await import('../import/queryRecords.js')
    type Options = Parameters<typeof importCsv>[2]
    const { createProgress } = await import('./importProgress.js')
    // Ingest only folds; the refresh at the end derives every profile once, with a fit over all of them.
    const store = await openStore(values, config?.derive, { deriveAtIngest: false })
    // A query's rows are counted as rows (row 1 is the first), a file's as lines (the header is line 1).
    const sources: {
      name: string
      where: (line: number) => string
      run: (options: Options) => ReturnType<typeof importCsv>
    }[] = [
      ...positionals.map((file) => ({
        name: file,
        where: (line: number) => `${file} line ${line}`,
        run: (options: Options) => importCsv(store, file, options),
      })),
      ...(query === undefined
        ? []
        : [
            {
              name: 'the query',
              where: (line: number) => `the query row ${line - 1}`,
              run: (options: Options) => importRecords(store, queryRecords(queryUrl as string, query), options),
            },
          ]),
    ]
    let failedRows = 0
    let badFiles = 0
    try {
      for (const { name: file, where, run } of sources) {
        const progress = createProgress(file, process.stderr)
        let summary: Awaited<ReturnType<typeof importCsv>>
        try {
          summary = await run({
            ...(values.kind === undefined ? {} : { kind: values.kind as ImportKind }),
            ...(values.currency === undefined ? {} : { currency: values.currency }),
            columns,
            onProgress: progress.update,
          })
        } catch (error) {
          progress.end()
          if (error instanceof EcrmError && error.code === 'invalid_input') {
            // Nothing of this file was stored; the other files still are, and refreshed.
            console.error(error.message)
            badFiles += 1
            continue
          }
          throw error
        }
        progress.end()
        failedRows += summary.errorCount
        console.log(
          `ecrm import: ${file} (${summary.kind}): ${summary.rows} rows read, ${summary.imported} imported, ` +
            `${summary.duplicates} duplicates, ${summary.errorCount} errors`,
        )
        for (const error of summary.errors.slice(0, PRINTED_ERRORS))
          console.error(`  ${where(error.line)}: ${error.path === '' ? '' : `${error.path}: `}${error.message}`)
        if (summary.errorCount > PRINTED_ERRORS)
          console.error(`  ... and ${summary.errorCount - PRINTED_ERRORS} more errors in ${file}`)
      }
      if (values['no-refresh'] !== true) {
        const result = await store.refresh()
        console.log(
          `ecrm import: refreshed ${result.customers} profiles (${result.buyers} buyers), RFM by ${result.rfmMethod}, ` +
            `CLV ${result.clvFitted ? 'fitted' : 'not fitted (too few repeat buyers)'}, ${result.segmentChanges} segment changes`,
        )
      }
      return badFiles > 0 ? 2 : failedRows > 0 ? 1 : 0
    } finally {
      await store.close()
    }
  },
})
