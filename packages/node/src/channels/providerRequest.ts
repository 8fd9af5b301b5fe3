/** One HTTP call to an SMS or push provider, and the outcomes every HTTP provider shares. */
import { classifyOutcome } from '@ecrm/core'
import type { ChannelOutcome } from '@ecrm/core'

/** What a provider answered: its status, headers and body text, or why nothing came back. */
export type ProviderReply =
  | { readonly type: 'response'; readonly status: number; readonly headers: Headers; readonly body: string }
  | { readonly type: 'error'; readonly reason: string }

/** Sends one request with a timeout; never rejects (a refused connection or timeout is an `error` reply). */
export async function providerRequest(url: string, init: RequestInit, timeoutMs: number): Promise<ProviderReply> {
  try {
    const response = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) })
    return { type: 'response', status: response.status, headers: response.headers, body: await response.text() }
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code
    return {
      type: 'error',
      reason: `${(error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (cause ?? (error as Error).message)}`,
    }
  }
}

/**
 * The retry every HTTP provider shares, core's `classifyOutcome` (the event outbox's and the CRM
 * destinations' rule): no answer, 408, 429 and 5xx are transient (a `Retry-After` is honoured);
 * `undefined` for any other status, which the provider's own classification reads.
 */
export function transientOutcome(
  reply: ProviderReply,
  now: number,
): Extract<ChannelOutcome, { status: 'retry' }> | undefined {
  if (reply.type === 'error') return { status: 'retry', reason: reply.reason }
  const verdict = classifyOutcome(
    { type: 'response', status: reply.status, retryAfter: reply.headers.get('retry-after') },
    now,
  )
  if (verdict.kind !== 'retry') return undefined
  const reason = `HTTP ${reply.status}${reply.body === '' ? '' : `: ${reply.body.slice(0, 200)}`}`
  return verdict.retryAfterMs === undefined
    ? { status: 'retry', reason }
    : { status: 'retry', reason, retryAfterMs: verdict.retryAfterMs }
}

/** Parses a JSON reply body, or `undefined` when it is not JSON. */
export function jsonBody(reply: Extract<ProviderReply, { type: 'response' }>): unknown {
  try {
    return JSON.parse(reply.body) as unknown
  } catch {
    return undefined
  }
}
