/**
 * SQL fragments every report over `ecrm_events` needs, written once: which customer an event
 * belongs to, and an order's id and amount.
 */

/**
 * Joins an event (table alias `alias`) to its customer through the identity it was stored under
 * (userId first, as the store links them), as `<alias>_id.customer_id`. Identities move to the
 * surviving customer on a merge, so events of merged devices meet under one customer.
 */
export const customerOfEvent = (alias: string): string =>
  `join ecrm_identities ${alias}_id on ${alias}_id.kind = case when ${alias}.user_id is not null then 'user_id' else 'anonymous_id' end
     and ${alias}_id.value = coalesce(${alias}.user_id, ${alias}.anonymous_id)`

/** An order event's id: `properties.order_id`, else the event's message id. */
export const orderIdOfEvent = (alias: string): string =>
  `coalesce(${alias}.payload->'properties'->>'order_id', ${alias}.message_id)`

/** An order event's amount in major units: `properties.total`, else `revenue`, else 0 (numbers only). */
export const orderAmountOfEvent = (alias: string): string =>
  `coalesce(case when jsonb_typeof(${alias}.payload->'properties'->'total') = 'number' then (${alias}.payload->'properties'->>'total')::float8 end,
            case when jsonb_typeof(${alias}.payload->'properties'->'revenue') = 'number' then (${alias}.payload->'properties'->>'revenue')::float8 end, 0)`
