/**
 * SMS through any provider with an HTTP API: a URL, a method, headers (API keys), and a body
 * built from a template object whose strings may hold `{{to}}`, `{{text}}` and `{{id}}`.
 */
import type { Channel, ChannelOutcome, Message } from '@ecrm/core'
import * as z from 'zod'
import { channelNameSchema, channelReason, parseChannelOptions, timeoutMsSchema } from './channelOptions.js'
import { providerRequest, transientOutcome } from './providerRequest.js'

/** A body template: strings (with placeholders), numbers, booleans, nested objects and arrays. */
type BodyTemplate =
  | string
  | number
  | boolean
  | null
  | readonly BodyTemplate[]
  | { readonly [key: string]: BodyTemplate }
const bodyTemplateSchema: z.ZodType<BodyTemplate> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(bodyTemplateSchema),
    z.record(z.string(), bodyTemplateSchema),
  ]),
)

/** The HTTP SMS options, with `secret` as the schema of header values (a string, or `{ env }` in config). */
export function httpSmsOptionsSchema<S extends z.ZodType>(secret: S) {
  return z.strictObject({
    /** @default 'sms' */
    name: channelNameSchema.default('sms'),
    url: z.url({ protocol: /^https?$/ }),
    /** GET sends the body's top-level fields as query parameters. @default 'POST' */
    method: z.enum(['POST', 'PUT', 'GET']).default('POST'),
    /** Request headers, e.g. `{ authorization: 'Bearer …' }`. */
    headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/, 'a header name'), secret).default({}),
    /** `json`, or `form` (application/x-www-form-urlencoded: top-level fields only). @default 'json' */
    format: z.enum(['json', 'form']).default('json'),
    /** The body, with `{{to}}` (E.164), `{{text}}` and `{{id}}` (the message id) in its strings. */
    body: z.record(z.string(), bodyTemplateSchema),
    timeoutMs: timeoutMsSchema,
  })
}

/** Schema of {@link HttpSmsChannelOptions}. */
export const httpSmsChannelOptionsSchema = httpSmsOptionsSchema(z.string())

/** Options of {@link createHttpSmsChannel}. */
export type HttpSmsChannelOptions = z.input<typeof httpSmsChannelOptionsSchema>

/** Fills `{{to}}`, `{{text}}` and `{{id}}` in every string of a body template; other `{{…}}` stay as written. */
export function fillBodyTemplate(
  template: BodyTemplate,
  message: Pick<Message, 'id' | 'recipient' | 'content'>,
): BodyTemplate {
  if (typeof template === 'string') {
    const values: Record<string, string> = { to: message.recipient, text: message.content.text, id: message.id }
    return template.replace(/\{\{\s*(to|text|id)\s*\}\}/g, (_, name: string) => values[name] ?? '')
  }
  if (Array.isArray(template)) return template.map((item: BodyTemplate) => fillBodyTemplate(item, message))
  if (template !== null && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([key, value]) => [key, fillBodyTemplate(value, message)]))
  }
  return template
}

function formOf(body: Readonly<Record<string, BodyTemplate>>): URLSearchParams {
  return new URLSearchParams(
    Object.entries(body).map(([key, value]): [string, string] => [
      key,
      typeof value === 'string' ? value : JSON.stringify(value),
    ]),
  )
}

/**
 * A generic SMS {@link Channel}: any 2xx is delivered, no answer / 408 / 429 (with `Retry-After`)
 * / 5xx retry, any other 4xx fails the message as `rejected` (the same request would fail again).
 *
 * @example
 * const sms = createHttpSmsChannel({ url: 'https://sms.example/send', headers: { authorization: `Bearer ${process.env.SMS_TOKEN}` }, body: { to: '{{to}}', text: '{{text}}', ref: '{{id}}' } })
 */
export function createHttpSmsChannel(options: HttpSmsChannelOptions): Channel {
  const config = parseChannelOptions('createHttpSmsChannel()', httpSmsChannelOptionsSchema, options)

  const send = async (message: Message): Promise<ChannelOutcome> => {
    const body = fillBodyTemplate(config.body, message) as Record<string, BodyTemplate>
    let url = config.url
    let init: RequestInit
    if (config.method === 'GET') {
      const target = new URL(config.url)
      for (const [key, value] of formOf(body)) target.searchParams.set(key, value)
      url = target.href
      init = { method: 'GET', headers: config.headers }
    } else {
      const form = config.format === 'form'
      init = {
        method: config.method,
        headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json', ...config.headers },
        body: form ? formOf(body) : JSON.stringify(body),
      }
    }
    const reply = await providerRequest(url, init, config.timeoutMs)
    const said = (detail: string): string => channelReason(config.name, 'sms', detail)
    const transient = transientOutcome(reply, Date.now())
    if (transient !== undefined) return { ...transient, reason: said(transient.reason) }
    if (reply.type !== 'response') return { status: 'retry', reason: said('no reply') }
    if (reply.status >= 200 && reply.status < 300) return { status: 'delivered' }
    return {
      status: 'failed',
      failure: 'rejected',
      reason: said(`HTTP ${reply.status}${reply.body === '' ? '' : `: ${reply.body.slice(0, 200)}`}`),
    }
  }

  return { name: config.name, kind: 'sms', send }
}
