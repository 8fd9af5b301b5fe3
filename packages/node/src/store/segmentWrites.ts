import type { SegmentChange } from '@ecrm/core'
import type { SqlExecutor } from './storeTypes.js'

/**
 * Records segment changes in the transaction that derived them: every change goes to
 * `ecrm_segment_changes`; a named segment's entry adds its `ecrm_segment_members` row (with the
 * entry time), its exit removes it. RFM segments live in `rfm_segment` and the log only.
 */
export async function writeSegmentChanges(tx: SqlExecutor, changes: readonly SegmentChange[]): Promise<void> {
  if (changes.length === 0) return
  const iso = (at: number): string => new Date(at).toISOString()
  await tx.query(
    `insert into ecrm_segment_changes (customer_id, segment_id, change, at)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])`,
    [
      changes.map((c) => c.customerId),
      changes.map((c) => c.segmentId),
      changes.map((c) => c.change),
      changes.map((c) => iso(c.at)),
    ],
  )
  const named = changes.filter((change) => change.kind === 'named')
  const entered = named.filter((change) => change.change === 'entered')
  const exited = named.filter((change) => change.change === 'exited')
  if (entered.length > 0) {
    await tx.query(
      `insert into ecrm_segment_members (customer_id, segment_id, entered_at)
       select * from unnest($1::text[], $2::text[], $3::timestamptz[]) on conflict do nothing`,
      [entered.map((c) => c.customerId), entered.map((c) => c.segmentId), entered.map((c) => iso(c.at))],
    )
  }
  if (exited.length > 0) {
    await tx.query(
      `delete from ecrm_segment_members m using unnest($1::text[], $2::text[]) as gone(customer_id, segment_id)
        where m.customer_id = gone.customer_id and m.segment_id = gone.segment_id`,
      [exited.map((c) => c.customerId), exited.map((c) => c.segmentId)],
    )
  }
}
