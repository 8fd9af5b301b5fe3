// `npm run demo:shoppers`: several shoppers visit the running demo in headless Chromium (each in
// its own browser context: own cookies, storage and anonymous id) so the dashboard fills without
// a person. URL from ECRM_DEMO_URL (default http://127.0.0.1:8787); SHOPPERS limits how many.
import {
  abandonCart,
  addToCart,
  checkout,
  fillLeadForm,
  goHome,
  launchBrowser,
  leave,
  openCart,
  openShop,
  shopOffline,
  viewProduct,
} from './visits.mjs'
import { clickMailLink, openMail, unsubscribeOneClick, waitForMail } from './inbox.mjs'

const baseUrl = (process.env.ECRM_DEMO_URL ?? process.argv[2] ?? 'http://127.0.0.1:8787').replace(/\/$/, '')

/**
 * Who visits and what they do. Emails use example domains (RFC 2606). `mail` is what the shopper
 * does with the welcome mail afterwards: 'open' it, open it and 'click' its link, or 'unsubscribe'
 * (open it, then the mail provider's one-click unsubscribe button).
 */
const shoppers = [
  {
    name: 'Ana Ortiz',
    email: 'ana@roastery-supply.example',
    mail: 'click',
    async visit(browser) {
      const visit = await openShop(browser, baseUrl)
      await viewProduct(visit.page, 'sku-espresso')
      await addToCart(visit.page, 'sku-espresso')
      await goHome(visit.page)
      await addToCart(visit.page, 'sku-filters')
      await checkout(visit.page, this)
      await fillLeadForm(visit.page, { email: this.email, company: 'Roastery Supply', title: 'Head of Purchasing' })
      await leave(visit)
    },
  },
  {
    name: 'Ben Brown',
    email: 'ben.brown@gmail.com',
    async visit(browser) {
      await abandonCart(browser, baseUrl, 'sku-kettle')
    },
  },
  {
    name: 'Chloé Martin',
    email: 'chloe@cafe-martin.example',
    mail: 'open',
    returns: true,
    async visit(browser) {
      const visit = await openShop(browser, baseUrl)
      await viewProduct(visit.page, 'sku-grinder')
      await addToCart(visit.page, 'sku-grinder')
      await checkout(visit.page, this)
      await leave(visit)
    },
    async comeBack(browser) {
      const visit = await openShop(browser, baseUrl)
      await viewProduct(visit.page, 'sku-filter')
      await addToCart(visit.page, 'sku-filter')
      await addToCart(visit.page, 'sku-filter')
      await checkout(visit.page, this)
      await leave(visit)
    },
  },
  {
    name: 'Dev Patel',
    email: 'dev.patel@outlook.com',
    mail: 'click',
    async visit(browser) {
      const visit = await openShop(browser, baseUrl)
      await viewProduct(visit.page, 'sku-dripper')
      await shopOffline(visit.page, visit.context, 'sku-mug')
      await goHome(visit.page)
      await addToCart(visit.page, 'sku-dripper')
      await checkout(visit.page, this)
      await leave(visit)
    },
  },
  {
    name: 'Eva Nowak',
    email: 'eva.nowak@hotel-group.example',
    mail: 'unsubscribe',
    async visit(browser) {
      const visit = await openShop(browser, baseUrl)
      await viewProduct(visit.page, 'sku-grinder')
      await goHome(visit.page)
      await viewProduct(visit.page, 'sku-kettle')
      await fillLeadForm(visit.page, { email: this.email, company: 'Nowak Hotel Group', title: 'Operations Manager' })
      await leave(visit)
    },
  },
  {
    name: 'Finn (just looking)',
    async visit(browser) {
      const visit = await openShop(browser, baseUrl)
      await viewProduct(visit.page, 'sku-decaf')
      await goHome(visit.page)
      await viewProduct(visit.page, 'sku-mug')
      await leave(visit)
    },
  },
  {
    name: 'Greta Holm',
    email: 'greta.holm@yahoo.com',
    mail: 'click',
    returns: true,
    async visit(browser) {
      const visit = await openShop(browser, baseUrl)
      await viewProduct(visit.page, 'sku-decaf')
      await addToCart(visit.page, 'sku-decaf')
      await goHome(visit.page)
      await addToCart(visit.page, 'sku-mug')
      await checkout(visit.page, this)
      await leave(visit)
    },
    async comeBack(browser) {
      const visit = await openShop(browser, baseUrl)
      await viewProduct(visit.page, 'sku-espresso')
      await addToCart(visit.page, 'sku-espresso')
      await openCart(visit.page) // and leaves it there: a returning customer's abandoned cart
      await leave(visit)
    },
  },
  {
    name: 'Hugo Lefèvre',
    email: 'hugo@lefevre-bistro.example',
    mail: 'open',
    returns: true,
    async visit(browser) {
      const visit = await openShop(browser, baseUrl)
      await addToCart(visit.page, 'sku-espresso')
      await addToCart(visit.page, 'sku-espresso')
      await checkout(visit.page, this)
      await leave(visit)
    },
    async comeBack(browser) {
      const visit = await openShop(browser, baseUrl)
      await addToCart(visit.page, 'sku-espresso')
      await addToCart(visit.page, 'sku-kettle')
      await checkout(visit.page, this)
      await leave(visit)
    },
  },
]

/** Quick buyers: they fill the CLV and RFM models with more customers (some come back). */
for (const [name, email, skus, returns, mail] of [
  ['Ivo Horvat', 'ivo.horvat@gmail.com', ['sku-filters', 'sku-filter'], true, 'click'],
  ['Jun Sato', 'jun@kissa-sato.example', ['sku-decaf', 'sku-dripper'], false, undefined],
  ['Kai Weber', 'kai.weber@web.de', ['sku-mug'], true, 'open'],
  ['Lena Fischer', 'lena@fischer-office.example', ['sku-espresso', 'sku-grinder'], false, undefined],
]) {
  const buy = async (browser, list) => {
    const visit = await openShop(browser, baseUrl)
    for (const sku of list) {
      await viewProduct(visit.page, sku)
      await addToCart(visit.page, sku)
      await goHome(visit.page)
    }
    await checkout(visit.page, { email, name })
    await leave(visit)
  }
  shoppers.push({
    name,
    email,
    returns,
    mail,
    visit: (browser) => buy(browser, skus),
    comeBack: (browser) => buy(browser, skus.slice(0, 1)),
  })
}

/**
 * The shopper reads the welcome mail the demo's SMTP server received for them, in a browser of
 * their own (a mail client, not the shop's tab): opening it loads the open pixel, a click follows
 * the signed redirect to the shop, an unsubscribe is the RFC 8058 one-click POST.
 */
async function readWelcomeMail(browser, shopper) {
  const mail = await waitForMail(baseUrl, shopper.email, { subject: 'Welcome' })
  const context = await browser.newContext()
  try {
    const page = await openMail(context, mail)
    if (shopper.mail === 'click') await clickMailLink(page)
    if (shopper.mail === 'unsubscribe') {
      const status = await unsubscribeOneClick(mail)
      if (status !== 200) throw new Error(`the one-click unsubscribe answered ${status}`)
    }
  } finally {
    await context.close()
  }
}

const limit = Number(process.env.SHOPPERS ?? shoppers.length)
const cast = shoppers.slice(0, Number.isFinite(limit) && limit > 0 ? limit : shoppers.length)
const browser = await launchBrowser()
let failures = 0
const run = async (label, step) => {
  const started = Date.now()
  try {
    await step()
    console.log(`✓ ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`)
  } catch (error) {
    failures += 1
    console.error(`✗ ${label}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`)
  }
}
try {
  console.log(`Shoppers visiting ${baseUrl} …`)
  for (const shopper of cast) await run(shopper.name, () => shopper.visit(browser))
  for (const shopper of cast.filter((candidate) => candidate.mail !== undefined))
    await run(`${shopper.name} reads the welcome mail (${shopper.mail})`, () => readWelcomeMail(browser, shopper))
  for (const shopper of cast.filter((candidate) => candidate.returns))
    await run(`${shopper.name} comes back`, () => shopper.comeBack(browser))
} finally {
  await browser.close()
}
console.log(
  `\nDone${failures ? ` with ${failures} failed visit(s)` : ''}. Watch ${baseUrl}/dashboard (and the mails' opens, clicks and unsubscribes on ${baseUrl}/dashboard/outbox): carts left behind fire cart_abandoned after the demo window.`,
)
process.exitCode = failures ? 1 : 0
