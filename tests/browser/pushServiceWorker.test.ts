import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import webPush from 'web-push'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defineRule, MESSAGE_LINKS_PREFIX, messageEventNames } from '@ecrm/core'
import type { EcrmEvent } from '@ecrm/core'
import { createWebPushChannel } from '../../packages/node/src/channels/webPushChannel.js'
import { toNodeListener } from '../../packages/node/src/ingest/nodeListener.js'
import { createMessageSender } from '../../packages/node/src/messages/messageSender.js'
import { serveMessages } from '../../packages/node/src/messages/serveMessages.js'
import { createRuleRunner } from '../../packages/node/src/rules/ruleRunner.js'
import { loadStaticBundles, serveStaticBundle } from '../../packages/node/src/serve/staticBundles.js'
import { createPgliteStore } from '../../packages/node/src/store/pgliteStore.js'
import type { Store } from '../../packages/node/src/store/storeTypes.js'
import { loadTemplates } from '../../packages/node/src/templates/loadTemplates.js'
import { startProviderServer } from '../../packages/node/test/channels/support/providerServer.js'
import { decryptAes128gcm, userAgentKeys } from '../../packages/node/test/channels/support/pushDecrypt.js'
import { launchChromium, requireChromium } from '../support/chromium.js'

// Web push in real Chromium: the page registers ecrm-sw.js (as `ecrm serve` serves it) through
// subscribeToPush; a push the server's web push channel really sent is delivered to that worker
// through the DevTools protocol (ServiceWorker.deliverPushMessage: a trusted push event), the
// worker shows the notification, and its click URL is the collector's signed redirect.
// Headless Chromium has no push service here (no network, no GCM), so PushManager.subscribe fails:
// the channel encrypts for a test user agent's keys instead, decrypted as the browser would.
const SW = fileURLToPath(new URL('../../packages/browser/dist/ecrm-sw.js', import.meta.url))
const SUBSCRIBE = fileURLToPath(new URL('../../packages/browser/dist/push/subscribeToPush.js', import.meta.url))
const skipReason =
  requireChromium() ?? ([SW, SUBSCRIBE].every(existsSync) ? undefined : 'browser dist not built (run npx rollup -c)')
if (skipReason !== undefined && process.env['CI'] === 'true') throw new Error(skipReason)

const vapid = webPush.generateVAPIDKeys()
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title></head><body><h1>Shop</h1>
<button id="push">Get notified</button>
<script type="module">
import { subscribeToPush } from '/subscribeToPush.js'
window.identified = []
const client = { identify: (traits) => { window.identified.push(traits); return 'm-push' } }
document.querySelector('#push').addEventListener('click', async () => {
  window.result = await subscribeToPush({ client, vapidPublicKey: '${vapid.publicKey}' })
})
</script></body></html>`

describe.skipIf(skipReason !== undefined)('ecrm-sw.js in Chromium', { timeout: 120_000 }, () => {
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let store: Store
  let origin: string
  let folder: string
  let closeServers: () => Promise<void>
  let pushService: Awaited<ReturnType<typeof startProviderServer>>
  let served: ReturnType<typeof serveMessages>
  const keys = userAgentKeys()
  const push = () =>
    createWebPushChannel({
      vapid: { subject: 'mailto:ops@shop.example', ...vapid },
      allowedHosts: [new URL(pushService.base).host],
    })

  beforeAll(async () => {
    store = await createPgliteStore()
    const { bundles, missing } = await loadStaticBundles()
    expect(missing).not.toContain('@ecrm/browser/ecrm-sw.js')
    folder = mkdtempSync(join(tmpdir(), 'ecrm-push-templates-'))
    writeFileSync(
      join(folder, 'cart.en.liquid'),
      '<p>Your cart is waiting.</p><p><a href="{{ firing.event.properties.shop_url }}/cart">Back to your cart</a></p>',
    )
    writeFileSync(join(folder, 'cart.en.subject.liquid'), 'Your cart, {{ profile.traits.name }}')
    const templates = await loadTemplates({ folder, offerSecret: 'offer-secret-for-the-push-e2e-test-0123456' })
    pushService = await startProviderServer(() => ({ status: 201, headers: { location: '/m/1' } }))
    const server = createServer(
      toNodeListener(async (request) => {
        const path = new URL(request.url).pathname
        if (path.startsWith(MESSAGE_LINKS_PREFIX)) return served.handle(request)
        if (path === '/subscribeToPush.js')
          return new Response(await readFile(SUBSCRIBE), { headers: { 'content-type': 'text/javascript' } })
        if (path === '/' || path === '/cart')
          return new Response(path === '/' ? PAGE : '<!doctype html><title>Cart</title><h1 id="cart">Your cart</h1>', {
            headers: { 'content-type': 'text/html; charset=utf-8' },
          })
        return serveStaticBundle(bundles, request) ?? new Response('not found', { status: 404 })
      }),
    )
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    served = serveMessages(
      {
        channels: { push: push() },
        templates,
        baseUrl: origin,
        linkSecret: 'link-secret-for-the-push-e2e-test-0123456789',
      },
      store,
    )
    closeServers = async () => {
      await served.stop()
      await pushService.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
    browser = await launchChromium()
    context = await browser.newContext()
    await context.grantPermissions(['notifications'], { origin })
    page = await context.newPage()
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await closeServers?.()
    await store?.close()
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true })
  })

  it('subscribeToPush registers ecrm-sw.js and reports, without throwing, that this Chromium has no push service', async () => {
    await page.goto(`${origin}/`)
    await page.click('#push')
    const result = await page
      .waitForFunction(() => (window as unknown as { result?: unknown }).result)
      .then((handle) => handle.jsonValue())
    // Past registration and the active worker (before ready was awaited: "no active Service
    // Worker"); headless Chromium then refuses the push registration itself.
    expect(result).toEqual({ ok: false, reason: 'failed', detail: 'Registration failed - permission denied' })
    expect(await page.evaluate(() => (window as unknown as { identified: unknown[] }).identified)).toEqual([])
    const registered = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready
      return { scope: registration.scope, script: registration.active?.scriptURL }
    })
    expect(registered).toEqual({ scope: `${origin}/`, script: `${origin}/ecrm-sw.js` })
  })

  it("shows the web push channel's notification and opens its signed click redirect, which records the click and lands on the shop", async () => {
    // The server side as `ecrm serve` runs it: a rule firing renders the push (its link signed),
    // the sender hands it to the web push channel, which POSTs it encrypted to the push service.
    const rule = defineRule({
      id: 'cart_push',
      when: 'Product Added',
      then: { event: 'Cart Reminder', properties: { shop_url: origin }, send: [{ channel: 'push', template: 'cart' }] },
    })
    const runner = createRuleRunner({ store, rules: [rule], pollIntervalMs: 0, messages: served.composer })
    await runner.start()
    const webPushTrait = { endpoint: `${pushService.base}/push/s-1`, expirationTime: null, keys: keys.subscriptionKeys }
    const { stored } = await store.insertEvents(
      [
        {
          type: 'identify',
          messageId: 'id-pia',
          userId: 'pia',
          traits: { name: 'Pia', webPush: webPushTrait },
          context: { consent: { categories: { marketing: true } } },
        },
        {
          type: 'track',
          messageId: 'pa-pia',
          userId: 'pia',
          event: 'Product Added',
          properties: { product_id: 'sku-1' },
        },
      ] as EcrmEvent[],
      { returnStored: true },
    )
    await runner.processEvents(stored ?? [])
    runner.stop()
    expect((await createMessageSender({ store, channels: { push: push() } }).engine.pass()).sent).toBe(1)
    const payload = decryptAes128gcm(pushService.requests[0]?.raw ?? Buffer.alloc(0), keys)

    // Chromium's push service would decrypt and hand it to the worker: DevTools does the latter.
    const cdp = await context.newCDPSession(page)
    const registrations: { registrationId: string; scopeURL: string }[] = []
    cdp.on(
      'ServiceWorker.workerRegistrationUpdated',
      (event: { registrations: { registrationId: string; scopeURL: string; isDeleted: boolean }[] }) => {
        for (const registration of event.registrations) if (!registration.isDeleted) registrations.push(registration)
      },
    )
    await cdp.send('ServiceWorker.enable')
    await expect.poll(() => registrations.find((registration) => registration.scopeURL === `${origin}/`)).toBeDefined()
    const registrationId =
      registrations.find((registration) => registration.scopeURL === `${origin}/`)?.registrationId ?? ''
    await cdp.send('ServiceWorker.deliverPushMessage', { origin, registrationId, data: payload })

    const notifications = () =>
      page.evaluate(async () =>
        (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({
          title: n.title,
          body: n.body,
          tag: n.tag,
          data: n.data as { url: string; id: string },
        })),
      )
    await expect.poll(notifications).toHaveLength(1)
    const shown = await notifications()
    const [row] = await store.query<{ message_id: string }>(
      `select message_id from ecrm_messages where customer_id = 'pia'`,
    )
    expect(shown).toEqual([
      {
        title: 'Your cart, Pia',
        body: expect.stringContaining('Your cart is waiting.'),
        tag: row?.message_id,
        data: { url: expect.stringMatching(new RegExp(`^${origin}/v1/m/c/[\\w-]+\\.[\\w-]+$`)), id: row?.message_id },
      },
    ])

    // What the worker's notificationclick opens (clients.openWindow needs a real click on the
    // notification, which headless Chromium cannot make): the redirect records the click.
    const tab = await context.newPage()
    await tab.goto(shown[0]?.data.url ?? '')
    expect(tab.url()).toBe(`${origin}/cart`)
    await expect(tab.locator('#cart').innerText()).resolves.toBe('Your cart')
    const clicks = await store.query<{ kind: string; message_id: string; url: string }>(
      `select payload->'properties'->>'kind' as kind, payload->'properties'->>'message_id' as message_id, payload->'properties'->>'url' as url from ecrm_events where event = $1 and user_id = 'pia'`,
      [messageEventNames.clicked],
    )
    expect(clicks).toEqual([{ kind: 'push', message_id: row?.message_id, url: `${origin}/cart` }])
  })
})
