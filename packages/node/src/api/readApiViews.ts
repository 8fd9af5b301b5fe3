import type { CustomerProfile } from '@ecrm/core'
import type { z } from 'zod'
import type { Store } from '../store/storeTypes.js'
import type { memberSchema, profileViewSchema } from './readApiSchemas.js'

/** A profile as `GET /v1/profiles/:id` shows it. */
export type ProfileView = z.output<typeof profileViewSchema>
/** A member of a segment or preview sample. */
export type Member = z.output<typeof memberSchema>

/** The API view of a stored profile: derived fields present (null until derived), internals left out. */
export function toProfileView(profile: CustomerProfile): ProfileView {
  const { byCurrency: _byCurrency, ...money } = profile.money
  return {
    id: profile.id,
    identities: profile.identities,
    traits: profile.traits,
    firstSeenAt: profile.firstSeenAt,
    lastSeenAt: profile.lastSeenAt,
    sessions: profile.sessions.count,
    pageViews: profile.pageViews,
    money,
    eventTotals: profile.events.totals,
    rfm: profile.rfm ?? null,
    lead: profile.lead ?? null,
    clv: profile.clv ?? null,
    segments: profile.segments ?? [],
    segmentsSince: profile.segmentsSince ?? {},
    loyalty: profile.loyalty ?? null,
  }
}

/**
 * Members for customer ids, in the ids' order: user id and email from the profile columns, and
 * the entry time into the named segment `segmentId` when given.
 */
export async function membersOf(
  store: Pick<Store, 'query'>,
  ids: readonly string[],
  segmentId: string | null,
): Promise<Member[]> {
  if (ids.length === 0) return []
  const rows = await store.query<{
    customer_id: string
    user_id: string | null
    email: string | null
    entered_at: number | null
  }>(
    `select customer_id, user_id, email,
            case when jsonb_typeof(profile -> 'segmentsSince' -> $2::text) = 'number' then (profile -> 'segmentsSince' ->> $2::text)::float8 end as entered_at
       from ecrm_profiles where customer_id = any($1::text[])`,
    [ids, segmentId],
  )
  const byId = new Map(rows.map((row) => [row.customer_id, row]))
  return ids.flatMap((id) => {
    const row = byId.get(id)
    return row === undefined
      ? []
      : [
          {
            id,
            userId: row.user_id,
            email: row.email,
            enteredAt: row.entered_at === null ? null : Number(row.entered_at),
          },
        ]
  })
}
