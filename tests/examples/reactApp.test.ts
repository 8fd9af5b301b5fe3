import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium, requireChromium } from '../support/chromium.js'
import { startRecordingBackend } from '../support/recordingBackend.js'
import type { RecordingBackend } from '../support/recordingBackend.js'
import { buildReactApp } from './support/buildReactApp.js'
import { startExampleBackend, waitUntil } from './support/nodeBackend.js'
import type { ExampleBackend } from './support/nodeBackend.js'

const skipReason = requireChromium()
const WRITE_KEY = 'wk_react_example'

type Row = {
  type: string
  event: string | null
  anonymous_id: string | null
  user_id: string | null
  payload: Record<string, any>
}

describe.skipIf(skipReason !== undefined)(
  `examples/react-app in Chromium, against examples/node-backend${skipReason === undefined ? '' : ` (skipped: ${skipReason})`}`,
  () => {
    let folder: string
    let backend: ExampleBackend
    let site: RecordingBackend
    let browser: Browser
    let page: Page

    beforeAll(async () => {
      folder = await mkdtemp(join(tmpdir(), 'ecrm-react-app-'))
      backend = await startExampleBackend({
        port: 0,
        emailLog: join(folder, 'emails.log'),
        writeKey: WRITE_KEY,
        flushIntervalMs: 50,
        log: () => undefined,
      })
      const outDir = join(folder, 'dist')
      const files = await buildReactApp(outDir, { endpoint: backend.url, shopApi: backend.url, writeKey: WRITE_KEY })
      // A static host on another origin than the backend (as a real shop's CDN would be): every
      // route answers index.html, the SPA fallback `vite preview` does.
      site = await startRecordingBackend()
      for (const route of ['/', '/cart', '/account'])
        site.serve(route, { type: 'text/html', file: join(outDir, 'index.html') })
      for (const file of files.filter((name) => name.startsWith('assets/'))) {
        site.serve(`/${file}`, {
          type: file.endsWith('.css') ? 'text/css' : 'text/javascript',
          file: join(outDir, file),
        })
      }
      browser = await launchChromium()
      page = await browser.newPage()
    }, 120_000)

    afterAll(async () => {
      await browser?.close()
      await site?.close()
      await backend?.close()
      if (folder !== undefined) await rm(folder, { recursive: true, force: true })
    })

    const eventsOf = (anonymousId: string): Promise<Row[]> =>
      backend.store.query<Row>(
        'select type, event, anonymous_id, user_id, payload from ecrm_events where anonymous_id = $1 order by occurred_at, message_id',
        [anonymousId],
      )
    const addedRows = (): Promise<Row[]> =>
      backend.store.query<Row>(
        "select type, event, anonymous_id, user_id, payload from ecrm_events where event = 'Product Added'",
      )

    it('sends nothing before consent, then the held events, page views per route, identify, and the order', async () => {
      const pageErrors: string[] = []
      page.on('pageerror', (error) => pageErrors.push(error.message))
      await page.goto(`${site.origin}/`)
      await page.getByRole('dialog', { name: 'Cookie consent' }).waitFor()
      await page.locator('button[data-sku="sku-mug"]').click()
      await page.waitForTimeout(1_500) // two flush intervals of the app's client
      expect(await backend.store.query('select count(*)::int as n from ecrm_events')).toEqual([{ n: 0 }])

      await page.getByRole('button', { name: 'Accept all' }).click()
      await expect.poll(() => page.getByRole('dialog', { name: 'Cookie consent' }).count()).toBe(0)
      const [added] = await waitUntil(addedRows, (rows) => rows.length > 0, 15_000, 'the held Product Added')
      const anonymousId = added?.anonymous_id ?? ''
      expect(anonymousId).not.toBe('')
      const held = await eventsOf(anonymousId)
      expect(held.map((row) => row.event ?? row.type)).toEqual(
        expect.arrayContaining(['page', 'Product List Viewed', 'Product Added']),
      )

      // A second product: the keen_shopper rule (two additions this week) now holds in the browser.
      await page.locator('button[data-sku="sku-tee"]').click()
      await page.getByText('Free shipping on this order').waitFor({ timeout: 10_000 })

      await page.getByRole('link', { name: 'Account' }).click()
      await page.getByLabel('Email').fill('Grace@Shop.example')
      await page.getByLabel('Name').fill('Grace')
      await page.getByRole('button', { name: 'Save' }).click()
      await page.getByRole('status').waitFor()

      await page.getByRole('link', { name: /^Cart/ }).click()
      const cta = page.locator('button.cta')
      await cta.waitFor()
      const label = await cta.textContent()
      await cta.click()
      await page.getByText(/^Thank you! Order o-/).waitFor({ timeout: 15_000 })

      const rows = await waitUntil(
        () => eventsOf(anonymousId),
        (found) =>
          found.some((row) => row.event === 'Order Completed') && found.some((row) => row.event === 'Checkout Started'),
        20_000,
        'the order',
      )
      const pageViews = rows.filter((row) => row.type === 'page').map((row) => row.payload['properties']?.['path'])
      expect(pageViews).toEqual(['/', '/account', '/cart']) // one per route, StrictMode notwithstanding
      expect(
        rows.filter((row) => row.event === 'Product Added').map((row) => row.payload['properties']['product_id']),
      ).toEqual(['sku-mug', 'sku-tee'])
      expect(rows.find((row) => row.type === 'identify')).toMatchObject({
        user_id: 'grace@shop.example',
        payload: { traits: { email: 'grace@shop.example', name: 'Grace' } },
      })
      expect(rows.find((row) => row.event === 'Rule Fired')?.payload['properties']).toMatchObject({
        rule_id: 'keen_shopper',
      })

      // The order was tracked by the shop backend (server client), joined by the browser's ids.
      const order = rows.find((row) => row.event === 'Order Completed')
      expect(order).toMatchObject({
        user_id: 'grace@shop.example',
        payload: { context: { library: { name: '@ecrm/node' } }, properties: { total: 38.5, currency: 'EUR' } },
      })
      expect(order?.payload['properties']['products'].map((line: { product_id: string }) => line.product_id)).toEqual([
        'sku-mug',
        'sku-tee',
      ])

      // The button showed the variation the visitor was assigned, and the exposure says which.
      const exposure = rows.find((row) => row.event === 'Experiment Viewed')
      expect(exposure?.payload['properties']).toMatchObject({ experiment_id: 'checkout_cta' })
      expect(label).toBe(exposure?.payload['properties']['variation_id'] === 'buy_now' ? 'Buy now' : 'Checkout')

      // The backend's rules saw the identify: the welcome email went to the address.
      const emails = await waitUntil(backend.outbox.read, (sent) => sent.length > 0, 10_000, 'the welcome email')
      expect(emails.map((email) => `${email.template} → ${email.to}`)).toEqual(['welcome → grace@shop.example'])
      expect(pageErrors).toEqual([])
    }, 90_000)
  },
)
