import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { messageEventNames } from '@ecrm/core'
import { startDemo } from '../../examples/demo-server/index.js'
import type { Demo } from '../../examples/demo-server/index.js'
import { clickMailLink, openMail, unsubscribeInBrowser, waitForMail } from '../../examples/shoppers/inbox.mjs'
import { addToCart, fillLeadForm, launchBrowser, leave, openShop } from '../../examples/shoppers/visits.mjs'
import { requireChromium } from '../support/chromium.js'
import { waitFor } from '../support/waitFor.js'

// The customer's side of a sent mail, in real Chromium against the demo as `npm start` runs it:
// the mail read back from the demo's SMTP server, its open pixel loaded by the browser, its
// tracked link clicked through the collector's redirect, its unsubscribe page confirmed.
const ABANDON_MS = 2_000
const bundle = (file: string): string => fileURLToPath(new URL(`../../packages/browser/dist/${file}`, import.meta.url))
const missingBundles = ['ecrm.min.js', 'snippet.min.js'].filter((file) => !existsSync(bundle(file)))
const skipReason =
  requireChromium() ??
  (missingBundles.length > 0
    ? `browser bundles not built (${missingBundles.join(', ')}): run npx rollup -c`
    : undefined)
if (skipReason !== undefined && process.env['CI'] === 'true') throw new Error(skipReason)
if (skipReason !== undefined) console.warn(`demo mail e2e skipped: ${skipReason}`)

describe.skipIf(skipReason !== undefined)(
  'a demo mail in Chromium: open pixel, click redirect, unsubscribe page',
  () => {
    let dataDir: string
    let demo: Demo
    let browser: Browser
    const email = 'mina@shop-e2e.example'

    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'ecrm-demo-mail-'))
      demo = await startDemo({
        port: 0,
        smtpPort: 0,
        dataDir,
        abandonMs: ABANDON_MS,
        winBackMs: 600_000,
        log: () => undefined,
      })
      browser = await launchBrowser()
    })

    afterAll(async () => {
      await browser?.close()
      await demo?.close()
      if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true })
    })

    const eventsOf = (event: string) =>
      demo.store.query<{ message_id: string; url: string | null }>(
        `select payload->'properties'->>'message_id' as message_id, payload->'properties'->>'url' as url from ecrm_events where event = $1 and user_id = $2`,
        [event, email],
      )

    it('records the open, the click and the unsubscribe; the profile opts out and the next marketing mail is suppressed', async () => {
      const visit = await openShop(browser, demo.url)
      await fillLeadForm(visit.page, { email })
      const mail = await waitForMail(demo.url, email, { subject: 'Welcome' })
      // What the shopper's browser got is what the SMTP server received.
      expect(mail.raw).toBe(demo.mail.mails()[mail.n - 1]?.raw)
      const [row] = await demo.store.query<{ message_id: string; customer_id: string }>(
        `select message_id, customer_id from ecrm_messages where recipient = $1 and template = 'welcome'`,
        [email],
      )
      expect(row).toBeDefined()
      expect(await eventsOf(messageEventNames.opened)).toEqual([])

      // Opening the mail: Chromium loads its images, the open pixel is one of them (a loaded 1×1 GIF).
      const mailPage = await openMail(visit.context, mail)
      await expect(
        mailPage.evaluate(() =>
          [...document.images]
            .filter((image) => image.src.includes('/v1/m/o/'))
            .map((image) => image.complete && image.naturalWidth),
        ),
      ).resolves.toEqual([1])
      const opened = await waitFor(
        'the Email Opened event',
        () => eventsOf(messageEventNames.opened),
        (rows) => rows.length === 1,
      )
      expect(opened[0]?.message_id).toBe(row?.message_id)

      // The tracked link: the collector's 302 lands on the shop's home page (the shop loads, with ecrm).
      const landed = await clickMailLink(mailPage)
      expect(landed).toBe(`${demo.url}/`)
      await mailPage.waitForFunction(() => (window as unknown as { ecrm?: { loaded?: boolean } }).ecrm?.loaded === true)
      const clicked = await waitFor(
        'the Email Link Clicked event',
        () => eventsOf(messageEventNames.clicked),
        (rows) => rows.length === 1,
      )
      expect(clicked[0]).toEqual({ message_id: row?.message_id, url: `${demo.url}/` })
      await mailPage.close()

      // The unsubscribe page (the mail's List-Unsubscribe URL), confirmed in the browser.
      await expect(unsubscribeInBrowser(visit.context, mail)).resolves.toContain('You are unsubscribed')
      const unsubscribed = await waitFor(
        'the Unsubscribed event',
        () => eventsOf(messageEventNames.unsubscribed),
        (rows) => rows.length === 1,
      )
      expect(unsubscribed[0]?.message_id).toBe(row?.message_id)
      const profile = await demo.store.getProfile(row?.customer_id ?? '')
      expect(profile?.consent.categories['marketing.email']?.granted).toBe(false)

      // The consent change holds: the cart this shopper now leaves fires the reminder, which the
      // sender suppresses as an opt-out instead of mailing it.
      await addToCart(visit.page, 'sku-kettle')
      await leave(visit)
      const [cart] = await waitFor(
        'the cart reminder decided',
        () =>
          demo.store.query<{ status: string; reason: string | null }>(
            `select status, reason from ecrm_messages where rule_id = 'cart_abandoned' and recipient = $1`,
            [email],
          ),
        (rows) => rows.length === 1 && rows[0]?.status !== 'queued',
      )
      expect(cart).toEqual({ status: 'suppressed', reason: 'opted_out' })
      expect(
        demo.mail
          .mails()
          .filter((received) => received.to.includes(email))
          .map((received) => received.subject),
      ).toEqual([mail.subject])

      // The Outbox page shows the welcome as sent with its open, click and unsubscribe.
      const outbox = await browser.newPage()
      await outbox.goto(demo.outboxUrl)
      const listed = outbox.locator(`#messages tr[data-message="${row?.message_id ?? ''}"]`)
      await expect(listed.getAttribute('data-status')).resolves.toBe('sent')
      await expect(listed.locator('td.num').allInnerTexts()).resolves.toEqual(['1', '1', '1'])
      await expect(
        outbox.locator('#messages tr[data-status="suppressed"]').filter({ hasText: email }).innerText(),
      ).resolves.toContain('opted_out')
      await outbox.close()
    })
  },
)
