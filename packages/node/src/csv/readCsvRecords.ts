import { createReadStream } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { parse } from 'csv-parse'
import type { CsvError, Options } from 'csv-parse'
import { detectDialect } from './csvDialect.js'
import type { CsvDialect } from './csvDialect.js'

/** One record of a file, or why it could not be read. */
export type CsvRecord =
  | {
      /** 1-based line the record starts on (a quoted field may run over several lines). */
      readonly line: number
      readonly fields: readonly string[]
    }
  | { readonly line: number; readonly error: string }

/** Options of {@link openCsv}. */
export interface OpenCsvOptions {
  /** The dialect, when known; detected from the first 64 KiB when absent. */
  readonly dialect?: CsvDialect
  /** Called as the file is read (about every 64 KiB), for a progress bar. */
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void
}

/** An opened delimited file: its dialect and its records, streamed. */
export interface CsvFile {
  readonly dialect: CsvDialect
  readonly totalBytes: number
  /**
   * The records in file order, blank lines left out, each with its line number; a malformed
   * record (a quote never closed, text after a closing quote) comes as an `error` and reading
   * goes on. Memory stays bounded by the stream's buffers whatever the file's size.
   */
  readonly records: () => AsyncGenerator<CsvRecord>
}

const SNIFF_BYTES = 64 * 1024

/**
 * Opens a CSV (`,` `;` tab `|`, RFC 4180 quoting, a BOM tolerated) or whitespace-separated file
 * for streaming with csv-parse. Throws when the file cannot be opened.
 *
 * @example
 * const file = await openCsv('orders.csv')
 * for await (const record of file.records()) if ('fields' in record) console.log(record.line, record.fields)
 */
export async function openCsv(path: string, options: OpenCsvOptions = {}): Promise<CsvFile> {
  const totalBytes = (await stat(path)).size
  const dialect = options.dialect ?? detectDialect(await readSample(path))
  return { dialect, totalBytes, records: () => streamRecords(path, dialect, totalBytes, options.onProgress) }
}

/** The first 64 KiB, cut at the last line break so no half record is weighed. */
async function readSample(path: string): Promise<string> {
  const handle = await open(path)
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES)
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0)
    const text = buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
    const end = bytesRead === SNIFF_BYTES ? text.lastIndexOf('\n') : -1
    return end > 0 ? text.slice(0, end) : text
  } finally {
    await handle.close()
  }
}

async function* streamRecords(
  path: string,
  dialect: CsvDialect,
  totalBytes: number,
  onProgress: ((bytesRead: number, totalBytes: number) => void) | undefined,
): AsyncGenerator<CsvRecord> {
  const whitespace = dialect.delimiter === 'whitespace'
  const stream = createReadStream(path, { highWaterMark: SNIFF_BYTES })
  if (onProgress !== undefined) stream.on('data', () => onProgress(stream.bytesRead, totalBytes))
  // csv-parse calls on_skip and on_record in file order, while records wait in the stream's
  // buffer: each record carries the errors found before it, so they come out in order too.
  const skipped: CsvRecord[] = []
  const options: Options = {
    delimiter: whitespace ? ' ' : dialect.delimiter,
    bom: true,
    info: true,
    relax_column_count: true,
    skip_records_with_error: true,
    trim: !whitespace,
    on_skip: (error: CsvError | undefined) => {
      if (error !== undefined)
        skipped.push({ line: Number((error as { lines?: number }).lines ?? 0), error: csvErrorReason(error) })
      return undefined
    },
    // Runs of spaces make empty fields between them; whitespace files have no quoting to keep.
    on_record: (({ record, info }: { record: string[]; info: { lines: number } }) => ({
      record: whitespace ? record.filter((field) => field !== '') : record,
      lines: info.lines,
      before: skipped.splice(0),
    })) as unknown as NonNullable<Options['on_record']>, // with `info: true` the hook gets { record, info }, not what the typings say
  }
  const parser = parse(options)
  stream.on('error', (error) => parser.destroy(error))
  stream.pipe(parser)
  // Blank lines are kept by the parser (as one empty field) so the line count stays exact.
  let lastLine = 0
  for await (const { record, lines, before } of parser as AsyncIterable<{
    record: string[]
    lines: number
    before: CsvRecord[]
  }>) {
    for (const error of before) {
      lastLine = error.line
      yield error
    }
    const line = lastLine + 1
    lastLine = lines
    if (record.every((field) => field === '')) continue
    yield { line, fields: record }
  }
  yield* skipped
  onProgress?.(totalBytes, totalBytes)
}

/** csv-parse's message without its option dump, e.g. `a quote is not closed at the end of the file`. */
function csvErrorReason(error: CsvError): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is never closed (a " opens a field that runs to the end of the file)'
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'text after a closing quote (expected the delimiter or the end of the line after "...")'
    case 'INVALID_OPENING_QUOTE':
      return 'a quote inside an unquoted field (quote the whole field and double the inner quotes: "a ""b""")'
    default:
      return error.message.split('\n')[0] ?? error.code
  }
}
