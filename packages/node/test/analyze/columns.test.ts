import { describe, expect, it } from 'vitest'
import { resolveLayout } from '../../src/analyze/columns.js'
import { parseAmount, parseDate } from '../../src/csv/fieldValues.js'

const comma = { delimiter: ',', decimal: '.' } as const
const fields = (line: string): string[] => (line.includes(',') ? line.split(',') : line.trim().split(/\s+/))

describe('parseDate', () => {
  it('reads yyyymmdd, ISO dates and times, and epoch seconds or ms', () => {
    expect(parseDate('19970101')).toBe(Date.UTC(1997, 0, 1))
    expect(parseDate('2024-03-05')).toBe(Date.UTC(2024, 2, 5))
    expect(parseDate('2024/3/5')).toBe(Date.UTC(2024, 2, 5))
    expect(parseDate('2024-03-05T23:30:00Z')).toBe(Date.UTC(2024, 2, 5, 23, 30))
    expect(parseDate('2024-03-05 23:30:00')).toBe(Date.UTC(2024, 2, 5, 23, 30))
    expect(parseDate('2024-03-05T23:30:00+02:00')).toBe(Date.UTC(2024, 2, 5, 21, 30))
    expect(parseDate('1709596800')).toBe(Date.UTC(2024, 2, 5))
    expect(parseDate('1709596800000')).toBe(1709596800000)
  })

  it('refuses ambiguous and impossible dates instead of guessing', () => {
    expect(parseDate('03/04/2024')).toBeNull()
    expect(parseDate('20240231')).toBeNull()
    expect(parseDate('2024-13-01')).toBeNull()
    expect(parseDate('yesterday')).toBeNull()
  })
})

describe('parseAmount', () => {
  it('reads plain numbers, currency signs and thousands separators', () => {
    expect(parseAmount('29.33')).toBe(29.33)
    expect(parseAmount('$1,234.50')).toBe(1234.5)
    expect(parseAmount('19.99 EUR')).toBe(19.99)
    expect(parseAmount('-5')).toBe(-5)
  })

  it('refuses what is not a number', () => {
    expect(parseAmount('')).toBeNull()
    expect(parseAmount('abc')).toBeNull()
    expect(parseAmount('1.234,50')).toBeNull()
    expect(parseAmount('12,5', ',')).toBe(12.5)
    expect(parseAmount('1.234,50 €', ',')).toBe(1234.5)
    expect(parseAmount('1,234.50', ',')).toBeNull()
  })
})

describe('resolveLayout', () => {
  it('maps known header names automatically', () => {
    expect(resolveLayout(fields('Order ID,Email,Created At,Grand Total'), comma)).toMatchObject({
      hasHeader: true,
      customer: 1,
      date: 2,
      amount: 3,
    })
    expect(resolveLayout(fields(' customer_id  date number_of_cds  dollar_value'), comma)).toMatchObject({
      customer: 0,
      date: 1,
      amount: 3,
    })
  })

  it('takes columns by name or index from the caller', () => {
    expect(
      resolveLayout(fields('buyer,when,paid'), comma, { customer: 'BUYER', date: 'when', amount: 2 }),
    ).toMatchObject({ customer: 0, date: 1, amount: 2 })
  })

  it('guesses by position without a header', () => {
    expect(resolveLayout(fields(' 00004 0001 19970101  2   29.33'), comma)).toMatchObject({
      hasHeader: false,
      customer: 0,
      date: 2,
      amount: 4,
    })
  })

  it('explains what is missing', () => {
    expect(resolveLayout(fields('foo,bar,baz'), comma)).toBe(
      'no customer column found among foo, bar, baz (name it with --customer)',
    )
    expect(resolveLayout(fields('customer,date,total'), comma, { amount: 'price' })).toBe(
      'no column named "price" (columns: customer, date, total)',
    )
  })
})
