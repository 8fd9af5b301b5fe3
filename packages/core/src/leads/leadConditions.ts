import type { LeadCondition } from './leadModelSchema.js'

type Scalar = string | number | boolean | null

/** Reads a dotted path (`company.employee_count`); an exact key with dots wins. */
export function readField(data: unknown, field: string): unknown {
  if (typeof data !== 'object' || data === null) return undefined
  const record = data as Record<string, unknown>
  if (field in record) return record[field]
  let current: unknown = data
  for (const part of field.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined
    current = (current as Record<string, unknown>)[part]
  }
  return current
}

/**
 * True when `data` meets the condition. String comparisons ignore case. `contains`,
 * `contains_any` and `not_contains_any` match whole words, so "Head of Sales" contains
 * "head of" and "/pricing/teams" contains "/pricing", but "Director" does not contain "cto".
 * A missing field fails every operator but `not_exists`, `neq`, `nin` and `not_contains_any`.
 */
export function meetsCondition(data: unknown, condition: LeadCondition): boolean {
  const actual = readField(data, condition.field)
  const { op, value } = condition
  switch (op) {
    case 'exists':
      return actual !== undefined && actual !== null && actual !== ''
    case 'not_exists':
      return actual === undefined || actual === null || actual === ''
    case 'eq':
      return same(actual, value)
    case 'neq':
      return !same(actual, value)
    case 'in':
      return Array.isArray(value) && value.some((item) => same(actual, item))
    case 'nin':
      return !(Array.isArray(value) && value.some((item) => same(actual, item)))
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return compare(op, actual, value)
    case 'contains':
      if (Array.isArray(actual)) return actual.some((item) => same(item, value))
      return typeof actual === 'string' && typeof value === 'string' && hasWords(actual, value)
    case 'contains_any':
      return (
        typeof actual === 'string' &&
        Array.isArray(value) &&
        value.some((item) => typeof item === 'string' && hasWords(actual, item))
      )
    case 'not_contains_any':
      return !(
        typeof actual === 'string' &&
        Array.isArray(value) &&
        value.some((item) => typeof item === 'string' && hasWords(actual, item))
      )
    case 'starts_with':
      return typeof actual === 'string' && typeof value === 'string' && fold(actual).startsWith(fold(value))
    case 'ends_with':
      return typeof actual === 'string' && typeof value === 'string' && fold(actual).endsWith(fold(value))
  }
}

/** True when every condition holds (an empty list holds). */
export function meetsAll(data: unknown, conditions: readonly LeadCondition[] | undefined): boolean {
  return (conditions ?? []).every((condition) => meetsCondition(data, condition))
}

/** True when the words of `phrase` appear, in a row, among the words of `text`. */
function hasWords(text: string, phrase: string): boolean {
  const words = wordsOf(text)
  const wanted = wordsOf(phrase)
  if (wanted.length === 0) return false
  for (let start = 0; start + wanted.length <= words.length; start++) {
    if (wanted.every((word, offset) => words[start + offset] === word)) return true
  }
  return false
}

function wordsOf(text: string): string[] {
  return fold(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== '')
}

function fold(text: string): string {
  return text.toLowerCase()
}

function same(actual: unknown, expected: Scalar | Scalar[] | undefined): boolean {
  if (typeof actual === 'string' && typeof expected === 'string') return fold(actual) === fold(expected)
  return actual === expected
}

function compare(op: 'gt' | 'gte' | 'lt' | 'lte', actual: unknown, expected: unknown): boolean {
  const a =
    typeof actual === 'number'
      ? actual
      : typeof actual === 'string' && actual.trim() !== ''
        ? Number(actual)
        : Number.NaN
  if (!Number.isFinite(a) || typeof expected !== 'number') return false
  if (op === 'gt') return a > expected
  if (op === 'gte') return a >= expected
  if (op === 'lt') return a < expected
  return a <= expected
}
