import type { KeyValueStore } from '@ecrm/core'
import { isSameCampaign } from './campaign.js'
import type { CampaignContext } from './campaign.js'

/** A session closes after this long without activity, in ms (30 minutes, as Google Analytics). */
export const SESSION_IDLE_MS = 30 * 60_000

/** Activity newer than the stored activity by less than this, in ms, is not written again. */
const ACTIVITY_WRITE_MS = 1_000

const KEYS = { session: 'ecrm.session', firstTouch: 'ecrm.firstTouch', lastTouch: 'ecrm.lastTouch' } as const

/** Options of {@link createSessionTracker}. */
export interface SessionTrackerOptions {
  readonly storage: KeyValueStore
  readonly createId: () => string
  /** Inactivity after which the next event starts a new session, in ms. @default 1_800_000 (30 min) */
  readonly idleMs?: number
}

/** What {@link SessionTracker.touch} reports for one event. */
export interface SessionTouch {
  readonly sessionId: string
  /** True when this event started the session. */
  readonly isNew: boolean
  /** The most recent campaign seen (last touch), if any ever. */
  readonly lastTouch: CampaignContext | undefined
  /** The first campaign ever seen on this device (first touch), if any. */
  readonly firstTouch: CampaignContext | undefined
}

/** Sessions and first/last touch attribution, persisted in the store. */
export interface SessionTracker {
  /** Records activity at `now` with the campaign of the current URL, if any. */
  readonly touch: (now: number, campaign: CampaignContext | undefined) => SessionTouch
  /** Forgets the session and both touches (erasure, reset). */
  readonly clear: () => void
}

interface SessionRecord {
  readonly id: string
  readonly startedAt: number
  readonly lastActivityAt: number
  readonly campaign?: CampaignContext
}

const parse = <T>(text: string | undefined): T | undefined => {
  if (text === undefined) return undefined
  try {
    return JSON.parse(text) as T
  } catch {
    return undefined
  }
}

/**
 * Creates the session tracker: a session ends after 30 minutes without an event, or when the visitor
 * arrives from a different campaign (new UTM parameters or click id), like Google Analytics. Stored
 * in the {@link KeyValueStore}, so all tabs of the origin share one session.
 */
export function createSessionTracker(options: SessionTrackerOptions): SessionTracker {
  const idleMs = options.idleMs ?? SESSION_IDLE_MS
  const { storage } = options

  const touch = (now: number, campaign: CampaignContext | undefined): SessionTouch => {
    const current = parse<SessionRecord>(storage.get(KEYS.session))
    const expired = current === undefined || now - current.lastActivityAt > idleMs
    const newCampaign = campaign !== undefined && !isSameCampaign(campaign, current?.campaign)
    const isNew = expired || newCampaign
    const record: SessionRecord = isNew
      ? { id: options.createId(), startedAt: now, lastActivityAt: now, ...(campaign ? { campaign } : {}) }
      : { ...current, lastActivityAt: Math.max(now, current.lastActivityAt) }
    // A burst of events rewrites the session at most once a second: a localStorage write costs
    // the main thread about 50 µs, and a second of idle time more or less changes no session.
    if (isNew || current === undefined || record.lastActivityAt - current.lastActivityAt >= ACTIVITY_WRITE_MS) storage.set(KEYS.session, JSON.stringify(record))

    let firstTouch = parse<CampaignContext>(storage.get(KEYS.firstTouch))
    let lastTouch = parse<CampaignContext>(storage.get(KEYS.lastTouch))
    if (campaign !== undefined) {
      if (firstTouch === undefined) {
        firstTouch = campaign
        storage.set(KEYS.firstTouch, JSON.stringify(campaign))
      }
      lastTouch = campaign
      storage.set(KEYS.lastTouch, JSON.stringify(campaign))
    }
    return { sessionId: record.id, isNew, lastTouch, firstTouch }
  }

  const clear = (): void => {
    for (const key of Object.values(KEYS)) storage.remove(key)
  }
  return { touch, clear }
}
