/** A customer entering or leaving a segment, as derivation finds it. */
export interface SegmentChange {
  /** The store's customer id. */
  readonly customerId: string
  /** The segment's snake_case id, e.g. `at_risk` or a configured segment's id. */
  readonly segmentId: string
  /** `named`: a configured (JsonLogic) segment; `rfm`: the customer's RFM segment. */
  readonly kind: 'named' | 'rfm'
  readonly change: 'entered' | 'exited'
  /** Epoch ms the change was derived at. */
  readonly at: number
}

/**
 * A segment change as rules see it: `Segment Entered` / `Segment Exited` with the segment in its
 * properties. Never stored as the customer's own event and never customer activity: it does not
 * move `lastSeenAt`, sessions or inactivity timers.
 *
 * @example
 * // a rule on it: { when: { event: 'Segment Entered', where: { segment_id: 'at_risk' } } }
 */
export interface SegmentChangeEvent {
  readonly event: 'Segment Entered' | 'Segment Exited'
  readonly properties: { readonly segment_id: string; readonly segment_kind: 'named' | 'rfm' }
  /** The store's customer id. */
  readonly customerId: string
  /** Epoch ms. */
  readonly at: number
}

/** The rule event of a {@link SegmentChange}. */
export function segmentChangeEvent(change: SegmentChange): SegmentChangeEvent {
  return {
    event: change.change === 'entered' ? 'Segment Entered' : 'Segment Exited',
    properties: { segment_id: change.segmentId, segment_kind: change.kind },
    customerId: change.customerId,
    at: change.at,
  }
}
