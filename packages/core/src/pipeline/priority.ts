/** Drop priorities of queued events: the lowest number is dropped first under pressure. */
export const PRIORITY = {
  /** Page and screen views: plentiful, cheap to lose. */
  view: 0,
  /** Other tracks, identify, group, alias. */
  standard: 1,
  /** Conversions other than a completed order (checkout, refunds, leads). */
  conversion: 2,
  /** Order Completed: the last thing ever dropped. */
  order: 3,
} as const

/** Segment e-commerce v2 and CRM events that carry revenue or a lead; kept over ordinary events. */
export const CONVERSION_EVENTS: ReadonlySet<string> = new Set([
  'Checkout Started',
  'Checkout Step Completed',
  'Payment Info Entered',
  'Order Updated',
  'Order Refunded',
  'Order Cancelled',
  'Lead Captured',
  'Signed Up',
  'Subscription Started',
])

/**
 * Returns the drop priority of an event from its type and name.
 *
 * @example
 * priorityOf('page') // 0
 * priorityOf('track', 'Order Completed') // 3
 */
export function priorityOf(type: string, event?: string): number {
  if (type === 'page' || type === 'screen') return PRIORITY.view
  if (type !== 'track' || event === undefined) return PRIORITY.standard
  if (event === 'Order Completed') return PRIORITY.order
  return CONVERSION_EVENTS.has(event) ? PRIORITY.conversion : PRIORITY.standard
}
