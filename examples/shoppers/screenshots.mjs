// Saves screenshots of the running demo (storefront and dashboard) in docs/screenshots/, taken in
// headless Chromium. Usage: ECRM_DEMO_URL=http://127.0.0.1:8787 node examples/shoppers/screenshots.mjs
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { addToCart, launchBrowser, openShop, viewProduct } from './visits.mjs'

const baseUrl = (process.env.ECRM_DEMO_URL ?? process.argv[2] ?? 'http://127.0.0.1:8787').replace(/\/$/, '')
const folder = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url))
mkdirSync(folder, { recursive: true })

const browser = await launchBrowser()
try {
  const visit = await openShop(browser, baseUrl)
  await visit.page.screenshot({ path: `${folder}storefront.png`, fullPage: true })
  await viewProduct(visit.page, 'sku-kettle')
  await addToCart(visit.page, 'sku-kettle')
  await visit.page.screenshot({ path: `${folder}product.png` })
  await visit.context.close()

  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } })
  const page = await context.newPage()
  await page.goto(`${baseUrl}/dashboard`)
  await page.screenshot({ path: `${folder}dashboard.png`, fullPage: true })
  await context.close()
  console.log(`Saved storefront.png, product.png and dashboard.png in ${folder}`)
} finally {
  await browser.close()
}
