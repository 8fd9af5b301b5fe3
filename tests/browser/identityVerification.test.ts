import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { signUserId, startIngestServer } from '../../packages/node/src/index.js'
import type { IngestServer } from '../../packages/node/src/index.js'
import { launchChromium, requireChromium } from '../support/chromium.js'
import type { RecordingBackend } from '../support/recordingBackend.js'
import { WRITE_KEY, loadCall, openTab, startStorefront, waitForClient } from './storefront.js'

const skipReason = requireChromium()
const SECRET_KEY = 'sk_shop_server_0123456789'
const IDENTITY_SECRET = 'identity-secret-of-the-shop'

type PageEcrm = {
  identify: (id: string, traits: object, options?: object) => void
  user: () => { anonymousId: string }
}

describe.skipIf(skipReason !== undefined)(
  `identity verification from the script tag${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    let browser: Browser
    let collector: IngestServer
    let storefront: RecordingBackend
    beforeAll(async () => {
      browser = await launchChromium()
      collector = await startIngestServer({
        port: 0,
        dataDir: 'memory://',
        writeKeys: [WRITE_KEY],
        secretKeys: [SECRET_KEY],
        identitySecrets: [IDENTITY_SECRET],
        log: () => undefined,
      })
      storefront = await startStorefront({
        app: loadCall('', JSON.stringify(collector.url)),
        collectorOrigin: collector.url,
      })
    }, 60_000)
    afterAll(async () => {
      await browser?.close()
      await storefront?.close()
      await collector?.close()
    })

    const ownerOf = async (kind: string, value: string): Promise<string | undefined> =>
      (
        await collector.store.query<{ customer_id: string }>(
          'select customer_id from ecrm_identities where kind = $1 and value = $2',
          [kind, value],
        )
      )[0]?.customer_id
    const waitFor = async (check: () => Promise<boolean>, what: string): Promise<void> => {
      for (let tries = 0; tries < 200; tries += 1) {
        if (await check()) return
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      throw new Error(`timed out waiting for ${what}`)
    }

    it('trusts the documented identify with a userHash made by signUserId, and stores no hash', async () => {
      const context = await browser.newContext()
      const tab = await openTab(context, `${storefront.origin}/`)
      await waitForClient(tab)
      const anonymousId = await tab.evaluate(() => (window as unknown as { ecrm: PageEcrm }).ecrm.user().anonymousId)
      // The shop's server once identified this device as someone else (a shared computer):
      // merging it into user-42 needs proof that the page speaks for user-42.
      const seeded = await fetch(`${collector.url}/v1/identify`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from(`${SECRET_KEY}:`).toString('base64')}`,
        },
        body: JSON.stringify({ messageId: 'seed-1', userId: 'other-user', anonymousId }),
      })
      expect(seeded.status).toBe(200)

      // As docs/ingest.md has it: the server signs, the page passes the hash on identify.
      const user = { id: 'user-42', email: 'ada@shop.example' }
      const userHash = signUserId(user.id, IDENTITY_SECRET)
      await tab.evaluate(
        ({ user, userHash }) =>
          (window as unknown as { ecrm: PageEcrm }).ecrm.identify(
            user.id,
            { email: user.email },
            { context: { userHash } },
          ),
        { user, userHash },
      )
      await waitFor(async () => (await ownerOf('user_id', 'user-42')) !== undefined, 'the verified identify')
      expect(await ownerOf('user_id', 'user-42')).toBe(await ownerOf('user_id', 'other-user'))
      const stored = await collector.store.query<{ payload: { context: Record<string, unknown> } }>(
        "select payload from ecrm_events where type = 'identify' and user_id = 'user-42'",
      )
      expect(stored).toHaveLength(1)
      expect(stored[0]?.payload.context).not.toHaveProperty('userHash')

      // Without a hash, the same page may not pull this identified customer under a third user id.
      await tab.evaluate(() =>
        (window as unknown as { ecrm: PageEcrm }).ecrm.identify('user-43', { email: 'eve@attacker.example' }),
      )
      const flushed = await tab.evaluate(() =>
        (window as unknown as { ecrm: { flush: () => Promise<{ deadLettered: number }> } }).ecrm.flush(),
      )
      // The collector answered 400 (its only event refused): the client gives it up, never retries it.
      expect(flushed.deadLettered).toBe(1)
      expect(await ownerOf('user_id', 'user-43')).toBeUndefined()
      await context.close()
    }, 60_000)
  },
)
