import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { toNodeListener } from '../../src/ingest/nodeListener.js'

/** A fetch-style handler served over real HTTP on 127.0.0.1: its base URL and how to stop it. */
export async function serveHandler(
  handler: (request: Request) => Promise<Response>,
): Promise<{ base: string; close: () => Promise<void> }> {
  const server = createServer(toNodeListener(handler))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
