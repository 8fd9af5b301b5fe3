import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { signMessageLink, trackMessageLinks, verifyMessageLink } from '../../src/messages/index.js'
import type { MessageLinkClaims } from '../../src/messages/index.js'

const SECRET = 'a link secret of at least thirty-two characters'
const NOW = Date.UTC(2026, 2, 5, 12)
const claims: MessageLinkClaims = {
  m: 'firing-1:0',
  c: 'c-42',
  k: 'click',
  u: 'https://shop.example/sale?x=1&y=2',
  exp: NOW + 86_400_000,
  l: 'fa-IR',
}

describe('signMessageLink / verifyMessageLink', () => {
  it('round-trips claims through a URL-safe token', async () => {
    const token = await signMessageLink(claims, SECRET)
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/)
    expect(await verifyMessageLink(token, SECRET, NOW)).toEqual({ ok: true, claims })
  })

  it('refuses a token signed under another key, or with its payload or signature changed, as forged', async () => {
    const token = await signMessageLink(claims, SECRET)
    expect(await verifyMessageLink(token, 'another secret, also thirty-two characters', NOW)).toEqual({
      ok: false,
      reason: 'forged',
    })
    const [payload, signature] = token.split('.') as [string, string]
    const tampered = btoa(JSON.stringify({ ...claims, u: 'https://evil.example/' }))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '')
    expect(await verifyMessageLink(`${tampered}.${signature}`, SECRET, NOW)).toEqual({ ok: false, reason: 'forged' })
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`
    expect(await verifyMessageLink(`${payload}.${flipped}`, SECRET, NOW)).toEqual({ ok: false, reason: 'forged' })
  })

  it('refuses an expired token and garbage as malformed', async () => {
    const token = await signMessageLink(claims, SECRET)
    expect(await verifyMessageLink(token, SECRET, claims.exp)).toEqual({ ok: false, reason: 'expired' })
    for (const garbage of ['', 'abc', 'a.b.c', 'not base64!.x', `${token.split('.')[0]}.short`]) {
      expect(await verifyMessageLink(garbage, SECRET, NOW)).toEqual({ ok: false, reason: 'malformed' })
    }
  })

  it('refuses a short secret with a clear error', async () => {
    await expect(signMessageLink(claims, 'short')).rejects.toThrow(
      'message link secret: expected at least 32 bytes, got 5',
    )
  })
})

describe('trackMessageLinks on a real mail', () => {
  const html = readFileSync(new URL('./fixtures/winBackMail.html', import.meta.url), 'utf8')
  const base = 'https://shop.example'
  const sign = (link: Pick<MessageLinkClaims, 'k' | 'u'>) =>
    signMessageLink({ m: 'firing-1:0', c: 'c-42', exp: NOW + 86_400_000, ...link }, SECRET)

  it('rewrites the http(s) links to signed click redirects that verify to the original URL', async () => {
    const tracked = await trackMessageLinks(html, { base, sign })
    const clicks = [...tracked.matchAll(/href\s*=\s*["'](https:\/\/shop\.example\/v1\/m\/c\/([^"']+))["']/gi)]
    const targets = await Promise.all(
      clicks.map(async ([, , token]) => {
        const check = await verifyMessageLink(token as string, SECRET, NOW)
        return check.ok ? check.claims.u : check.reason
      }),
    )
    expect(targets).toEqual([
      'https://shop.example/?utm_source=ecrm&utm_medium=email&utm_campaign=win_back',
      'https://shop.example/new-in?utm_source=ecrm&utm_campaign=win_back',
      'https://shop.example/p/linen-shirt?utm_source=ecrm&utm_campaign=win_back',
      'HTTPS://shop.example/p/canvas-tote',
      'https://shop.example/new-in?utm_source=ecrm&utm_campaign=win_back',
    ])
    // The same URL twice gets the same token.
    expect(clicks[1]?.[2]).toBe(clicks[4]?.[2])
  })

  it('leaves mailto, tel, anchors, relative links, images and the unsubscribe link alone', async () => {
    const tracked = await trackMessageLinks(html, { base, sign })
    for (const kept of [
      'href="mailto:help@shop.example"',
      'href="tel:+982112345678"',
      'href="#offers"',
      'href="/account"',
      'href="https://shop.example/v1/m/u/UNSUBSCRIBE-TOKEN"',
      'src="https://shop.example/logo.png"',
    ]) {
      expect(tracked).toContain(kept)
    }
    expect(tracked).toContain(
      'class="button" style="background:#0b57d0;color:#fff;padding:12px 20px" href=\'https://shop.example/v1/m/c/',
    )
  })

  it('adds one open pixel just before </body>, signed for the open', async () => {
    const tracked = await trackMessageLinks(html, { base, sign })
    const pixel =
      /<img src="https:\/\/shop\.example\/v1\/m\/o\/([^"]+)\.gif" width="1" height="1" alt=""[^>]*><\/body>/.exec(
        tracked,
      )
    expect(pixel).not.toBeNull()
    expect(await verifyMessageLink(pixel?.[1] as string, SECRET, NOW)).toMatchObject({
      ok: true,
      claims: { k: 'open', m: 'firing-1:0', c: 'c-42' },
    })
    expect(tracked.match(/\/v1\/m\/o\//g)).toHaveLength(1)
    expect(await trackMessageLinks('<p>No body tag</p>', { base: `${base}/`, sign })).toMatch(
      /^<p>No body tag<\/p><img src="https:\/\/shop\.example\/v1\/m\/o\//,
    )
  })
})
