// What a shopper does with the demo's mails, as a person in a mail client would: reads one (its
// images load, the open pixel among them), clicks a link in it, unsubscribes. The mails come from
// the demo's own SMTP server (`/dashboard/mails.json` lists what it received, `/dashboard/mail/<n>.eml`
// is the raw MIME) and are parsed with mailparser, so the links followed are the ones that were sent.
import { simpleParser } from 'mailparser'

/**
 * Waits until the demo's SMTP server has received a mail to `email` whose subject starts with
 * `subject` (any subject when omitted), then returns it parsed: subject, html, and the
 * List-Unsubscribe URL (RFC 2369) when the mail has one.
 */
export async function waitForMail(baseUrl, email, { subject = '', timeoutMs = 30_000 } = {}) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const response = await fetch(`${baseUrl}/dashboard/mails.json`)
    if (!response.ok) throw new Error(`GET ${baseUrl}/dashboard/mails.json answered ${response.status}`)
    const listed = (await response.json()).mails.find(
      (mail) => mail.to.includes(email) && mail.subject.startsWith(subject),
    )
    if (listed !== undefined) return readMail(baseUrl, listed.n)
    if (Date.now() > deadline)
      throw new Error(`No mail to ${email}${subject ? ` starting "${subject}"` : ''} within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

/** Mail `n` as the demo's SMTP server received it, parsed from its raw MIME. */
export async function readMail(baseUrl, n) {
  const response = await fetch(`${baseUrl}/dashboard/mail/${n}.eml`)
  if (!response.ok) throw new Error(`GET ${baseUrl}/dashboard/mail/${n}.eml answered ${response.status}`)
  const raw = await response.text()
  const parsed = await simpleParser(raw)
  // mailparser keeps List-* headers parsed under 'list'; the raw line is the one RFC 8058 defines.
  const unsubscribe = /^List-Unsubscribe:\s*<([^>]+)>/im.exec(raw)?.[1]
  return {
    n,
    raw,
    subject: parsed.subject ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : '',
    unsubscribeUrl: unsubscribe ?? null,
  }
}

/**
 * Opens a mail's HTML in a new tab of the shopper's browser context, as a mail client shows it:
 * its images load (the open pixel records `Email Opened`). Resolves once they have loaded.
 */
export async function openMail(context, mail) {
  const page = await context.newPage()
  await page.setContent(mail.html, { waitUntil: 'load' })
  return page
}

/**
 * Clicks the first link of an opened mail (the collector's signed click redirect) and waits until
 * the browser lands where it redirects; returns that URL.
 */
export async function clickMailLink(page) {
  const link = page.locator('a[href*="/v1/m/c/"]').first()
  await link.click()
  await page.waitForURL((url) => url.protocol.startsWith('http') && !url.pathname.startsWith('/v1/m/'))
  return page.url()
}

/**
 * Opens a mail's unsubscribe page (its List-Unsubscribe URL) in the shopper's browser and
 * confirms: the page posts the RFC 8058 one-click body. Returns the confirmation text.
 */
export async function unsubscribeInBrowser(context, mail) {
  if (mail.unsubscribeUrl === null) throw new Error(`Mail ${mail.n} has no List-Unsubscribe link`)
  const page = await context.newPage()
  await page.goto(mail.unsubscribeUrl)
  await page.click('#confirm')
  const done = await page.locator('#done').innerText()
  await page.close()
  return done
}

/**
 * What a mail provider's "Unsubscribe" button does (RFC 8058): POSTs `List-Unsubscribe=One-Click`
 * to the mail's List-Unsubscribe URL, without opening a page. Returns the HTTP status.
 */
export async function unsubscribeOneClick(mail) {
  if (mail.unsubscribeUrl === null) throw new Error(`Mail ${mail.n} has no List-Unsubscribe link`)
  const response = await fetch(mail.unsubscribeUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'List-Unsubscribe=One-Click',
  })
  return response.status
}
