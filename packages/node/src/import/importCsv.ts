import type { EcrmEvent } from '@ecrm/core'
import { EcrmError } from '@ecrm/core'
import type { ColumnMapping } from '../analyze/columns.js'
import { validateEvent } from '../coreImports.js'
import type { CsvDialect } from '../csv/csvDialect.js'
import { openCsv } from '../csv/readCsvRecords.js'
import type { CsvRecord } from '../csv/readCsvRecords.js'
import type { Store } from '../store/storeTypes.js'
import { resolveImportColumns } from './importColumns.js'
import type { ImportColumns, ImportKind } from './importColumns.js'
import { customerEvent, orderEvent } from './rowEvents.js'
import type { RowEvent } from './rowEvents.js'
import { spendKey, spendRow, writeSpend } from './spendRows.js'
import type { SpendRow } from './spendRows.js'

/** A row that was not imported: its line in the file, and the field and reason. */
export interface ImportRowError {
  /** 1-based line the row starts on. */
  readonly line: number
  /** The zod path inside the event (`properties.currency`), or `column "<name>"`; '' for an unreadable record. */
  readonly path: string
  readonly message: string
}

/** Options of {@link importCsv}. */
export interface ImportCsvOptions {
  /** What the file holds. @default told from the header */
  readonly kind?: ImportKind
  /** Which columns hold an order's customer, date and amount (as `ecrm analyze` takes them); `customer` also names a customers file's id column. */
  readonly columns?: ColumnMapping
  /** The currency of orders and spend rows without a currency column (ISO 4217). @default none */
  readonly currency?: string
  /** Events per `insertEvents` call (and transaction). @default 500 */
  readonly batchSize?: number
  /** Row errors kept in the result; the rest are only counted. @default 100 */
  readonly maxErrors?: number
  /** The time of customers rows without a sign-up date, epoch ms. @default now */
  readonly now?: number
  /** Called as the file is read (about every 64 KiB) with the bytes read and the rows so far. */
  readonly onProgress?: (progress: { bytesRead: number; totalBytes: number; rows: number }) => void
}

/** What {@link importCsv} did with a file. */
export interface ImportSummary {
  readonly file: string
  readonly kind: ImportKind
  readonly dialect: CsvDialect
  /** Data rows read (the header not counted). */
  readonly rows: number
  /** Events stored now (spend: day/channel/campaign keys stored for the first time). */
  readonly imported: number
  /** Rows already stored by an earlier import (spend: keys whose amount was replaced). */
  readonly duplicates: number
  /** Rows not imported. */
  readonly errorCount: number
  /** The first `maxErrors` of them, in file order. */
  readonly errors: readonly ImportRowError[]
}

/**
 * Imports a customers, orders or spend CSV into a store. Customers and orders rows become the
 * events a site would have sent (`identify` with traits; `Order Completed` at the row's date),
 * validated as the collector validates and stored with `insertEvents`, so profiles fold exactly as
 * at ingest; every message id is a hash of the row's key, so a second import of the file adds
 * nothing. Spend rows are upserted into `ecrm_spend`. A row that fails is reported with its line and
 * the field (the zod path), and the other rows are imported. Call `store.refresh()` afterwards to
 * refit RFM, CLV and segments over the whole base. Throws `EcrmError` `invalid_input` for a file
 * whose kind cannot be told or that lacks a required column, before any row is stored.
 *
 * @example
 * const summary = await importCsv(store, 'orders.csv', { currency: 'EUR' })
 * await store.refresh()
 */
export async function importCsv(
  store: Pick<Store, 'insertEvents' | 'query'>,
  path: string,
  options: ImportCsvOptions = {},
): Promise<ImportSummary> {
  let progress = { bytesRead: 0, totalBytes: 0 }
  const rowsSoFar = { rows: 0 }
  const file = await openCsv(path, {
    onProgress: (bytesRead, totalBytes) => {
      progress = { bytesRead, totalBytes }
      options.onProgress?.({ ...progress, rows: rowsSoFar.rows })
    },
  })
  return importRecords(
    store,
    { name: path, dialect: file.dialect, records: file.records },
    {
      ...options,
      onProgress: ({ rows }) => {
        rowsSoFar.rows = rows
        options.onProgress?.({ ...progress, rows })
      },
    },
  )
}

/** Records to import: a file's, or a query's (its column names first, as a header). */
export interface ImportSource {
  /** The file path or a name for the source, used in messages. */
  readonly name: string
  readonly dialect: CsvDialect
  readonly records: () => AsyncIterable<CsvRecord>
}

/**
 * {@link importCsv} over any records: the first is the header (or, for an orders file without
 * one, the first row). Progress is called after each stored batch with `bytesRead` 0.
 */
export async function importRecords(
  store: Pick<Store, 'insertEvents' | 'query'>,
  source: ImportSource,
  options: ImportCsvOptions = {},
): Promise<ImportSummary> {
  const { batchSize = 500, maxErrors = 100 } = options
  const now = new Date(options.now ?? Date.now()).toISOString()
  const { name: path, dialect } = source
  let rows = 0
  let imported = 0
  let duplicates = 0
  let errorCount = 0
  const errors: ImportRowError[] = []
  const fail = (line: number, path: string, message: string): void => {
    errorCount += 1
    if (errors.length < maxErrors) errors.push({ line, path, message })
  }
  let columns: ImportColumns | undefined
  const seenOrders = new Map<string, number>()
  const spend = new Map<string, SpendRow>()
  let batch: { line: number; event: EcrmEvent }[] = []
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return
    const lines = new Map(batch.map(({ line, event }) => [event, line]))
    const result = await store.insertEvents(batch.map(({ event }) => event))
    imported += result.inserted
    duplicates += result.duplicates
    for (const { event, issue } of result.refused ?? [])
      fail(lines.get(event) ?? 0, issue.path.join('.'), issue.message)
    batch = []
    options.onProgress?.({ bytesRead: 0, totalBytes: 0, rows })
  }

  for await (const record of source.records()) {
    if ('error' in record) {
      rows += 1
      fail(record.line, '', record.error)
      continue
    }
    const { line, fields } = record
    if (columns === undefined) {
      columns = resolveImportColumns(fields, dialect, path, options.kind, options.columns)
      if (columns.kind !== 'orders' || columns.layout.hasHeader) continue
    }
    rows += 1
    if (columns.kind === 'spend') {
      const row = spendRow(fields, columns, dialect, options.currency)
      if ('path' in row) fail(line, row.path, row.message)
      else {
        // Two rows of one key in a file are one day's spend in parts (ad groups): added up.
        const key = spendKey(row)
        const before = spend.get(key)
        spend.set(key, before === undefined ? row : { ...row, amount: before.amount + row.amount })
      }
      continue
    }
    const built: RowEvent =
      columns.kind === 'customers'
        ? customerEvent(fields, columns, now)
        : orderEvent(fields, columns, dialect, seenOrders, options.currency)
    if ('problem' in built) {
      fail(line, built.problem.path, built.problem.message)
      continue
    }
    const checked = validateEvent(built.event)
    if (!checked.ok) {
      const [issue] = checked.issues
      fail(line, issue?.path.join('.') ?? '', issue?.message ?? 'invalid event')
      continue
    }
    batch.push({ line, event: checked.event })
    if (batch.length >= batchSize) await flush()
  }
  await flush()
  if (columns === undefined) throw new EcrmError('invalid_input', `ecrm import cannot read ${path}: the file is empty`)
  if (spend.size > 0) {
    const written = await writeSpend(store, spend.values())
    imported += written.inserted
    duplicates += written.replaced
  }
  errors.sort((a, b) => a.line - b.line)
  return { file: path, kind: columns.kind, dialect, rows, imported, duplicates, errorCount, errors }
}
