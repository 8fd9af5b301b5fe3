import type { Store } from '../store/storeTypes.js'

/**
 * `GET /healthz`: 200 when the store answers a trivial query, 503 with the reason when it does not,
 * so a load balancer takes a process whose database is gone out of rotation. Undefined for any other path.
 */
export async function serveHealth(store: Pick<Store, 'query'>, request: Request): Promise<Response | undefined> {
  if (request.method !== 'GET' || new URL(request.url).pathname !== '/healthz') return undefined
  try {
    await store.query('select 1')
    return Response.json({ status: 'ok', store: 'ok' }, { headers: { 'cache-control': 'no-store' } })
  } catch (error) {
    return Response.json(
      { status: 'unavailable', store: String(error) },
      { status: 503, headers: { 'cache-control': 'no-store' } },
    )
  }
}
