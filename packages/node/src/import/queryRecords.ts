import { EcrmError } from '@ecrm/core'
import type { CsvRecord } from '../csv/readCsvRecords.js'
import type { ImportSource } from './importCsv.js'

/** The piece of a `pg` Client the query source uses (structural: no `@types/pg` needed). */
interface PgClientLike {
  connect(): Promise<unknown>
  query(sql: string): Promise<{ rows: Record<string, unknown>[]; fields: { name: string; dataTypeID: number }[] }>
  end(): Promise<void>
}

/** Rows fetched per round trip; memory stays bounded by one page whatever the query returns. */
const PAGE = 1_000

/**
 * The rows of a PostgreSQL query (a shop's own database) as import records: the column names
 * first, as a header, then each row as text (numbers as `1234.5`, dates and timestamps as ISO
 * 8601, null as empty), row N of the result as line N + 1 so messages count rows as a file's lines
 * would. Read through a server-side cursor, a page at a time, in one read-only transaction.
 *
 * @example
 * await importRecords(store, queryRecords(url, 'select customer_id, created_at, total from orders'))
 */
export function queryRecords(connectionString: string, sql: string): ImportSource {
  return {
    name: 'the query',
    dialect: { delimiter: ',', decimal: '.' },
    records: () => fetchRows(connectionString, sql),
  }
}

async function* fetchRows(connectionString: string, sql: string): AsyncGenerator<CsvRecord> {
  let pg: { Client: new (config: object) => PgClientLike; default?: { Client: new (config: object) => PgClientLike } }
  try {
    pg = (await import('pg')) as unknown as typeof pg
  } catch (error) {
    throw new EcrmError('missing_dependency', 'ecrm import --postgres-query failed: pg (install it: npm i pg)', {
      cause: error,
    })
  }
  const Client = pg.default?.Client ?? pg.Client
  const client = new Client({ connectionString })
  await client.connect()
  try {
    await client.query('begin read only')
    try {
      await client.query(`declare ecrm_import no scroll cursor for ${sql}`)
    } catch (error) {
      throw new EcrmError(
        'invalid_input',
        `ecrm import cannot read the query: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      )
    }
    let line = 1
    let header = false
    for (;;) {
      const page = await client.query(`fetch ${PAGE} from ecrm_import`)
      if (!header) {
        header = true
        yield { line, fields: page.fields.map((field) => field.name) }
      }
      for (const row of page.rows) {
        line += 1
        yield { line, fields: page.fields.map((field) => asText(row[field.name], field.dataTypeID === DATE_OID)) }
      }
      if (page.rows.length < PAGE) break
    }
    await client.query('commit')
  } finally {
    await client.end()
  }
}

/** PostgreSQL's type id of `date`, which pg parses to a local midnight. */
const DATE_OID = 1082

/** A value as a CSV field would hold it. */
function asText(value: unknown, isDate: boolean): string {
  if (value === null || value === undefined) return ''
  if (value instanceof Date) {
    if (!isDate) return value.toISOString()
    // Read back in local time, the calendar day the database holds, whatever the process's zone.
    const pad = (n: number): string => String(n).padStart(2, '0')
    return `${value.getFullYear()}-${pad(value.getMonth() + 1)}-${pad(value.getDate())}`
  }
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}
