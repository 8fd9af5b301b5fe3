// `ecrm serve` hands out the script tag the loader snippet asks for (`${endpoint}/ecrm.min.js`)
// and a health route, over a real HTTP server on PGlite, compared byte for byte with the built bundle.
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startIngestServer } from '../../packages/node/src/serve.js'
import type { IngestServer } from '../../packages/node/src/serve.js'

describe('ecrm serve: script-tag bundles and /healthz', () => {
  let server: IngestServer
  const logs: string[] = []
  beforeAll(async () => {
    if (!existsSync('packages/browser/dist/ecrm-onsite.min.js'))
      execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' })
    server = await startIngestServer({
      port: 0,
      writeKeys: ['wk'],
      dataDir: 'memory://',
      log: (line) => logs.push(line),
    })
  }, 120_000)
  afterAll(async () => {
    await server?.close()
  })

  for (const name of ['ecrm.min.js', 'ecrm-onsite.min.js']) {
    it(`GET /${name} answers the built bundle with its content type, cache headers and a printed integrity`, async () => {
      const built = readFileSync(`packages/browser/dist/${name}`)
      const response = await fetch(`${server.url}/${name}`)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
      expect(response.headers.get('cache-control')).toMatch(/max-age=\d+/)
      expect(Buffer.from(await response.arrayBuffer()).equals(built)).toBe(true)
      const integrity = `sha384-${createHash('sha384').update(built).digest('base64')}`
      expect(logs).toContain(`ecrm: script tag ${server.url}/${name} integrity="${integrity}"`)
      const again = await fetch(`${server.url}/${name}`, {
        headers: { 'if-none-match': response.headers.get('etag') ?? '' },
      })
      expect(again.status).toBe(304)
    })
  }

  it('GET /healthz checks the store', async () => {
    const response = await fetch(`${server.url}/healthz`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'ok', store: 'ok' })
  })

  it('other paths still reach the ingest handler', async () => {
    const response = await fetch(`${server.url}/nothing-here.js`)
    expect(response.status).toBe(404)
  })
})
