import { DAY_MS, MESSAGE_LINKS_PREFIX, signMessageLink, trackMessageLinks } from '@ecrm/core'
import type { Channel, ChannelKind, MessageLinkClaims, MessagePolicyInput } from '@ecrm/core'
import type { Store } from '../store/storeTypes.js'
import type { Templates } from '../templates/loadTemplates.js'
import type { MessageComposer } from './composeMessages.js'
import { createMessageLinksHandler } from './messageLinksHandler.js'
import { createMessageSender } from './messageSender.js'
import { statusCallbackRoutes } from './statusCallbackRoutes.js'
import type { StatusCallback } from './statusCallbackRoutes.js'

/** What `ecrm serve` needs to send messages (built from `ecrm.config.json`'s channels, templates, messages). */
export interface ServeMessagesOptions {
  readonly channels: Readonly<Record<string, Channel>>
  readonly templates: Templates
  /** The collector's public origin, for the links in messages. */
  readonly baseUrl: string
  readonly linkSecret: string
  /** Consent, caps and quiet hours applied before each send (core's `messagePolicySchema`). @default opt-in, no caps, no quiet hours */
  readonly policy?: MessagePolicyInput
  /** How long links in a message stay valid, in ms. @default 90 days */
  readonly linkTtlMs?: number
  /** Longest wait between sender passes when nothing falls due, in ms. @default 1_000 */
  readonly pollMs?: number
  /** Provider delivery callbacks to answer under `/v1/m/` (Twilio, Kavenegar). @default none */
  readonly statusCallbacks?: readonly StatusCallback[]
}

/** Messaging as `ecrm serve` runs it. */
export interface ServedMessages {
  /** For the rule runner: channel kinds, rendering (links tracked), List-Unsubscribe headers. */
  readonly composer: MessageComposer
  /** Answers `/v1/m/…` (open pixel, click redirect, unsubscribe, provider delivery callbacks). */
  readonly handle: (request: Request) => Promise<Response>
  /** Starts the sender loop over `store`. */
  readonly start: (
    store: Pick<Store, 'query' | 'insertEvents' | 'getProfile' | 'transaction'>,
    log: (line: string) => void,
  ) => void
  /** Lets a pass in flight finish, then closes the channels. Idempotent. */
  readonly stop: () => Promise<void>
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * Wires templates, link signing, the message routes and the sender loop for `ecrm serve`: each
 * message is rendered at enqueue with its links rewritten to signed click redirects and an open
 * pixel, and email gets RFC 8058 one-click `List-Unsubscribe` headers pointing at the collector.
 */
export function serveMessages(
  options: ServeMessagesOptions,
  store: Pick<Store, 'insertEvents' | 'getProfile' | 'query'>,
): ServedMessages {
  const { channels, templates, linkSecret } = options
  const base = options.baseUrl.replace(/\/+$/, '')
  const ttl = options.linkTtlMs ?? 90 * DAY_MS
  const sign =
    (messageId: string, customerId: string, locale: string, at: number) => (link: Pick<MessageLinkClaims, 'k' | 'u'>) =>
      signMessageLink({ m: messageId, c: customerId, ...link, exp: at + ttl, l: locale }, linkSecret)
  const kinds: Record<string, ChannelKind> = Object.fromEntries(
    Object.entries(channels).map(([name, channel]) => [name, channel.kind]),
  )
  const composer: MessageComposer = {
    channels: kinds,
    async render(request) {
      const content = await templates.render(request)
      const signLink = sign(request.messageId, request.firing.customerId, request.locale, request.firing.at)
      const html =
        content.html === undefined ? undefined : await trackMessageLinks(content.html, { base, sign: signLink })
      if (request.kind !== 'push') return html === undefined ? content : { ...content, html }
      // A notification opens one URL: the template's own, else its first link. Signed as a click
      // redirect, so the service worker opening it records the click (ecrm-sw.js).
      const url =
        content.url === undefined
          ? html?.match(new RegExp(`href=["'](${escapeRegExp(`${base}${MESSAGE_LINKS_PREFIX}c/`)}[^"']+)`))?.[1]
          : `${base}${MESSAGE_LINKS_PREFIX}c/${await signLink({ k: 'click', u: content.url })}`
      return { ...content, ...(html === undefined ? {} : { html }), ...(url === undefined ? {} : { url }) }
    },
    // Links carry the outbox row's customer key (the firing's), which the link routes look up.
    async headers(message) {
      if (message.kind !== 'email') return {}
      const token = await sign(message.id, message.customerId, message.locale, message.createdAt)({ k: 'unsubscribe' })
      return { 'List-Unsubscribe': `<${base}/v1/m/u/${token}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }
    },
  }
  const links = createMessageLinksHandler({ store, secret: linkSecret })
  const callbacks = statusCallbackRoutes(options.statusCallbacks ?? [], store)
  const handle = (request: Request): Promise<Response> =>
    (callbacks.get(new URL(request.url).pathname) ?? links)(request)
  let running: { stop: () => Promise<void> } | undefined
  let stopping: Promise<void> | undefined
  return {
    composer,
    handle,
    start(senderStore, log) {
      running ??= runSender(senderStore, channels, options.policy, options.pollMs ?? 1_000, log)
    },
    stop() {
      stopping ??= (async () => {
        await running?.stop()
        for (const channel of Object.values(channels)) await channel.close?.()
      })()
      return stopping
    },
  }
}

// Passes back to back while there is work; otherwise sleeps until a retry falls due or pollMs.
function runSender(
  store: Pick<Store, 'query' | 'insertEvents' | 'getProfile' | 'transaction'>,
  channels: Readonly<Record<string, Channel>>,
  policy: MessagePolicyInput | undefined,
  pollMs: number,
  log: (line: string) => void,
): { stop: () => Promise<void> } {
  const { engine } = createMessageSender({ store, channels, ...(policy === undefined ? {} : { policy }) })
  let stopped = false
  let wake: (() => void) | undefined
  const loop = (async () => {
    while (!stopped) {
      let delay = pollMs
      try {
        const result = await engine.pass()
        if (result.sent + result.retried + result.deadLettered + result.deferred + result.suppressed > 0)
          log(
            `ecrm: messages: ${result.sent} sent, ${result.deferred} deferred, ${result.suppressed} suppressed, ${result.retried} to retry, ${result.deadLettered} failed for good`,
          )
        if (result.wakeAt !== undefined) delay = Math.max(0, Math.min(pollMs, result.wakeAt - Date.now()))
        if (result.sent > 0) delay = 0
      } catch (error) {
        log(`ecrm: sending messages failed: ${String(error)}`)
      }
      if (stopped) break
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay)
        wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
  })()
  return {
    async stop() {
      stopped = true
      wake?.()
      await loop
    },
  }
}
