import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { detectDialect } from '../../src/csv/csvDialect.js'
import { openCsv } from '../../src/csv/readCsvRecords.js'
import type { CsvRecord } from '../../src/csv/readCsvRecords.js'

const dir = mkdtempSync(join(tmpdir(), 'ecrm-csv-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function readAll(text: string): Promise<{ dialect: unknown; records: CsvRecord[] }> {
  const path = join(dir, `f${Math.random().toString(36).slice(2)}.csv`)
  writeFileSync(path, text)
  const file = await openCsv(path)
  const records: CsvRecord[] = []
  for await (const record of file.records()) records.push(record)
  return { dialect: file.dialect, records }
}

describe('detectDialect', () => {
  it('tells , ; tab | and whitespace apart, quotes respected', () => {
    expect(detectDialect('a,b,c\n1,2,3\n')).toEqual({ delimiter: ',', decimal: '.' })
    expect(detectDialect('a;b;c\n1;"x, y";3\n')).toEqual({ delimiter: ';', decimal: '.' })
    expect(detectDialect('a\tb\tc\n1\t2\t3\n')).toEqual({ delimiter: '\t', decimal: '.' })
    expect(detectDialect('a|b\n1|2\n')).toEqual({ delimiter: '|', decimal: '.' })
    expect(detectDialect(' 00001 19970101  1   11.77\n 00002 19970112  1   12.00\n')).toEqual({
      delimiter: 'whitespace',
      decimal: '.',
    })
    // Two commas in a quoted field must not outvote the semicolons.
    expect(detectDialect('name;note\n"a";"x, y, z"\n"b";"p, q, r"\n').delimiter).toBe(';')
  })

  it('sees decimal commas in ; files and never in , files', () => {
    expect(detectDialect('customer;date;amount\nc1;2024-03-01;12,50\nc2;2024-03-02;1.234,00\n')).toEqual({
      delimiter: ';',
      decimal: ',',
    })
    expect(detectDialect('customer;date;amount\nc1;2024-03-01;12.50\n')).toEqual({ delimiter: ';', decimal: '.' })
    expect(detectDialect('customer,date,amount\nc1,2024-03-01,"12,50"\n').decimal).toBe('.')
  })
})

describe('openCsv', () => {
  it('keeps a quoted field with a line break whole and numbers records by their first line', async () => {
    const { records } = await readAll('id,note,total\n1,"first line\nsecond line",10\n\n2,plain,20\n')
    expect(records).toEqual([
      { line: 1, fields: ['id', 'note', 'total'] },
      { line: 2, fields: ['1', 'first line\nsecond line', '10'] },
      { line: 5, fields: ['2', 'plain', '20'] },
    ])
  })

  it('reports a malformed record with its line and a reason, and reads on', async () => {
    const { records } = await readAll('id,total\n1,10\n2,"x"y\n3,"never closed\n')
    expect(records[0]).toEqual({ line: 1, fields: ['id', 'total'] })
    expect(records[1]).toEqual({ line: 2, fields: ['1', '10'] })
    expect(records).toContainEqual({ line: 3, error: expect.stringContaining('text after a closing quote') })
    expect(records.at(-1)).toEqual({ line: expect.any(Number), error: expect.stringContaining('never closed') })
  })

  it('strips a BOM and splits whitespace runs', async () => {
    expect((await readAll('\uFEFFa,b\n1,2\n')).records[0]).toEqual({ line: 1, fields: ['a', 'b'] })
    expect((await readAll(' 00001 19970101  1   11.77\n')).records).toEqual([
      { line: 1, fields: ['00001', '19970101', '1', '11.77'] },
    ])
  })
})
