import type { JsonObject } from '../model/envelope.js'
import { isChannelKind, messageEventKindOf } from '../messages/messageEvents.js'
import type { MessageCounts } from './profileSchema.js'

type Messages = Readonly<Record<string, MessageCounts>>

/** Counts of a channel kind nothing was sent or answered on yet. */
function emptyCounts(): MessageCounts {
  return {
    sent: 0,
    delivered: 0,
    bounced: 0,
    failed: 0,
    suppressed: 0,
    opened: 0,
    clicked: 0,
    unsubscribed: 0,
    lastSentAt: null,
    lastOpenedAt: null,
    lastClickedAt: null,
  }
}

const lastTimes = { sent: 'lastSentAt', opened: 'lastOpenedAt', clicked: 'lastClickedAt' } as const

/**
 * Counts a message event (see `messageEventNames`) under its channel kind: `properties.kind`,
 * else `email` for opens and clicks (only emails have them). Any other event, or a message event
 * without a known kind, returns `messages` unchanged (the same object).
 */
export function addMessageEvent(
  messages: Messages | undefined,
  name: string,
  at: number,
  properties: JsonObject,
): Messages | undefined {
  const kind = messageEventKindOf(name)
  if (kind === undefined) return messages
  const channelKind = isChannelKind(properties['kind'])
    ? properties['kind']
    : kind === 'opened' || kind === 'clicked'
      ? 'email'
      : undefined
  if (channelKind === undefined) return messages
  const counts: MessageCounts = { ...(messages?.[channelKind] ?? emptyCounts()) }
  counts[kind] += 1
  const last = kind === 'sent' || kind === 'opened' || kind === 'clicked' ? lastTimes[kind] : undefined
  if (last !== undefined) counts[last] = Math.max(counts[last] ?? -Infinity, at)
  return { ...messages, [channelKind]: counts }
}

/** Sums two profiles' message summaries (identity merge): counts add up, last times are the latest. */
export function mergeMessages(a: Messages | undefined, b: Messages | undefined): Messages | undefined {
  if (a === undefined || b === undefined) return a ?? b
  const out: Record<string, MessageCounts> = { ...a }
  for (const [kind, theirs] of Object.entries(b)) {
    const mine = out[kind]
    if (mine === undefined) {
      out[kind] = theirs
      continue
    }
    out[kind] = {
      sent: mine.sent + theirs.sent,
      delivered: mine.delivered + theirs.delivered,
      bounced: mine.bounced + theirs.bounced,
      failed: mine.failed + theirs.failed,
      suppressed: mine.suppressed + theirs.suppressed,
      opened: mine.opened + theirs.opened,
      clicked: mine.clicked + theirs.clicked,
      unsubscribed: mine.unsubscribed + theirs.unsubscribed,
      lastSentAt: latest(mine.lastSentAt, theirs.lastSentAt),
      lastOpenedAt: latest(mine.lastOpenedAt, theirs.lastOpenedAt),
      lastClickedAt: latest(mine.lastClickedAt, theirs.lastClickedAt),
    }
  }
  return out
}

function latest(x: number | null, y: number | null): number | null {
  return x === null ? y : y === null ? x : Math.max(x, y)
}
