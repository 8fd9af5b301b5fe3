import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { readRecipes } from '../../packages/node/test/recipesDoc.js'
import { launchChromium, requireChromium } from '../support/chromium.js'
import type { RecordingBackend } from '../support/recordingBackend.js'
import { eventsNamed, loadCall, openTab, startStorefront, waitForClient } from './storefront.js'

const skipReason = requireChromium()
const MINUTE = 60_000
const HOUR = 60 * MINUTE

/** The browser recipes of docs/recipes.md, as written there: the page's `rules` option. */
const recipes = readRecipes().filter((recipe) => recipe.runsOn.includes('browser'))
const rules = recipes.map((recipe) => recipe.rule)

// The storefront's script: the doc's rules, exit intent on, and each firing noted in the page.
const APP =
  loadCall(
    `src: '/ecrm-onsite.min.js', capture: { pageViews: false }, signals: { exitIntent: true }, rules: ${JSON.stringify(rules)}`,
  ) +
  `window.__fired = [];\n` +
  rules
    .map((rule) => `ecrm.on('rule:${rule.id}', function (f) { window.__fired.push({ rule: f.ruleId, at: f.at }); });\n`)
    .join('')

type RecipeWindow = {
  __fired: { rule: string; at: number }[]
  ecrm: { track: (name: string, properties?: Record<string, unknown>) => void; flush: () => Promise<unknown> }
}
const inPage = <T>(tab: Page, read: (w: RecipeWindow) => T): Promise<T> =>
  tab.evaluate(`(${read.toString()})(window)`) as Promise<T>
const trackIn = (tab: Page, name: string, properties: Record<string, unknown> = {}): Promise<void> =>
  tab.evaluate(
    ([event, props]) =>
      (window as unknown as RecipeWindow).ecrm.track(event as string, props as Record<string, unknown>),
    [name, properties] as const,
  )
const firedIn = (tab: Page): Promise<{ rule: string; at: number }[]> => inPage(tab, (w) => w.__fired)

/** The pointer leaves the page through its top edge, as a visitor heading for the tabs does. */
async function leaveThroughTop(tab: Page): Promise<void> {
  await tab.mouse.move(200, 200)
  await tab.mouse.move(200, 5)
  // Playwright's mouse cannot leave the viewport: send the mouseout Chromium sends when it does.
  await tab.evaluate(() =>
    document.dispatchEvent(
      new MouseEvent('mouseout', { bubbles: true, clientX: 200, clientY: -2, relatedTarget: null }),
    ),
  )
}

describe.skipIf(skipReason !== undefined)(
  `docs/recipes.md in the browser, in Chromium${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    let browser: Browser
    let backend: RecordingBackend
    beforeAll(async () => {
      browser = await launchChromium()
      backend = await startStorefront({ app: APP })
    })
    afterAll(async () => {
      await browser?.close()
      await backend?.close()
    })

    /** A visitor in Paris whose page clock starts paused at `startAt` (Playwright's fake clock drives the timers). */
    async function visitor(startAt: number): Promise<{ context: BrowserContext; tab: Page; at: number }> {
      const context = await browser.newContext({ timezoneId: 'Europe/Paris' })
      await context.clock.install({ time: startAt })
      const tab = await openTab(context, `${backend.origin}/`)
      await waitForClient(tab)
      const at = startAt + MINUTE
      await tab.clock.pauseAt(at)
      return { context, tab, at }
    }

    it('runs the browser recipes of the doc: welcome, cart abandoned and the exit-intent offer', () => {
      expect(recipes.map((recipe) => recipe.rule.id).sort()).toEqual(['cart_abandoned', 'exit_intent_offer', 'welcome'])
    })

    it('a shopper at noon: welcome at once, the cart reminder 1 h after the cart, the exit offer once, each tracked once', async () => {
      backend.clear()
      const { context, tab, at } = await visitor(Date.UTC(2026, 5, 1, 10, 0)) // 12:00 in Paris
      await trackIn(tab, 'Signed Up')
      await trackIn(tab, 'Product Added', { product_id: 'sku-1', price: 20 })
      await tab.clock.runFor(59 * MINUTE)
      expect(await firedIn(tab)).toEqual([{ rule: 'welcome', at }])
      await tab.clock.runFor(MINUTE)
      await leaveThroughTop(tab) // carted today, no order in 30 days
      expect(await firedIn(tab)).toEqual([
        { rule: 'welcome', at },
        { rule: 'cart_abandoned', at: at + HOUR },
        { rule: 'exit_intent_offer', at: at + HOUR },
      ])
      await tab.reload()
      await waitForClient(tab)
      await leaveThroughTop(tab) // once, ever: not on the next page either
      await tab.clock.runFor(MINUTE)
      expect(await firedIn(tab)).toEqual([])
      await tab.clock.runFor(2 * HOUR)
      await inPage(tab, (w) => w.ecrm.flush())
      await backend.waitFor(() => eventsNamed(backend, 'Offer Shown').length >= 1, 15_000, 'Offer Shown')
      const once = (name: string): number => new Set(eventsNamed(backend, name).map((event) => event['messageId'])).size
      expect([once('Welcome Requested'), once('Cart Abandoned'), once('Offer Shown')]).toEqual([1, 1, 1])
      const cart = eventsNamed(backend, 'Cart Abandoned')[0]
      expect(cart?.['timestamp']).toBe(new Date(at + HOUR).toISOString()) // on time, by the page's clock
      expect(cart?.['properties']).toMatchObject({
        rule_id: 'cart_abandoned',
        trigger_properties: { product_id: 'sku-1' },
      })
      await context.close()
    })

    it('a buyer late at night: no cart reminder, no exit offer, and the welcome waits for 08:00 in Paris', async () => {
      backend.clear()
      const { context, tab, at } = await visitor(Date.UTC(2026, 5, 1, 21, 0)) // 23:00 in Paris
      await trackIn(tab, 'Signed Up')
      await trackIn(tab, 'Product Added', { product_id: 'sku-2' })
      await tab.clock.runFor(10 * MINUTE)
      await trackIn(tab, 'Order Completed', { order_id: 'o-1', total: 40, currency: 'EUR' })
      // The exit comes in the same instant as the order: the order is folded as its write starts.
      await leaveThroughTop(tab)
      await tab.clock.runFor(2 * HOUR)
      expect(await firedIn(tab)).toEqual([])
      await tab.clock.runFor(Date.UTC(2026, 5, 2, 6, 0) - at - 2 * HOUR - 10 * MINUTE + MINUTE) // past 08:00 in Paris
      expect(await firedIn(tab)).toEqual([{ rule: 'welcome', at: Date.UTC(2026, 5, 2, 6, 0) }])
      await context.close()
    })
  },
)
