import { describe, expect, it } from 'vitest'
import { detectDelimiter, parseAmount, parseDate, resolveLayout, splitFields } from '../../src/analyze/columns.js'

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
  })
})

describe('splitFields / detectDelimiter', () => {
  it('splits quoted CSV fields and whitespace runs', () => {
    expect(splitFields('a,"b, ""c""",3', ',')).toEqual(['a', 'b, "c"', '3'])
    expect(splitFields(' 00001 19970101  1   11.77', 'whitespace')).toEqual(['00001', '19970101', '1', '11.77'])
    expect(detectDelimiter('a;b;c')).toBe(';')
    expect(detectDelimiter(' customer_id  date number_of_cds  dollar_value')).toBe('whitespace')
  })
})

describe('resolveLayout', () => {
  it('maps known header names automatically', () => {
    expect(resolveLayout('Order ID,Email,Created At,Grand Total')).toMatchObject({ hasHeader: true, customer: 1, date: 2, amount: 3 })
    expect(resolveLayout(' customer_id  date number_of_cds  dollar_value')).toMatchObject({ delimiter: 'whitespace', customer: 0, date: 1, amount: 3 })
  })

  it('takes columns by name or index from the caller', () => {
    expect(resolveLayout('buyer,when,paid', { customer: 'BUYER', date: 'when', amount: 2 })).toMatchObject({ customer: 0, date: 1, amount: 2 })
  })

  it('guesses by position without a header', () => {
    expect(resolveLayout(' 00004 0001 19970101  2   29.33')).toMatchObject({ hasHeader: false, customer: 0, date: 2, amount: 4 })
  })

  it('explains what is missing', () => {
    expect(resolveLayout('foo,bar,baz')).toBe('no customer column found among foo, bar, baz (name it with --customer-column)')
    expect(resolveLayout('customer,date,total', { amount: 'price' })).toBe('no column named "price" (columns: customer, date, total)')
  })
})
