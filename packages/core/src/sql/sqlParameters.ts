/**
 * Keeps only the parameters the SQL uses, numbered in order of appearance: PostgreSQL refuses a
 * statement with a parameter it cannot type, and folding can drop a bound value.
 */
export function renumber(sql: string, params: readonly unknown[]): { sql: string; params: unknown[] } {
  const mapping = new Map<string, string>()
  const kept: unknown[] = []
  const text = sql.replace(/\$(\d+)/g, (_match, index: string) => {
    let name = mapping.get(index)
    if (name === undefined) {
      kept.push(params[Number(index) - 1])
      name = `$${kept.length}`
      mapping.set(index, name)
    }
    return name
  })
  return { sql: text, params: kept }
}
