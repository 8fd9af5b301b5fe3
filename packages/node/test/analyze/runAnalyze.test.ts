import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runAnalyze } from '../../src/analyze/index.js'
// One seeded generator (mulberry32) for the tests: the generated shop is the same on every run.
import { createRandom } from '../../../core/test/clv/simulate.js'

const dataDir = fileURLToPath(new URL('../../../../../shared/data/', import.meta.url))
const hasCdnow = existsSync(`${dataDir}CDNOW_master.txt`)
if (!hasCdnow && process.env.CI === 'true') {
  throw new Error(`CDNOW reference data missing: ${dataDir} (CI must provide ../shared/data beside the repo)`)
}

let dir = ''
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ecrm-analyze-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const parseCsv = (text: string): Record<string, string>[] => {
  const [header = '', ...lines] = text.trim().split('\n')
  const names = header.split(',')
  return lines.map((line) => Object.fromEntries(line.split(',').map((value, index) => [names[index], value])))
}

describe('runAnalyze', () => {
  it('summarises a small CSV by hand-checkable numbers and reports bad rows by line', async () => {
    const input = join(dir, 'small.csv')
    await writeFile(
      input,
      [
        'order_id,customer_email,created_at,total',
        'o1,ann@example.com,2024-01-01T09:00:00Z,10.00',
        'o2,ann@example.com,2024-01-01T18:00:00Z,5.00', // same day: merged
        'o3,ann@example.com,2024-01-15,"$1,030.00"',
        'o4,bob@example.com,2024-01-08,20',
        'o5,bob@example.com,03/04/2024,20', // line 6: ambiguous date
        'o6,,2024-01-09,20', // line 7: no customer
        'o7,cy@example.com,2024-01-29,abc', // line 8: bad amount
        'o8,cy@example.com,2024-01-29,7.5',
      ].join('\n'),
    )
    const output = join(dir, 'small.csv.out.csv')
    const summary = await runAnalyze({ input, output })
    expect(summary.rows).toBe(5)
    expect(summary.badRowCount).toBe(3)
    expect(summary.badRows.map(({ line }) => line)).toEqual([6, 7, 8])
    expect(summary.badRows[0]?.reason).toMatch(/unrecognised date "03\/04\/2024"/)
    expect(summary.customers).toBe(3)
    expect(summary.bgNbd).toBeNull() // one repeat buyer: too little to fit
    expect(summary.notes.join(' ')).toMatch(/historic only/)

    const rows = parseCsv(await readFile(output, 'utf8'))
    const ann = rows.find((row) => row.customer_id === 'ann@example.com')
    // Calibration ends on the last order day, 2024-01-29: Ann's T = 28 days = 4 weeks, t_x = 2 weeks.
    expect(ann).toMatchObject({
      frequency: '1',
      recency: '2',
      T: '4',
      mean_repeat_spend: '1030',
      total_spend: '1045',
      historic_clv: '1045',
      clv: '',
    })
    expect(ann?.segment).not.toBe('')
    const html = await readFile(join(dir, 'small.csv.out.html'), 'utf8')
    expect(html).toContain('<svg')
    expect(html).toContain('line 6: column &#34;created_at&#34;: unrecognised date')
  })

  it('fits the models on a generated shop and writes JSON', async () => {
    const random = createRandom(11)
    const lines = ['customer,date,amount']
    const start = Date.UTC(2023, 0, 1)
    for (let customer = 0; customer < 600; customer += 1) {
      const rate = 0.02 + 0.2 * random() // purchases a day while alive
      const life = -Math.log(1 - random()) * 200 // days
      let day = Math.floor(random() * 120)
      while (day < Math.min(life, 365)) {
        lines.push(
          `c${customer},${new Date(start + day * 86_400_000).toISOString().slice(0, 10)},${(10 + 40 * random()).toFixed(2)}`,
        )
        day += Math.max(1, Math.round(-Math.log(1 - random()) / rate))
      }
    }
    const input = join(dir, 'shop.csv')
    await writeFile(input, lines.join('\n'))
    const output = join(dir, 'shop.json')
    const summary = await runAnalyze({
      input,
      output,
      format: 'json',
      calibrationEnd: '2023-12-31',
      unit: 'days',
      horizon: 365,
    })
    expect(summary.bgNbd).not.toBeNull()
    expect(summary.gammaGamma).not.toBeNull()
    const { meta, customers } = JSON.parse(await readFile(output, 'utf8')) as {
      meta: { calibrationEnd: string; unit: string }
      customers: Record<string, number | string | null>[]
    }
    expect(meta).toMatchObject({ calibrationEnd: '2023-12-31', unit: 'days' })
    expect(customers).toHaveLength(summary.customers)
    for (const customer of customers) {
      expect(customer.p_alive).toBeGreaterThanOrEqual(0)
      expect(customer.p_alive).toBeLessThanOrEqual(1)
      expect(customer.clv).toBeGreaterThanOrEqual(0)
    }
    // The one-time buyers are alive for sure in BG/NBD; recent repeat buyers beat long-silent ones.
    expect(customers.filter((c) => c.frequency === 0).every((c) => c.p_alive === 1)).toBe(true)
    const segmentTotal = Object.values(summary.segments).reduce((sum, count) => sum + count, 0)
    expect(segmentTotal).toBe(summary.customers)
  })

  it('throws a clear error when the columns cannot be found', async () => {
    const input = join(dir, 'odd.csv')
    await writeFile(input, 'foo,bar,baz\n1,2,3\n')
    await expect(runAnalyze({ input, output: join(dir, 'odd.out.csv') })).rejects.toThrow(
      /no customer column found among foo, bar, baz/,
    )
  })

  it('reads a ; file with decimal commas and quoted line breaks as a spreadsheet wrote it', async () => {
    const input = join(dir, 'european.csv')
    await writeFile(
      input,
      'kunde;datum;betrag;notiz\nc1;2024-01-01;12,50;"erste\nzweite Zeile"\nc1;2024-02-01;1.000,25;x\nc2;2024-01-15;7,25;y\n',
    )
    const summary = await runAnalyze({
      input,
      output: join(dir, 'european.out.csv'),
      report: false,
      columns: { customer: 'kunde', date: 'datum', amount: 'betrag' },
    })
    expect(summary).toMatchObject({ customers: 2, rows: 3, badRowCount: 0 })
    const rows = parseCsv(await readFile(join(dir, 'european.out.csv'), 'utf8'))
    expect(Number(rows.find((row) => row['customer_id'] === 'c1')?.['total_spend'])).toBeCloseTo(1012.75, 6)
  })

  it('says which line and column failed and what was expected when no row parses', async () => {
    const input = join(dir, 'all-bad.csv')
    await writeFile(input, 'customer;date;amount\nc1;01.03.2024;12,50\nc2;02.03.2024;3,00\n')
    await expect(runAnalyze({ input, output: join(dir, 'all-bad.out.csv') })).rejects.toThrow(
      'the first at line 2: column "date": unrecognised date "01.03.2024" (expected yyyymmdd, ISO 8601 (2024-03-01, 2024-03-01T10:00:00Z) or epoch seconds); read as ";"-separated with decimal commas',
    )
  })

  it.skipIf(!hasCdnow)(
    `analyzes CDNOW_master.txt (whitespace, 69,659 orders)${hasCdnow ? '' : ` (skipped: ${dataDir} is absent)`}`,
    async () => {
      const output = join(dir, 'cdnow.csv')
      const progress: number[] = []
      const summary = await runAnalyze({
        input: `${dataDir}CDNOW_master.txt`,
        output,
        calibrationEnd: '1997-09-30',
        currency: '$',
        onProgress: (bytes) => progress.push(bytes),
      })
      expect(summary.rows).toBe(69_659)
      expect(summary.badRowCount).toBe(0)
      expect(summary.customers).toBe(23_570) // all first purchases are in Q1 1997
      expect(progress.at(-1)).toBeGreaterThan(1_900_000)
      // The full data set behaves like the published 1/10 sample: r ≈ 0.24, α ≈ 4.4 (weeks).
      expect(summary.bgNbd?.r).toBeGreaterThan(0.2)
      expect(summary.bgNbd?.r).toBeLessThan(0.3)
      const rows = parseCsv(await readFile(output, 'utf8'))
      expect(rows).toHaveLength(23_570)
      expect(rows.every((row) => row.clv !== '' && row.segment !== '')).toBe(true)
    },
    60_000,
  )
})
