import { defineCommand } from './command.js'

/** `ecrm analyze`: customer analysis (BG/NBD, Gamma-Gamma, RFM, CLV) of an orders file, with an HTML report. */
export const analyzeCommand = defineCommand({
  name: 'analyze',
  summary: 'Customer analysis (RFM, P(alive), CLV) from an orders file, with an HTML report',
  usage: `Usage: ecrm analyze <orders file> [options]

Reads orders (customer, date, amount), fits BG/NBD and Gamma-Gamma, scores RFM, P(alive),
expected purchases and CLV per customer, and writes them plus an HTML report.
  --output <path>           per-customer results (default <input>.customers.csv)
  --format csv|json         results format (default csv)
  --report <path>           HTML report path (default: output with .html)   --no-report  none
  --customer <col>          customer id column (name or 0-based index; detected by default)
  --date <col>              order date column
  --amount <col>            order amount column (currency units)
  --calibration-end <date>  yyyy-mm-dd (default the last order's day)
  --unit weeks|days         model time unit (default weeks)
  --horizon <n>             CLV horizon in units (default 52 weeks / 365 days)
  --discount-rate <r>       annual discount rate (default 0.1)
  --margin <m>              profit share of revenue, 0-1 (default 1)
  --currency <symbol>       printed before money in the report
  --title <text>            report title
  -h, --help                this text`,
  allowPositionals: true,
  options: {
    output: { type: 'string' },
    format: { type: 'string' },
    report: { type: 'string' },
    'no-report': { type: 'boolean' },
    customer: { type: 'string' },
    date: { type: 'string' },
    amount: { type: 'string' },
    'calibration-end': { type: 'string' },
    unit: { type: 'string' },
    horizon: { type: 'string' },
    'discount-rate': { type: 'string' },
    margin: { type: 'string' },
    currency: { type: 'string' },
    title: { type: 'string' },
  },
  run: async ({ values, positionals }) => {
    const [input] = positionals
    if (input === undefined) {
      console.log(analyzeCommand.usage)
      return 2
    }
    if (values.format !== undefined && values.format !== 'csv' && values.format !== 'json') {
      console.error(`ecrm analyze: --format must be csv or json (got ${values.format})`)
      return 2
    }
    if (values.unit !== undefined && values.unit !== 'weeks' && values.unit !== 'days') {
      console.error(`ecrm analyze: --unit must be weeks or days (got ${values.unit})`)
      return 2
    }
    const column = (value: string | undefined): string | number | undefined =>
      value === undefined ? undefined : /^\d+$/.test(value) ? Number(value) : value
    const columns = { customer: column(values.customer), date: column(values.date), amount: column(values.amount) }
    const numberOf = (name: string, value: string | undefined): number | undefined => {
      if (value === undefined) return undefined
      const parsed = Number(value)
      if (!Number.isFinite(parsed)) throw new Error(`--${name} must be a number (got ${value})`)
      return parsed
    }
    const format = values.format as 'csv' | 'json' | undefined
    const output = values.output ?? `${input.replace(/\.[^./\\]+$/, '')}.customers.${format ?? 'csv'}`
    const { runAnalyze } = await import('../analyze/index.js')
    const defined = <T extends object>(object: T): T =>
      Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T
    const summary = await runAnalyze(
      defined({
        input,
        output,
        format,
        report: values['no-report'] === true ? (false as const) : values.report,
        columns: Object.values(columns).some((value) => value !== undefined) ? defined(columns) : undefined,
        calibrationEnd: values['calibration-end'],
        unit: values.unit as 'weeks' | 'days' | undefined,
        horizon: numberOf('horizon', values.horizon),
        discountRate: numberOf('discount-rate', values['discount-rate']),
        margin: numberOf('margin', values.margin),
        currency: values.currency,
        title: values.title,
        // A progress line on terminals only; pipes and CI logs stay clean.
        onProgress: process.stderr.isTTY
          ? (read: number, total: number) =>
              process.stderr.write(`\rreading ${Math.floor((100 * read) / Math.max(total, 1))}%`)
          : undefined,
      }) as Parameters<typeof runAnalyze>[0],
    )
    if (process.stderr.isTTY) process.stderr.write('\n')
    console.log(
      `ecrm analyze: ${summary.customers} customers from ${summary.rows} rows in ${Math.round(summary.durationMs)} ms`,
    )
    if (summary.badRowCount > 0) {
      console.log(`ecrm analyze: skipped ${summary.badRowCount} bad rows, e.g.`)
      for (const row of summary.badRows.slice(0, 5)) console.log(`  line ${row.line}: ${row.reason}`)
    }
    for (const note of summary.notes) console.log(`ecrm analyze: ${note}`)
    console.log(`ecrm analyze: wrote ${summary.output}${summary.report === null ? '' : ` and ${summary.report}`}`)
    return 0
  },
})
