/**
 * Ids `${prefix}1`, `${prefix}2`, ... for tests that compare ids.
 *
 * @example
 * const createId = createSequentialIds('msg-') // 'msg-1', 'msg-2', ...
 */
export function createSequentialIds(prefix = 'id-'): () => string {
  let next = 0
  return () => `${prefix}${(next += 1)}`
}
