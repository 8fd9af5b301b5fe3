// Serves a fetch-style handler on 127.0.0.1 with the server of the runtime running it, as a user of
// that runtime would: Bun.serve on Bun, Deno.serve on Deno, node:http through toNodeListener on Node.
import http from 'node:http'
import { toNodeListener } from '@ecrm/node'

/**
 * @param {(request: Request, info: { clientIp?: string }) => Promise<Response>} handler
 * @returns {Promise<{ url: string, kind: string, close: () => Promise<void> }>}
 */
export async function serveFetch(handler) {
  if (globalThis.Bun) {
    const server = globalThis.Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: (request, bun) => handler(request, { clientIp: bun.requestIP(request)?.address }),
    })
    return { url: `http://127.0.0.1:${server.port}`, kind: 'Bun.serve', close: () => server.stop(true) }
  }
  if (globalThis.Deno) {
    const server = globalThis.Deno.serve({ hostname: '127.0.0.1', port: 0, onListen() {} }, (request, info) =>
      handler(request, { clientIp: info.remoteAddr.hostname }),
    )
    return { url: `http://127.0.0.1:${server.addr.port}`, kind: 'Deno.serve', close: () => server.shutdown() }
  }
  const server = http.createServer(toNodeListener(handler))
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    kind: 'node:http',
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
