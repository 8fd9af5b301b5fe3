import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createIngestHandler } from '../../packages/node/src/ingest/ingestHandler.js'
import type { IngestHandlerOptions } from '../../packages/node/src/ingest/ingestHandler.js'
import { toNodeListener } from '../../packages/node/src/ingest/nodeListener.js'
import { createPgliteStore } from '../../packages/node/src/store/pgliteStore.js'
import type { Store } from '../../packages/node/src/store/storeTypes.js'

/** One POST the collector answered. */
export interface CollectorArrival {
  /** Epoch ms (the server's clock) when the request reached the handler. */
  readonly arrivedAt: number
  /** Epoch ms (the server's clock) when the answer was ready. */
  readonly answeredAt: number
  readonly status: number
  /** The `Retry-After` the ingest handler answered with, if any. */
  readonly retryAfter: string | null
  /** The request body's `sentAt` (the page's clock), if it had one. */
  readonly sentAt: string | undefined
  /** The messageIds of the request's batch, in order. */
  readonly messageIds: readonly string[]
}

/** A real ecrm collector: `createIngestHandler` over an in-memory PGlite store, on node:http. */
export interface IngestCollector {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  readonly store: Store
  /** Every POST answered, in order. */
  readonly arrivals: CollectorArrival[]
  /** Rows of `ecrm_events` per messageId (the store's primary key: 1 each after dedupe). */
  readonly storedCounts: (messageIds: readonly string[]) => Promise<Map<string, number>>
  /** Resolves when `predicate` holds, polling; rejects after `timeoutMs`. */
  readonly waitFor: (predicate: () => boolean, timeoutMs: number, what: string) => Promise<void>
  readonly close: () => Promise<void>
}

/**
 * Starts the real ingest handler (the one `ecrm serve` runs, CORS included) on a free port of
 * 127.0.0.1, with `options` over the defaults (the write keys, the store). It records what each
 * POST carried and what the handler answered, read from a copy of the request and the response:
 * the handler itself sees the request as a browser sent it.
 */
export async function startIngestCollector(
  options: Partial<IngestHandlerOptions> & { readonly writeKeys: readonly string[] },
): Promise<IngestCollector> {
  const store = await createPgliteStore()
  const handler = createIngestHandler({ store, ...options })
  const arrivals: CollectorArrival[] = []
  const server = createServer(
    toNodeListener(async (request, info) => {
      const arrivedAt = Date.now()
      const copy = request.method === 'POST' ? request.clone() : undefined
      const response = await handler(request, info)
      if (copy !== undefined) {
        let body: { batch?: { messageId?: unknown }[]; sentAt?: string } | undefined
        try {
          body = JSON.parse(await copy.text()) as typeof body
        } catch {
          body = undefined
        }
        arrivals.push({
          arrivedAt,
          answeredAt: Date.now(),
          status: response.status,
          retryAfter: response.headers.get('retry-after'),
          sentAt: body?.sentAt,
          messageIds: (body?.batch ?? []).map((event) => String(event.messageId)),
        })
      }
      return response
    }),
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    store,
    arrivals,
    storedCounts: async (messageIds) => {
      const rows = await store.query<{ message_id: string; rows: number }>(
        'select message_id, count(*)::int as rows from ecrm_events where message_id = any($1) group by message_id',
        [messageIds],
      )
      return new Map(rows.map((row) => [row.message_id, row.rows]))
    },
    waitFor: async (predicate, timeoutMs, what) => {
      const deadline = Date.now() + timeoutMs
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    },
    close: async () => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      await store.close()
    },
  }
}
