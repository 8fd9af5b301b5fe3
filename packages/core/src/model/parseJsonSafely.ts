import type { JsonValue } from './envelope.js'

/** What {@link parseJsonSafely} returns. */
export type JsonParseResult =
  | { readonly ok: true; readonly value: JsonValue }
  | {
      readonly ok: false
      /** What is wrong and where, e.g. `invalid JSON at line 1, column 7 (position 6): unexpected "}"`. */
      readonly message: string
      /** 0-based offset of the first offending character in the text (its length if the text ended early). */
      readonly position: number
      /** 1-based line and column of `position`. */
      readonly line: number
      readonly column: number
    }

/** Keys that reach an object's prototype in naive merges; they never leave the parser. */
const dangerousKeys = new Set(['__proto__', 'constructor', 'prototype'])

const dropDangerousKeys = (key: string, value: unknown): unknown => (dangerousKeys.has(key) ? undefined : value)

/**
 * Parses untrusted JSON text. Keys named `__proto__`, `constructor` and `prototype` are dropped at
 * every depth, so a later `Object.assign` or deep merge cannot reach a prototype through them. A
 * syntax error is returned, never thrown, with its position, line and column (computed here, not
 * read from the engine's message, so they are the same in every runtime).
 *
 * Not guarded: the size of `text` (cap the request body before calling).
 *
 * @example
 * const parsed = parseJsonSafely(await request.text())
 * if (!parsed.ok) return new Response(parsed.message, { status: 400 })
 * const result = validateBatch(parsed.value)
 */
export function parseJsonSafely(text: string): JsonParseResult {
  try {
    return { ok: true, value: JSON.parse(text, dropDangerousKeys) as JsonValue }
  } catch (error) {
    const position = findSyntaxErrorPosition(text)
    const before = text.slice(0, position)
    const line = before.split('\n').length
    const column = position - before.lastIndexOf('\n')
    const found =
      position < text.length ? `unexpected ${JSON.stringify(text.charAt(position))}` : 'unexpected end of input'
    const detail = error instanceof SyntaxError ? '' : ` (${String(error)})`
    return {
      ok: false,
      message: `invalid JSON at line ${line}, column ${column} (position ${position}): ${found}${detail}`,
      position,
      line,
      column,
    }
  }
}

const whitespace = new Set([' ', '\t', '\n', '\r'])
const numberPattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const escapes = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't'])
const hex4 = /^[0-9a-fA-F]{4}$/

/** Scans the string starting at `start` (a quote); returns the offset after it, or -(bad offset) - 1. */
function scanString(text: string, start: number): number {
  let at = start + 1
  while (at < text.length) {
    const char = text.charAt(at)
    if (char === '"') return at + 1
    if (char.charCodeAt(0) < 0x20) return -at - 1 // a raw control character (e.g. a newline)
    if (char === '\\') {
      const escaped = text.charAt(at + 1)
      if (escaped === 'u' ? !hex4.test(text.slice(at + 2, at + 6)) : !escapes.has(escaped)) return -(at + 1) - 1
      at += escaped === 'u' ? 6 : 2
    } else {
      at += 1
    }
  }
  return -text.length - 1
}

/**
 * Offset of the first character that makes `text` invalid JSON (RFC 8259), or `text.length` when
 * the text ends too early. A loop over an explicit stack, so deep nesting cannot overflow.
 */
export function findSyntaxErrorPosition(text: string): number {
  let at = 0
  let expecting: 'value' | 'key' | 'next' = 'value'
  const open: ('[' | '{')[] = []
  const match = (pattern: RegExp): boolean => {
    pattern.lastIndex = at
    if (!pattern.test(text)) return false
    at = pattern.lastIndex
    return true
  }
  const matchString = (): boolean => {
    if (text.charAt(at) !== '"') return false
    const end = scanString(text, at)
    at = end < 0 ? -end - 1 : end
    return end >= 0
  }
  for (;;) {
    while (at < text.length && whitespace.has(text.charAt(at))) at += 1
    const char = text.charAt(at)
    if (expecting === 'value') {
      if (char === '{' || char === '[') {
        open.push(char)
        at += 1
        while (at < text.length && whitespace.has(text.charAt(at))) at += 1
        if (text.charAt(at) === (char === '{' ? '}' : ']')) {
          open.pop()
          at += 1
          expecting = 'next'
        } else {
          expecting = char === '{' ? 'key' : 'value'
        }
        continue
      }
      const literal = ['true', 'false', 'null'].find((word) => text.startsWith(word, at))
      if (literal !== undefined) at += literal.length
      else if (!(char === '"' ? matchString() : match(numberPattern))) return at
      expecting = 'next'
    } else if (expecting === 'key') {
      if (!matchString()) return at
      while (at < text.length && whitespace.has(text.charAt(at))) at += 1
      if (text.charAt(at) !== ':') return at
      at += 1
      expecting = 'value'
    } else {
      const top = open.at(-1)
      if (top === undefined) return at // the top-level value is complete: anything left is extra
      if (char === (top === '{' ? '}' : ']')) {
        open.pop()
        at += 1
      } else if (char === ',') {
        at += 1
        expecting = top === '{' ? 'key' : 'value'
      } else {
        return at
      }
    }
  }
}
