import { ordersCte, scopeParams } from './kpiScope.js'
import type { KpiScope, KpiStore } from './kpiScope.js'

/** A histogram bar: customers whose value is in `[from, to)` (the last bar includes `to`). */
export interface HistogramBin {
  readonly from: number
  readonly to: number
  readonly customers: number
}

/** A distribution of one derived profile field over customers. */
export interface Distribution {
  /** Customers with a value (derived, i.e. after the CLV model was fitted). */
  readonly customers: number
  /** Mean value; 0 without customers. */
  readonly mean: number
  /** 10th, 25th, 50th, 75th, 90th and 99th percentiles (linear interpolation); null without customers. */
  readonly percentiles: {
    readonly p10: number
    readonly p25: number
    readonly p50: number
    readonly p75: number
    readonly p90: number
    readonly p99: number
  } | null
  /** Ten equal-width bars from the smallest to the largest value (P(alive): from 0 to 1). */
  readonly histogram: HistogramBin[]
}

/** What {@link queryDistributions} returns. */
export interface DistributionKpis {
  /** BG/NBD probability that the customer is still active (`clv.pAlive` of the profile). */
  readonly pAlive: Distribution
  /** Predicted lifetime value over the configured horizon, major units (`clv.value`). */
  readonly clv: Distribution
}

const BINS = 10

const sql = (column: string, fixedRange: boolean): string => `
  with ${ordersCte('$1::timestamptz')},
  buyers as (select distinct customer_id from orders),
  scored as (select p.${column} as value from ecrm_profile_derived p join buyers b on b.customer_id = p.customer_id where p.${column} is not null),
  bounds as (select ${fixedRange ? '0::float8' : 'min(value)'} as low, ${fixedRange ? '1::float8' : 'max(value)'} as high from scored)
  select (select count(*) from scored)::float8 as customers,
         (select coalesce(avg(value), 0) from scored)::float8 as mean,
         (select percentile_cont(array[0.1, 0.25, 0.5, 0.75, 0.9, 0.99]) within group (order by value) from scored) as percentiles,
         b.low, b.high,
         (select array_agg(n order by bin) from (
            select bin, count(s.value)::float8 as n from generate_series(0, ${BINS - 1}) bin
              left join scored s on least(${BINS - 1}, floor(case when b.high > b.low then (s.value - b.low) / (b.high - b.low) * ${BINS} else 0 end))::int = bin
             group by bin) bars) as bars
    from bounds b`

async function distribution(
  store: KpiStore,
  params: readonly unknown[],
  column: string,
  fixedRange: boolean,
): Promise<Distribution> {
  const [row] = await store.query<{
    customers: number
    mean: number
    percentiles: number[] | null
    low: number | null
    high: number | null
    bars: number[]
  }>(sql(column, fixedRange), params)
  const customers = Number(row?.customers ?? 0)
  const [p10, p25, p50, p75, p90, p99] = (row?.percentiles ?? []).map(Number) as (number | undefined)[]
  const low = Number(row?.low ?? 0)
  const high = Number(row?.high ?? 0)
  const width = (high - low) / BINS
  return {
    customers,
    mean: Number(row?.mean ?? 0),
    percentiles:
      customers === 0
        ? null
        : { p10: p10 ?? 0, p25: p25 ?? 0, p50: p50 ?? 0, p75: p75 ?? 0, p90: p90 ?? 0, p99: p99 ?? 0 },
    histogram:
      customers === 0
        ? []
        : (row?.bars ?? []).map((n, bin) => ({
            from: low + bin * width,
            to: low + (bin + 1) * width,
            customers: Number(n),
          })),
  }
}

/**
 * How alive and how valuable the customers who ordered in the period are now: the distributions
 * of the profiles' derived `clv.pAlive` and `clv.value` (BG/NBD + Gamma-Gamma, written at ingest
 * and by `refresh()`), counted in the database. Customers not yet derived are left out, so run
 * `store.refresh()` first for a full base.
 *
 * @example
 * const { pAlive, clv } = await queryDistributions(store, { from, to })
 * pAlive.histogram // [{ from: 0, to: 0.1, customers: 12 }, ...]
 */
export async function queryDistributions(store: KpiStore, scope: KpiScope): Promise<DistributionKpis> {
  const params = scopeParams(scope, 'queryDistributions()')
  return {
    pAlive: await distribution(store, params, 'clv_p_alive', true),
    clv: await distribution(store, params, 'clv_value', false),
  }
}
