/**
 * Click and open tracking for an email's HTML: pure string work at render time, so the rendered
 * mail kept in the outbox is exactly what the customer receives.
 */
import type { MessageLinkClaims } from './messageLinks.js'

/** Where the collector answers message links (`o` open pixel, `c` click, `u` unsubscribe). */
export const MESSAGE_LINKS_PREFIX = '/v1/m/'

/** Options of {@link trackMessageLinks}. */
export interface TrackMessageLinksOptions {
  /** The collector's public origin, e.g. `"https://shop.example"` (no trailing slash needed). */
  readonly base: string
  /** Signs one link of this message (bind message id, customer, expiry and secret in it). */
  readonly sign: (link: Pick<MessageLinkClaims, 'k' | 'u'>) => Promise<string>
}

const anchorHref = /(<a\b[^>]*?\shref\s*=\s*)("([^"]*)"|'([^']*)')/gi

/**
 * Rewrites every `<a href="http(s)://…">` to a signed click redirect on `base` and adds the open
 * pixel before `</body>` (or at the end). `mailto:`, `tel:`, `#anchors`, relative links and links
 * already under `base` + `/v1/m/` (the unsubscribe link) are left as they are. The signed URL is
 * the href as the mail client would follow it (`&amp;` decoded).
 *
 * @example
 * await trackMessageLinks('<a href="https://shop.example/sale">Sale</a>', { base: 'https://shop.example', sign: (link) => signMessageLink({ ...link, m, c, exp }, secret) })
 */
export async function trackMessageLinks(html: string, options: TrackMessageLinksOptions): Promise<string> {
  const base = options.base.replace(/\/+$/, '')
  const own = `${base}${MESSAGE_LINKS_PREFIX}`
  const rewrites = new Map<string, string>()
  for (const match of html.matchAll(anchorHref)) {
    const url = decodeAttribute(match[3] ?? match[4] ?? '').trim()
    if (!/^https?:\/\//i.test(url) || url.startsWith(own) || rewrites.has(url)) continue
    rewrites.set(url, `${own}c/${await options.sign({ k: 'click', u: url })}`)
  }
  const tracked = html.replace(anchorHref, (whole, head: string, quoted: string, double?: string, single?: string) => {
    const target = rewrites.get(decodeAttribute(double ?? single ?? '').trim())
    return target === undefined ? whole : `${head}${quoted[0]}${target}${quoted[0]}`
  })
  const pixel = `<img src="${own}o/${await options.sign({ k: 'open' })}.gif" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0">`
  const bodyEnd = tracked.search(/<\/body\s*>(?![\s\S]*<\/body\s*>)/i)
  return bodyEnd === -1 ? `${tracked}${pixel}` : `${tracked.slice(0, bodyEnd)}${pixel}${tracked.slice(bodyEnd)}`
}

// The entities a URL in an attribute carries in practice; a full decoder is not needed for hrefs.
function decodeAttribute(value: string): string {
  return value.replace(
    /&(amp|quot|#39|#x27|apos);/gi,
    (entity) =>
      ({ '&amp;': '&', '&quot;': '"', '&#39;': "'", '&#x27;': "'", '&apos;': "'" })[entity.toLowerCase()] ?? entity,
  )
}
