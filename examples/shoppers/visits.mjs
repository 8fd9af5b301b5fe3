// Scripted shopper visits for the demo, driven through real Chromium with playwright-core. Each
// visit works the shop like a person: clicks links and buttons, fills forms, waits a little.
import { chromium } from 'playwright-core'

/** Debian's Chromium and the flags for a quiet headless run in a container. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

/** Launches headless Chromium. */
export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true })
}

const pause = (page, ms) => page.waitForTimeout(ms)

/** Opens the shop in a fresh browser context: a new visitor (own cookies, storage, anonymous id). */
export async function openShop(browser, baseUrl) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } })
  const page = await context.newPage()
  await page.goto(`${baseUrl}/`)
  await page.waitForFunction(() => window.ecrm?.loaded === true)
  return { context, page }
}

/** Looks at a product page through the grid. */
export async function viewProduct(page, sku) {
  await page.click(`.card h3 a[href="/product/${sku}"]`)
  await page.waitForSelector('.detail h1')
  await pause(page, 250)
}

/** Adds a product from its page or the grid. */
export async function addToCart(page, sku) {
  await page.click(`[data-add="${sku}"]`)
  await pause(page, 200)
}

/** Back to the product grid through the brand link. */
export async function goHome(page) {
  await page.click('a.brand')
  await page.waitForSelector('.grid')
}

/** Opens the cart through the header link. */
export async function openCart(page) {
  await page.click('nav a[href="/cart"]')
  await page.waitForSelector('main h1')
}

/** Checks out what is in the cart: the checkout form, then the order. */
export async function checkout(page, { email, name }) {
  await openCart(page)
  await page.click('a.button[href="/checkout"]')
  await page.fill('#checkout input[name="email"]', email)
  await page.fill('#checkout input[name="name"]', name)
  await pause(page, 200)
  await page.click('#checkout button[type="submit"]')
  await page.waitForSelector('text=Thank you!')
}

/** Subscribes through the newsletter / wholesale lead form. */
export async function fillLeadForm(page, { email, company = '', title = '' }) {
  await page.fill('#lead-form input[name="email"]', email)
  if (company) await page.fill('#lead-form input[name="company"]', company)
  if (title) await page.fill('#lead-form input[name="title"]', title)
  await page.click('#lead-form button[type="submit"]')
  await page.waitForSelector('#lead-result:has-text("Thanks")')
}

/** Sends what the page still holds, then closes the visitor's browser context. */
export async function leave({ context, page }) {
  await page.evaluate(() => window.ecrm.flush()).catch(() => undefined)
  await context.close()
}

/**
 * A visitor who puts a product in the cart, looks at the cart and leaves without buying: the
 * cart_abandoned rule fires after the demo's window.
 */
export async function abandonCart(browser, baseUrl, sku = 'sku-grinder') {
  const visit = await openShop(browser, baseUrl)
  await viewProduct(visit.page, sku)
  await addToCart(visit.page, sku)
  await openCart(visit.page)
  const anonymousId = await visit.page.evaluate(() => window.ecrm.user?.()?.anonymousId ?? null)
  await leave(visit)
  return { anonymousId }
}

/**
 * A visitor who loses the network mid-visit (context.setOffline): events queue in IndexedDB while
 * offline, and are delivered when the network comes back.
 */
export async function shopOffline(page, context, sku) {
  await context.setOffline(true)
  await goHome(page)
  await viewProduct(page, sku)
  await addToCart(page, sku)
  await pause(page, 600)
  await context.setOffline(false)
  await page.evaluate(() => window.ecrm.flush()).catch(() => undefined)
}
