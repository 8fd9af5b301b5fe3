/** The body as text, or how it was refused. */
export type BodyRead =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly reason: 'too_large'; readonly bytes: number }

/**
 * Reads a request body as UTF-8, stopping as soon as it passes `maxBytes`, so an oversized or
 * endless body costs at most `maxBytes` of memory.
 */
export async function readBodyLimited(request: Request, maxBytes: number): Promise<BodyRead> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN)
  if (declared > maxBytes) return { ok: false, reason: 'too_large', bytes: declared }
  if (request.body === null) return { ok: true, text: '' }
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let bytes = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    bytes += value.byteLength
    if (bytes > maxBytes) {
      await reader.cancel().catch(() => undefined)
      return { ok: false, reason: 'too_large', bytes }
    }
    chunks.push(value)
  }
  // Plain Uint8Array work, no Buffer: the handler also runs on Deno, Bun and workers.
  const whole = new Uint8Array(bytes)
  let offset = 0
  for (const chunk of chunks) {
    whole.set(chunk, offset)
    offset += chunk.byteLength
  }
  return { ok: true, text: new TextDecoder().decode(whole) }
}
