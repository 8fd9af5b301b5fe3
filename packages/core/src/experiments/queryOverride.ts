/**
 * Reads a QA override `name=<index>` from a query string, without touching any global.
 *
 * Accepts a bare search string (`?a=1`), one without `?`, or a whole URL; stops at `#`. The value
 * must be a whole number below `count`; anything else (negative, decimal, text, out of range, a
 * malformed escape) is ignored and gives `null`, so a mistyped link never breaks the page.
 *
 * @example
 * readQueryOverride('?ecrm_exp_cta=1', 'ecrm_exp_cta', 2) // 1
 */
export function readQueryOverride(search: string, name: string, count: number): number | null {
  const hashAt = search.indexOf('#')
  const withoutHash = hashAt === -1 ? search : search.slice(0, hashAt)
  const queryAt = withoutHash.indexOf('?')
  // A string containing '://' without '?' is a URL with no query at all.
  if (queryAt === -1 && withoutHash.includes('://')) return null
  const query = queryAt === -1 ? withoutHash : withoutHash.slice(queryAt + 1)
  for (const pair of query.split('&')) {
    const equalsAt = pair.indexOf('=')
    if (equalsAt === -1) continue
    const key = decode(pair.slice(0, equalsAt))
    if (key !== name) continue
    const value = decode(pair.slice(equalsAt + 1))
    if (value === null || !/^[0-9]+$/.test(value)) return null
    const index = Number(value)
    return index < count ? index : null
  }
  return null
}

function decode(text: string): string | null {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '))
  } catch {
    return null
  }
}
