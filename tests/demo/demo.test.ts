import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { computeOutbox, DEMO_WRITE_KEY, startDemo } from '../../examples/demo-server/index.js'
import type { DashboardData, Demo } from '../../examples/demo-server/index.js'
import {
  abandonCart,
  addToCart,
  checkout,
  fillLeadForm,
  launchBrowser,
  leave,
  openShop,
} from '../../examples/shoppers/visits.mjs'
import { requireChromium } from '../support/chromium.js'
import { waitFor } from '../support/waitFor.js'

const ABANDON_MS = 3_000
const bundle = (file: string): string => fileURLToPath(new URL(`../../packages/browser/dist/${file}`, import.meta.url))
const missingBundles = ['ecrm.min.js', 'snippet.min.js'].filter((file) => !existsSync(bundle(file)))
const skipReason =
  requireChromium() ??
  (missingBundles.length > 0
    ? `browser bundles not built (${missingBundles.join(', ')}): run npx rollup -c`
    : undefined)
if (skipReason !== undefined && process.env['CI'] === 'true') throw new Error(skipReason)
if (skipReason !== undefined) console.warn(`demo e2e skipped: ${skipReason}`)

async function dashboardJson(demo: Demo): Promise<DashboardData> {
  const response = await fetch(`${demo.url}/dashboard.json`)
  expect(response.status).toBe(200)
  return (await response.json()) as DashboardData
}

describe.skipIf(skipReason !== undefined)('the demo (npm start)', () => {
  let dataDir: string
  let demo: Demo
  let browser: Browser
  const log: string[] = []

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ecrm-demo-'))
    demo = await startDemo({
      port: 0,
      smtpPort: 0,
      scheduleMs: 1_000,
      dataDir,
      abandonMs: ABANDON_MS,
      winBackMs: 600_000,
      log: (line) => void log.push(line),
    })
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    await demo?.close()
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true })
  })

  it('serves the shop with the loader snippet injected, and index.html for unknown SPA paths', async () => {
    for (const path of ['/', '/product/sku-grinder', '/some/deep/route']) {
      const response = await fetch(`${demo.url}${path}`)
      expect(response.status).toBe(200)
      const html = await response.text()
      expect(html).toContain("ecrm.load('demo-write-key', { endpoint: location.origin })")
      expect(html).not.toContain('<!-- ecrm:snippet -->')
    }
    expect((await fetch(`${demo.url}/ecrm.min.js`)).status).toBe(200)
    expect((await fetch(`${demo.url}/missing-file.js`)).status).toBe(404)
  })

  it('fires cart_abandoned for a shopper who leaves a cart, and shows the firing and the customer on the dashboard', async () => {
    const { anonymousId } = await abandonCart(browser, demo.url, 'sku-grinder')
    expect(anonymousId).toEqual(expect.any(String))

    const data = await waitFor(
      'the cart_abandoned firing',
      () => dashboardJson(demo),
      (value) => value.firings.some((firing) => firing.ruleId === 'cart_abandoned'),
    )
    const firing = data.firings.find((candidate) => candidate.ruleId === 'cart_abandoned')
    expect(firing?.event).toBe('Cart Abandoned')
    expect(firing?.detail).toContain('Burr Grinder')

    // The firing came after the window, counted from the Product Added the store received.
    const added = await demo.store.query<{ occurred_at: Date }>(
      `select occurred_at from ecrm_events where event = 'Product Added' and anonymous_id = $1`,
      [anonymousId],
    )
    expect(added).toHaveLength(1)
    expect(firing?.at ?? 0).toBeGreaterThanOrEqual(new Date(added[0]?.occurred_at ?? 0).getTime() + ABANDON_MS)

    const shopper = data.customers.find((customer) => customer.anonymousIds.includes(anonymousId ?? ''))
    expect(shopper).toBeDefined()
    expect(shopper?.isIdentified).toBe(false)
    expect(shopper?.orders).toBe(0)
    expect(shopper?.firings['cart_abandoned']).toBe(1)
    const steps = Object.fromEntries(data.kpis.funnel.map((step) => [step.step, step.customers]))
    expect(steps).toMatchObject({
      'Product Viewed': 1,
      'Product Added': 1,
      'Checkout Started': 0,
      'Order Completed': 0,
    })

    const page = await browser.newPage()
    await page.goto(`${demo.url}/dashboard`)
    await expect(page.locator('#firings').innerText()).resolves.toContain('cart_abandoned')
    await expect(page.locator(`tr[data-customer="${shopper?.id ?? ''}"]`).innerText()).resolves.toContain(
      'cart_abandoned',
    )
    await page.close()
  })

  it('does not fire cart_abandoned when the shopper signs in and buys within the window, and welcomes them', async () => {
    const visit = await openShop(browser, demo.url)
    await addToCart(visit.page, 'sku-mug')
    await checkout(visit.page, { email: 'buyer@shop-e2e.example', name: 'Bea Buyer' })
    const anonymousId = await visit.page.evaluate(
      () => (window as unknown as { ecrm: { user: () => { anonymousId: string } } }).ecrm.user().anonymousId,
    )
    await leave(visit)

    const data = await waitFor(
      'the buyer on the dashboard',
      () => dashboardJson(demo),
      (value) =>
        value.customers.some((customer) => customer.email === 'buyer@shop-e2e.example' && customer.orders === 1),
    )
    await new Promise((resolve) => setTimeout(resolve, ABANDON_MS + 1_500))
    const later = await dashboardJson(demo)
    const buyer = later.customers.find((customer) => customer.email === 'buyer@shop-e2e.example')
    expect(buyer?.anonymousIds).toContain(anonymousId)
    expect(buyer?.revenue).toBe(14)
    expect(buyer?.firings['cart_abandoned']).toBeUndefined()
    expect(buyer?.firings['welcome']).toBe(1)
    // Read from the store's rfm_* columns: a buyer of seconds ago in a young shop is new, scored
    // by the fixed recency edges, never "Hibernating" or "At Risk".
    expect(buyer?.rfm).toMatchObject({ segment: 'new_customers', r: 5, f: 1 })
    expect(buyer?.lead.grade).toMatch(/^[A-D][1-3]$/)
    expect(later.kpis.aov).toEqual({ orders: 1, revenue: 14, aov: 14 })
    expect(data.clv.method).toBe('historic')
  })

  it('a sign-up through the collector sends the welcome email to the SMTP server the demo runs, and the Outbox page lists it', async () => {
    const email = 'sara@shop-e2e.example'
    const response = await fetch(demo.collectorUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${DEMO_WRITE_KEY}:`).toString('base64')}`,
      },
      body: JSON.stringify({
        batch: [
          {
            type: 'identify',
            messageId: 'signup-sara',
            userId: email,
            traits: { email, name: 'سارا', locale: 'fa-IR' },
          },
        ],
      }),
    })
    expect(response.status).toBe(200)
    const mail = await waitFor(
      'the welcome mail',
      async () => demo.mail.mails().find((received) => received.to.includes(email)),
      (found) => found !== undefined,
    )
    expect(mail?.subject).toBe('به Bean There خوش آمدید، سارا')
    expect(mail?.html).toContain('dir="rtl"')
    // Links are the collector's signed click redirects, on the demo's own origin.
    expect(mail?.html).toMatch(new RegExp(`href="${demo.url}/v1/m/c/[\\w-]+\\.[\\w-]+"`))
    expect(mail?.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m)
    expect(demo.mail.mails().filter((received) => received.to.includes(email))).toHaveLength(1)
    // Kept on disk too, where a later start reads it back.
    expect(readFileSync(join(dataDir, 'mail', `${mail?.n ?? 0}.eml`), 'utf8')).toBe(mail?.raw)

    const [row] = await demo.store.query<{ message_id: string; status: string; template: string }>(
      `select message_id, status, template from ecrm_messages where recipient = $1`,
      [email],
    )
    expect(row).toMatchObject({ status: 'sent', template: 'welcome' })
    // The anonymous shopper who left a cart gave no address: recorded, not sent.
    const cart = await demo.store.query<{ status: string; reason: string }>(
      `select status, reason from ecrm_messages where rule_id = 'cart_abandoned'`,
    )
    expect(cart[0]).toMatchObject({ status: 'suppressed', reason: 'no_recipient' })

    const page = await browser.newPage()
    await page.goto(`${demo.url}/dashboard`)
    await page.click('a[href="/dashboard/outbox"]')
    const listed = page.locator(`#messages tr[data-message="${row?.message_id ?? ''}"]`)
    await expect(listed.innerText()).resolves.toMatch(
      /sent[\s\S]*sara@shop-e2e\.example[\s\S]*welcome[\s\S]*به Bean There خوش آمدید، سارا/,
    )
    const received = page.locator(`#mails tr[data-mail="${mail?.n ?? 0}"]`)
    await expect(received.innerText()).resolves.toContain(email)
    await expect(received.innerText()).resolves.toContain(row?.message_id ?? 'no id')
    await received.locator('a').click()
    await expect(page.frameLocator('#mail-html').locator('strong').innerText()).resolves.toMatch(/^[0-9A-Z]{10}$/)
    await page.close()
  })

  it("the welcome mail's open pixel and click redirect answer on the demo's port, lead back to the shop, and the Outbox counts them", async () => {
    const email = 'sara@shop-e2e.example'
    const mail = demo.mail.mails().find((received) => received.to.includes(email))
    const [row] = await demo.store.query<{ message_id: string }>(
      `select message_id from ecrm_messages where recipient = $1`,
      [email],
    )
    expect(mail).toBeDefined()
    const click = await fetch(
      /href="([^"]+\/v1\/m\/c\/[^"]+)"/.exec(mail?.html ?? '')?.[1] ?? `${demo.url}/v1/m/c/none`,
      { redirect: 'manual' },
    )
    expect(click.status).toBe(302)
    expect(click.headers.get('location')).toBe(`${demo.url}/`)
    const page = await browser.newPage()
    // Viewing the mail on the dashboard loads its open pixel, as a mail client would.
    await page.goto(`${demo.url}/dashboard/mail/${mail?.n ?? 0}`)
    await waitFor(
      'the recorded open and click',
      () =>
        demo.store.query(
          `select event from ecrm_events where event in ('Email Opened', 'Email Link Clicked') and user_id = $1`,
          [email],
        ),
      (rows) => rows.length === 2,
    )
    const outbox = await computeOutbox(demo.store, demo.mail.mails(), Date.now())
    expect(outbox.messages.find((message) => message.messageId === row?.message_id)).toMatchObject({
      opened: 1,
      clicked: 1,
    })
    await page.goto(demo.outboxUrl)
    await expect(
      page.locator(`#messages tr[data-message="${row?.message_id ?? ''}"] td.num`).allInnerTexts(),
    ).resolves.toEqual(['1', '1', '0'])
    await page.close()
  })

  it("docs/demo.md's sign-up sends the English welcome; a customer whose birthday is today gets the birthday mail", async () => {
    const curl =
      /```sh\ncurl -u demo-write-key: -H 'content-type: application\/json' \\\n  -d '(\{.*\})' \\\n  http:\/\/127\.0\.0\.1:8787\/v1\/batch\n```/.exec(
        readFileSync(fileURLToPath(new URL('../../docs/demo.md', import.meta.url)), 'utf8'),
      )?.[1]
    expect(curl).toBeDefined()
    const response = await fetch(demo.collectorUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from('demo-write-key:').toString('base64')}`,
      },
      body: curl ?? '',
    })
    expect(response.status).toBe(200)
    const welcome = await waitFor(
      "the documented sign-up's welcome",
      async () => demo.mail.mails().find((mail) => mail.to.includes('ana@example.com')),
      (found) => found !== undefined,
    )
    expect(welcome?.subject).toBe('Welcome to Bean There, Ana')

    const today = new Date()
    const birthday = `${today.getUTCFullYear() - 30}-${String(today.getUTCMonth() + 1).padStart(2, '0')}-${String(today.getUTCDate()).padStart(2, '0')}`
    await fetch(demo.collectorUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from('demo-write-key:').toString('base64')}`,
      },
      body: JSON.stringify({
        batch: [
          {
            type: 'identify',
            messageId: 'bday-1',
            userId: 'bo@shop-e2e.example',
            traits: { email: 'bo@shop-e2e.example', name: 'Bo', birthday },
          },
        ],
      }),
    })
    const gift = await waitFor(
      'the birthday mail',
      async () =>
        demo.mail
          .mails()
          .find((mail) => mail.to.includes('bo@shop-e2e.example') && mail.subject.startsWith('Happy birthday')),
      (found) => found !== undefined,
    )
    expect(gift?.subject).toBe('Happy birthday from Bean There, Bo')
    // The schedule runs every second here: still one greeting this year.
    await new Promise((resolve) => setTimeout(resolve, 2_500))
    expect(
      demo.mail
        .mails()
        .filter((mail) => mail.to.includes('bo@shop-e2e.example') && mail.subject.startsWith('Happy birthday')),
    ).toHaveLength(1)
    expect(
      demo.mail
        .mails()
        .filter((mail) => mail.to.includes('ana@example.com') && mail.subject.startsWith('Happy birthday')),
    ).toHaveLength(0)
  })

  it('a subscriber who leaves a cart gets the welcome, then the cart reminder naming the product, by email', async () => {
    const email = 'lena@shop-e2e.example'
    const visit = await openShop(browser, demo.url)
    await fillLeadForm(visit.page, { email })
    await addToCart(visit.page, 'sku-grinder')
    await leave(visit)
    const reminder = await waitFor(
      'the cart reminder',
      async () =>
        demo.mail.mails().find((mail) => mail.to.includes(email) && mail.subject.startsWith('Still thinking')),
      (found) => found !== undefined,
    )
    expect(reminder?.subject).toContain('Burr Grinder')
    expect(reminder?.html).toMatch(/You left [^<]*Burr Grinder[^<]* in your cart/)
    expect(
      demo.mail
        .mails()
        .filter((mail) => mail.to.includes(email))
        .map((mail) => mail.subject),
    ).toEqual(['Welcome to Bean There, friend', reminder?.subject])
  })

  it('reuses the data folder on a second start', async () => {
    const before = await dashboardJson(demo)
    const mailsBefore = demo.mail.mails()
    expect(mailsBefore.length).toBeGreaterThan(0)
    await demo.close()
    demo = await startDemo({ port: 0, smtpPort: 0, dataDir, abandonMs: ABANDON_MS, log: (line) => void log.push(line) })
    const after = await dashboardJson(demo)
    expect(after.totals.events).toBe(before.totals.events)
    expect(after.firings.map((firing) => firing.ruleId).sort()).toEqual(
      before.firings.map((firing) => firing.ruleId).sort(),
    )
    expect(demo.mail.mails().map((mail) => mail.subject)).toEqual(mailsBefore.map((mail) => mail.subject))
  })

  it('a buyer who does not order again within the win-back window gets the win-back mail', async () => {
    await demo.close()
    demo = await startDemo({
      port: 0,
      smtpPort: 0,
      dataDir,
      abandonMs: ABANDON_MS,
      winBackMs: 2_000,
      log: (line) => void log.push(line),
    })
    const email = 'wes@shop-e2e.example'
    const response = await fetch(demo.collectorUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${DEMO_WRITE_KEY}:`).toString('base64')}`,
      },
      body: JSON.stringify({
        batch: [
          { type: 'identify', messageId: 'wes-i', userId: email, traits: { email, name: 'Wes' } },
          {
            type: 'track',
            messageId: 'wes-o',
            userId: email,
            event: 'Order Completed',
            properties: { order_id: 'o-wes', total: 14, revenue: 14, currency: 'EUR' },
          },
        ],
      }),
    })
    expect(response.status).toBe(200)
    const winBack = await waitFor(
      'the win-back mail',
      async () => demo.mail.mails().find((mail) => mail.to.includes(email) && mail.subject.startsWith('We miss you')),
      (found) => found !== undefined,
    )
    expect(winBack?.subject).toBe('We miss you, Wes: 15% off your next order')
    expect(winBack?.html).toContain('You have ordered 1 time(s) with us.')
  })
})
