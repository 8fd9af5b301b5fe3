// Scripts written right to left (ISO 639-1): Arabic, Persian, Hebrew, Urdu, Pashto, Kurdish (Sorani), Yiddish.
const RTL = new Set(['ar', 'fa', 'he', 'ur', 'ps', 'ckb', 'yi'])

/**
 * Marks rendered HTML with its language, and `dir="rtl"` for right-to-left ones: on the `<html>`
 * element when the template has one, else on a wrapping `<div>` (mail clients drop `<html>` often).
 */
export function withTextDirection(html: string, locale: string): string {
  const language = locale.split('-')[0]!.toLowerCase()
  const attributes = RTL.has(language) ? `dir="rtl" lang="${locale}"` : `lang="${locale}"`
  if (/<html[\s>]/i.test(html)) return html.replace(/<html(?=[\s>])/i, `<html ${attributes}`)
  return `<div ${attributes}>${html}</div>`
}
