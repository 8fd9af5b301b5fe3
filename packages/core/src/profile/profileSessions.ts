import { SESSION_GAP_MS, profileLimits } from './emptyProfile.js'
import type { CustomerProfile, SessionSpan } from './profileSchema.js'

type Sessions = CustomerProfile['sessions']

/**
 * Adds one event to the sessions. An event with `context.sessionId` joins that session; one
 * without joins every key-less visit within 30 minutes of it (bridging two visits if it falls in
 * the gap between them). Either way the result does not depend on the order events arrive in:
 * key-less visits are the single-linkage clusters of their event times.
 */
export function addSessionHit(sessions: Sessions, key: string | null, at: number): Sessions {
  return insertSpan(sessions, { key, startAt: at, endAt: at, events: 1 })
}

/** Unites two profiles' sessions (identity merge), joining visits that touch or overlap. */
export function mergeSessions(a: Sessions, b: Sessions): Sessions {
  let next: Sessions = { ...a, archived: a.archived + b.archived, count: a.archived + b.archived + a.recent.length }
  for (const span of b.recent) next = insertSpan(next, span)
  return next
}

function insertSpan(sessions: Sessions, span: SessionSpan): Sessions {
  let merged = span
  const rest: SessionSpan[] = []
  for (const other of sessions.recent) {
    if (joins(other, merged)) {
      merged = {
        key: merged.key,
        startAt: Math.min(other.startAt, merged.startAt),
        endAt: Math.max(other.endAt, merged.endAt),
        events: other.events + merged.events,
      }
    } else {
      rest.push(other)
    }
  }
  const recent = [...rest, merged].sort(bySpanStart)
  let archived = sessions.archived
  while (recent.length > profileLimits.sessions) {
    recent.splice(indexOfOldest(recent), 1)
    archived += 1
  }
  return { count: archived + recent.length, archived, recent }
}

function joins(span: SessionSpan, other: SessionSpan): boolean {
  if (span.key !== null || other.key !== null) return span.key === other.key
  return other.startAt - SESSION_GAP_MS <= span.endAt && span.startAt <= other.endAt + SESSION_GAP_MS
}

function bySpanStart(a: SessionSpan, b: SessionSpan): number {
  if (a.startAt !== b.startAt) return a.startAt - b.startAt
  return (a.key ?? '') < (b.key ?? '') ? -1 : (a.key ?? '') > (b.key ?? '') ? 1 : 0
}

function indexOfOldest(spans: readonly SessionSpan[]): number {
  let oldest = 0
  spans.forEach((span, index) => {
    if (span.endAt < (spans[oldest]?.endAt ?? Infinity)) oldest = index
  })
  return oldest
}
