/**
 * A local Kavenegar implementing the documented REST API (https://kavenegar.com/rest.html):
 * `/v1/{API-KEY}/sms/send.json` and `/v1/{API-KEY}/verify/lookup.json`, form fields, a JSON reply
 * `{ return: { status, message }, entries: [...] }` whose `return.status` is also the HTTP status.
 * A `localid` sent before gets the first send's entry back and nothing is texted again (the
 * documented duplicate guard); `texted` lists what was really sent.
 */
import type { ProviderAnswer, ReceivedRequest } from './providerServer.js'
import { startProviderServer } from './providerServer.js'

/** The API key this server accepts (anything else answers 403, as Kavenegar does). */
export const KAVENEGAR_KEY = '4D6F6E6B6579-test-key'

const fail = (status: number, message: string): ProviderAnswer => ({
  status,
  body: { return: { status, message }, entries: null },
})

/** Starts the server; `override` answers instead when it returns something (to play errors). */
export async function startKavenegarServer(
  override?: (request: ReceivedRequest, form: URLSearchParams) => ProviderAnswer | undefined,
) {
  let nextId = 8_792_343
  const byLocalId = new Map<string, unknown>()
  const texted: { receptor: string; message: string; messageid: number }[] = []
  const server = await startProviderServer((request) => {
    const form = new URLSearchParams(request.body)
    const special = override?.(request, form)
    if (special !== undefined) return special
    const match = /^\/v1\/([^/]+)\/(sms\/send|verify\/lookup)\.json$/.exec(request.path)
    if (match === null) return fail(404, 'متد تعریف نشده است')
    if (decodeURIComponent(match[1] ?? '') !== KAVENEGAR_KEY) return fail(403, 'کد شناسائی API-Key معتبر نمی‌باشد')
    const receptor = form.get('receptor') ?? ''
    if (
      receptor === '' ||
      (match[2] === 'sms/send' ? !form.get('message') : !form.get('template') || !form.get('token'))
    )
      return fail(400, 'پارامترها ناقص هستند')
    if (!/^(09\d{9}|00[1-9]\d{6,14})$/.test(receptor)) return fail(411, 'دریافت کننده نامعتبر است')
    const localId = match[2] === 'sms/send' ? form.get('localid') : null
    const earlier = localId === null ? undefined : byLocalId.get(localId)
    if (earlier !== undefined)
      return { status: 200, body: { return: { status: 200, message: 'تایید شد' }, entries: [earlier] } }
    const entry = {
      messageid: nextId++,
      message: form.get('message') ?? form.get('token'),
      status: 1,
      statustext: 'در صف ارسال',
      sender: form.get('sender') ?? '10004346',
      receptor,
      date: 1_356_619_709,
      cost: 120,
    }
    if (localId !== null) byLocalId.set(localId, entry)
    texted.push({ receptor, message: entry.message ?? '', messageid: entry.messageid })
    return { status: 200, body: { return: { status: 200, message: 'تایید شد' }, entries: [entry] } }
  })
  return { ...server, texted }
}
