import type { KeyValueStore } from '@ecrm/core'
import type { CampaignContext } from './campaign.js'

/** A session closes after this long without activity, in ms (30 minutes, as Google Analytics). */
export const SESSION_IDLE_MS = 30 * 60_000

/** Activity newer than the stored activity by less than this, in ms, is not written again. */
const ACTIVITY_WRITE_MS = 1_000

const SESSION_KEY = 'ecrm.session'
const FIRST_TOUCH_KEY = 'ecrm.firstTouch'
const LAST_TOUCH_KEY = 'ecrm.lastTouch'

/** Options of {@link createSessionTracker}. */
export interface SessionTrackerOptions {
  readonly storage: KeyValueStore
  /** Makes the id of a new session. */
  readonly createId: () => string
  /** Inactivity after which the next event starts a new session, in ms. @default 1_800_000 (30 min) */
  readonly idleMs?: number | undefined
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
  readonly lastActivityAt: number
  readonly campaign?: CampaignContext | undefined
}

/**
 * Creates the session tracker: a session ends after 30 minutes without an event, or when the visitor
 * arrives from a different campaign (new UTM parameters or click id), like Google Analytics. Stored
 * in the {@link KeyValueStore}, so all tabs of the origin share one session.
 */
export function createSessionTracker(options: SessionTrackerOptions): SessionTracker {
  const idleMs = options.idleMs ?? SESSION_IDLE_MS
  const { storage } = options
  const read = <T>(key: string): T | undefined => {
    try {
      // Nothing stored (undefined) throws too.
      return JSON.parse(storage.get(key) as string) as T
    } catch {
      return undefined
    }
  }
  const write = (key: string, value: SessionRecord | CampaignContext): void => storage.set(key, JSON.stringify(value))

  const touch = (now: number, campaign: CampaignContext | undefined): SessionTouch => {
    const current = read<SessionRecord>(SESSION_KEY)
    // parseCampaign lists a campaign's keys in one order, so the JSON texts of two compare them.
    const isNew =
      current === undefined ||
      now - current.lastActivityAt > idleMs ||
      (campaign !== undefined && JSON.stringify(campaign) !== JSON.stringify(current.campaign))
    const sessionId = isNew ? options.createId() : current.id
    if (isNew) write(SESSION_KEY, { id: sessionId, lastActivityAt: now, campaign })
    // A burst of events rewrites the session at most once a second: a localStorage write costs
    // the main thread about 50 µs, and a second of idle time more or less changes no session.
    else if (now - current.lastActivityAt >= ACTIVITY_WRITE_MS) write(SESSION_KEY, { ...current, lastActivityAt: now })

    let firstTouch = read<CampaignContext>(FIRST_TOUCH_KEY)
    if (campaign !== undefined) {
      if (firstTouch === undefined) {
        firstTouch = campaign
        write(FIRST_TOUCH_KEY, campaign)
      }
      write(LAST_TOUCH_KEY, campaign)
    }
    return { sessionId, isNew, lastTouch: campaign ?? read<CampaignContext>(LAST_TOUCH_KEY), firstTouch }
  }

  const clear = (): void => {
    for (const key of [SESSION_KEY, FIRST_TOUCH_KEY, LAST_TOUCH_KEY]) storage.remove(key)
  }
  return { touch, clear }
}
