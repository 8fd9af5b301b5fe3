import { analyzeCollectedStats, toVariantTotals } from '@ecrm/core'
import type { AnalyzeExperimentOptions, ExperimentAnalysis } from '@ecrm/core'
import { customerOfEvent } from '../store/eventSql.js'
import { inSegment, ordersCte, scopeParams } from './kpiScope.js'
import type { KpiScope, KpiStore } from './kpiScope.js'

/** Options of {@link queryExperiment}: which experiment, and how core analyzes it. */
export interface ExperimentQueryOptions extends Partial<AnalyzeExperimentOptions> {
  /** `properties.experiment_id` of the `Experiment Viewed` events. */
  readonly experimentId: string
}

/** What {@link queryExperiment} returns: core's analysis, and the experiment it is of. */
export interface ExperimentKpis extends ExperimentAnalysis {
  readonly experimentId: string
}

// Each customer (across merged ids) counts once, in the arm of their first exposure; their orders
// from that exposure on (within the period) are their conversions, as collectVariantStats counts.
const sql = `
  with exposures as (
    select x_id.customer_id, x.payload->'properties'->>'variation_id' as variation_id, x.occurred_at, x.message_id
      from ecrm_events x ${customerOfEvent('x')}
     where x.event = 'Experiment Viewed' and x.payload->'properties'->>'experiment_id' = $4
       and x.occurred_at >= $1::timestamptz and x.occurred_at < $2::timestamptz and ${inSegment('x_id.customer_id')}
  ),
  firsts as (
    select distinct on (customer_id) customer_id, variation_id, occurred_at as exposed_at
      from exposures order by customer_id, occurred_at, message_id
  ),
  ${ordersCte('$1::timestamptz')},
  per_customer as (
    select f.customer_id, f.variation_id, count(o.order_id) as orders, coalesce(sum(o.amount), 0) as revenue
      from firsts f left join orders o on o.customer_id = f.customer_id and o.at >= f.exposed_at
     group by f.customer_id, f.variation_id
  )
  select variation_id, count(*)::float8 as users, count(*) filter (where orders > 0)::float8 as conversions,
         sum(revenue)::float8 as revenue, sum(revenue * revenue)::float8 as squares,
         (select count(*) from (select customer_id from exposures group by customer_id having count(distinct variation_id) > 1) m)::float8 as multiple,
         ((select count(*) from orders) - (select coalesce(sum(orders), 0) from per_customer))::float8 as ignored
    from per_customer group by variation_id order by variation_id`

/**
 * Analyzes an experiment from the stored events: `Experiment Viewed` exposures in the period joined
 * to the same customers' `Order Completed` (across identity merges), summed per arm in the
 * database and analyzed by core's `analyzeCollectedStats` (lift, p-value, chance to beat control,
 * the sample-ratio-mismatch check and the decision), as `analyzeExperiment` would over the same
 * events. Resolves `undefined` when the experiment has no exposure in the period.
 *
 * @example
 * const report = await queryExperiment(store, { from, to }, { experimentId: 'checkout_copy', metric: 'conversion' })
 * report?.sampleRatio.isAlarm // false
 */
export async function queryExperiment(
  store: KpiStore,
  scope: KpiScope,
  options: ExperimentQueryOptions,
): Promise<ExperimentKpis | undefined> {
  const rows = await store.query<{
    variation_id: string
    users: number
    conversions: number
    revenue: number
    squares: number
    multiple: number
    ignored: number
  }>(sql, [...scopeParams(scope, 'queryExperiment()'), options.experimentId])
  if (rows.length === 0) return undefined
  const sums = new Map(
    rows.map((row) => [
      row.variation_id,
      {
        users: Number(row.users),
        conversions: Number(row.conversions),
        revenue: Number(row.revenue),
        squares: Number(row.squares),
      },
    ]),
  )
  const ids = options.experiment ? options.experiment.variations.map((variation) => variation.id) : [...sums.keys()]
  const variants = ids.map((id) =>
    toVariantTotals(id, sums.get(id) ?? { users: 0, conversions: 0, revenue: 0, squares: 0 }),
  )
  const controlId =
    options.controlId ?? options.experiment?.variations[0]?.id ?? (ids.includes('control') ? 'control' : ids[0])
  const analysis = analyzeCollectedStats(
    {
      variants,
      multipleExposureUsers: Number(rows[0]?.multiple ?? 0),
      ignoredConversions: Number(rows[0]?.ignored ?? 0),
    },
    { metric: 'conversion', ...options, ...(controlId === undefined ? {} : { controlId }) },
  )
  return { experimentId: options.experimentId, ...analysis }
}
