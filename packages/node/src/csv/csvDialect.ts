import { parse } from 'csv-parse/sync'

/** A field delimiter, or `whitespace` for runs of spaces (as in CDNOW_master.txt). */
export type Delimiter = ',' | ';' | '\t' | '|' | 'whitespace'

/** How a delimited file is written: what separates fields, and what separates decimals. */
export interface CsvDialect {
  readonly delimiter: Delimiter
  /** `,` in files written by spreadsheets in most of Europe (`12,50` means 12.5). */
  readonly decimal: '.' | ','
}

const DELIMITERS = [',', ';', '\t', '|'] as const
/** Records of the sample weighed; enough to see a pattern, few enough to stay instant. */
const SAMPLE_RECORDS = 200

/** Parses the sample with one delimiter, quotes respected; an unparseable sample has no records. */
function sampleRecords(sample: string, delimiter: string): string[][] {
  try {
    return parse(sample, {
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      to: SAMPLE_RECORDS,
    }) as string[][]
  } catch {
    return []
  }
}

/**
 * Picks the dialect of a file from its first kilobytes: the delimiter whose records agree with
 * the first one's field count most often (quoted fields respected, so `"a, b"` does not count a
 * comma), else whitespace; and, for `;`, tab and `|` files, a decimal comma when numbers such as
 * `12,50` or `1.234,50` outnumber `12.50`. A `,` file always has decimal points.
 *
 * @example
 * detectDialect('customer;date;amount\nc1;2024-03-01;12,50\n') // { delimiter: ';', decimal: ',' }
 */
export function detectDialect(sample: string): CsvDialect {
  let best: { delimiter: Delimiter; score: number; width: number; records: string[][] } = {
    delimiter: 'whitespace',
    score: 0,
    width: 0,
    records: [],
  }
  for (const delimiter of DELIMITERS) {
    const records = sampleRecords(sample, delimiter)
    const width = records[0]?.length ?? 0
    if (width < 2) continue
    const score = records.filter((record) => record.length === width).length
    if (score > best.score || (score === best.score && width > best.width)) best = { delimiter, score, width, records }
  }
  if (best.delimiter === ',' || best.delimiter === 'whitespace') return { delimiter: best.delimiter, decimal: '.' }
  let commas = 0
  let points = 0
  for (const record of best.records) {
    for (const field of record) {
      const value = field.trim()
      if (/^[-+]?\d{1,3}(\.\d{3})*,\d+$|^[-+]?\d+,\d+$/.test(value)) commas += 1
      else if (/^[-+]?\d+\.\d{1,2}$/.test(value)) points += 1
    }
  }
  return { delimiter: best.delimiter, decimal: commas > points ? ',' : '.' }
}

/** How a dialect is said in messages: `";" with decimal commas`. */
export function describeDialect(dialect: CsvDialect): string {
  const name =
    dialect.delimiter === '\t' ? 'tab' : dialect.delimiter === 'whitespace' ? 'whitespace' : `"${dialect.delimiter}"`
  return `${name}-separated${dialect.decimal === ',' ? ' with decimal commas' : ''}`
}
