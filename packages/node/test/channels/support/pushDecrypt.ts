/**
 * The user agent's side of web push, for tests: a P-256 key pair and auth secret, decryption of
 * an aes128gcm body (RFC 8291 §3.4 key derivation, RFC 8188 §2 record format), and VAPID JWT
 * verification (RFC 8292 §2: ES256 JWT with aud, exp, sub; `Authorization: vapid t=…, k=…`).
 */
import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify } from 'node:crypto'

export function userAgentKeys() {
  const ecdh = createECDH('prime256v1')
  ecdh.generateKeys()
  const auth = randomBytes(16)
  return {
    ecdh,
    publicKey: ecdh.getPublicKey(),
    auth,
    subscriptionKeys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
  }
}

/** Decrypts one aes128gcm message body as the user agent would. */
export function decryptAes128gcm(body: Buffer, keys: ReturnType<typeof userAgentKeys>): string {
  const salt = body.subarray(0, 16)
  const recordSize = body.readUInt32BE(16)
  const idLength = body.readUInt8(20)
  const asPublic = body.subarray(21, 21 + idLength)
  const ciphertext = body.subarray(21 + idLength)
  if (ciphertext.length > recordSize) throw new Error('more than one record')
  const ecdhSecret = keys.ecdh.computeSecret(asPublic)
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), keys.publicKey, asPublic])
  const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, keys.auth, keyInfo, 32))
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16))
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12))
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce)
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16))
  const padded = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()])
  // The last record ends with the delimiter 0x02, then zero padding (RFC 8188 §2).
  let end = padded.length - 1
  while (end >= 0 && padded[end] === 0) end--
  if (padded[end] !== 2) throw new Error('missing last-record delimiter')
  return padded.subarray(0, end).toString('utf8')
}

/** Verifies a VAPID Authorization header; returns its claims and key, or throws. */
export function verifyVapid(header: string | undefined): {
  claims: { aud: string; exp: number; sub: string }
  k: string
} {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header ?? '')
  if (match === null) throw new Error(`not a VAPID header: ${header}`)
  const [token = '', k = ''] = [match[1], match[2]]
  const [head = '', payload = '', signature = ''] = token.split('.')
  const key = Buffer.from(k, 'base64url')
  const jwk = {
    kty: 'EC',
    crv: 'P-256',
    x: key.subarray(1, 33).toString('base64url'),
    y: key.subarray(33, 65).toString('base64url'),
  }
  const ok = verify(
    'sha256',
    Buffer.from(`${head}.${payload}`),
    { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  )
  if (!ok) throw new Error('VAPID signature does not verify')
  if (JSON.parse(Buffer.from(head, 'base64url').toString()).alg !== 'ES256') throw new Error('not ES256')
  return { claims: JSON.parse(Buffer.from(payload, 'base64url').toString()), k }
}
