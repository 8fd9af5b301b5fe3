import { createHash, createVerify } from 'node:crypto'

/**
 * Verifies the DKIM-Signature of a raw message (RFC 6376: relaxed/relaxed canonicalisation
 * §3.4.2 and §3.4.4, rsa-sha256 §3.3.1) against a public key in PEM, as a receiver would after
 * its DNS lookup. Written from the RFC for the test; throws saying what did not match.
 */
export function verifyDkim(
  raw: string,
  publicKeyPem: string,
): { domain: string; selector: string; signedHeaders: string[] } {
  const split = raw.indexOf('\r\n\r\n')
  const headerBlock = raw.slice(0, split)
  const body = raw.slice(split + 4)
  const headers = headerBlock.split(/\r\n(?![ \t])/).map((line) => ({ name: line.slice(0, line.indexOf(':')), line }))
  const signature = headers.find((header) => header.name.toLowerCase() === 'dkim-signature')
  if (signature === undefined) throw new Error('no DKIM-Signature header')
  const tags = Object.fromEntries(
    signature.line
      .slice(signature.line.indexOf(':') + 1)
      .split(';')
      .map((tag) => tag.trim())
      .filter(Boolean)
      .map((tag) => [tag.slice(0, tag.indexOf('=')).trim(), tag.slice(tag.indexOf('=') + 1).replace(/\s+/g, '')]),
  ) as Record<string, string>
  if (tags['a'] !== 'rsa-sha256' || tags['c'] !== 'relaxed/relaxed')
    throw new Error(`unexpected a=${tags['a']} c=${tags['c']}`)
  const canonicalBody =
    body
      .split('\r\n')
      .map((line) => line.replace(/[ \t]+/g, ' ').replace(/ $/, ''))
      .join('\r\n')
      .replace(/(\r\n)*$/, '') + '\r\n'
  const bodyHash = createHash('sha256')
    .update(canonicalBody === '\r\n' ? '' : canonicalBody)
    .digest('base64')
  if (bodyHash !== tags['bh']) throw new Error(`body hash ${bodyHash} differs from bh=${tags['bh']}`)
  const relaxed = (line: string): string => {
    const colon = line.indexOf(':')
    return `${line.slice(0, colon).trim().toLowerCase()}:${line
      .slice(colon + 1)
      .replace(/\r\n/g, '')
      .replace(/[ \t]+/g, ' ')
      .trim()}`
  }
  const used = new Set<number>()
  const signedHeaders = (tags['h'] ?? '').split(':')
  let data = ''
  for (const name of signedHeaders) {
    // The last unused instance of each name, bottom up (§5.4.2); a missing one signs as nothing.
    for (let index = headers.length - 1; index >= 0; index -= 1) {
      const header = headers[index] as { name: string; line: string }
      if (!used.has(index) && header.name.trim().toLowerCase() === name.toLowerCase()) {
        used.add(index)
        data += `${relaxed(header.line)}\r\n`
        break
      }
    }
  }
  // The signature header signs itself with its b= value empty (§3.7).
  data += relaxed(
    signature.line
      .split(';')
      .map((part) => (/^\s*b=/.test(part) ? part.slice(0, part.indexOf('=') + 1) : part))
      .join(';'),
  )
  const verified = createVerify('RSA-SHA256')
    .update(data)
    .verify(publicKeyPem, tags['b'] ?? '', 'base64')
  if (!verified) throw new Error('the DKIM signature does not verify')
  return { domain: tags['d'] ?? '', selector: tags['s'] ?? '', signedHeaders }
}
