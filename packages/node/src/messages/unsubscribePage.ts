/** The words of the unsubscribe page, per language. */
const texts = {
  en: {
    dir: 'ltr',
    title: 'Unsubscribe',
    ask: 'Stop receiving marketing emails from us?',
    confirm: 'Unsubscribe',
    done: 'You are unsubscribed. You will get no more marketing emails from us.',
  },
  fa: {
    dir: 'rtl',
    title: 'لغو اشتراک',
    ask: 'دیگر ایمیل تبلیغاتی از ما دریافت نکنید؟',
    confirm: 'لغو اشتراک',
    done: 'اشتراک شما لغو شد. دیگر ایمیل تبلیغاتی از ما دریافت نمی‌کنید.',
  },
} as const

function textsOf(locale: string): (typeof texts)[keyof typeof texts] & { lang: string } {
  const lang = locale.toLowerCase().startsWith('fa') ? 'fa' : 'en'
  return { ...texts[lang], lang }
}

function page(locale: string, body: string): string {
  const t = textsOf(locale)
  return `<!doctype html><html lang="${t.lang}" dir="${t.dir}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${t.title}</title></head><body style="font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem">${body}</body></html>`
}

/**
 * The page a customer's unsubscribe link opens: one question and a confirm button posting the
 * RFC 8058 body to the same URL (a mail client's link scanner that only GETs unsubscribes no one).
 * English, or Persian (right to left) for a `fa` locale. No user data is echoed into it.
 */
export function unsubscribeAskPage(locale: string): string {
  const t = textsOf(locale)
  return page(
    locale,
    `<h1>${t.title}</h1><p>${t.ask}</p><form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit" id="confirm">${t.confirm}</button></form>`,
  )
}

/** The page after the unsubscribe is recorded. */
export function unsubscribeDonePage(locale: string): string {
  const t = textsOf(locale)
  return page(locale, `<h1>${t.title}</h1><p id="done">${t.done}</p>`)
}
