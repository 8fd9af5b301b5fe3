import { computeCsatFromCounts, computeNpsFromCounts } from '@ecrm/core'
import type { CsatResult, NpsResult } from '@ecrm/core'
import { customerOfEvent } from '../store/eventSql.js'
import { inSegment, monthLabelSql, scopeParams } from './kpiScope.js'
import type { KpiScope, KpiStore } from './kpiScope.js'

/** What {@link querySurveys} returns. */
export interface SurveyKpis {
  readonly nps: NpsResult
  readonly csat: CsatResult
  /** Per UTC calendar month (`YYYY-MM`) with answers, oldest first: that month's NPS and CSAT. */
  readonly trend: { readonly month: string; readonly nps: NpsResult; readonly csat: CsatResult }[]
}

// `Survey Responded` as its schema defines it: `type` 'nps' or 'csat' and a numeric `score`.
const sql = `
  select ${monthLabelSql('s.occurred_at')} as month, s.payload->'properties'->>'type' as type,
         (s.payload->'properties'->>'score')::float8 as score, count(*)::float8 as answers
    from ecrm_events s ${customerOfEvent('s')}
   where s.event = 'Survey Responded' and s.occurred_at >= $1::timestamptz and s.occurred_at < $2::timestamptz
     and s.payload->'properties'->>'type' in ('nps', 'csat') and jsonb_typeof(s.payload->'properties'->'score') = 'number'
     and ${inSegment('s_id.customer_id')}
   group by 1, 2, 3
   order by 1`

/**
 * NPS and CSAT over a period, with their monthly trend, from `Survey Responded` events: answers
 * are counted per score in the database and scored by core's `computeNpsFromCounts` /
 * `computeCsatFromCounts` (the same numbers as `computeNps` / `computeCsat` over the answers).
 * Every answer counts, a customer answering twice counts twice.
 *
 * @example
 * const { nps, trend } = await querySurveys(store, { from, to })
 * trend.map((month) => [month.month, month.nps.nps])
 */
export async function querySurveys(store: KpiStore, scope: KpiScope): Promise<SurveyKpis> {
  const rows = await store.query<{ month: string; type: string; score: number; answers: number }>(
    sql,
    scopeParams(scope, 'querySurveys()'),
  )
  const counts = (type: string, month?: string): [number, number][] =>
    rows
      .filter((row) => row.type === type && (month === undefined || row.month === month))
      .map((row) => [Number(row.score), Number(row.answers)])
  const months = [...new Set(rows.map((row) => row.month))]
  return {
    nps: computeNpsFromCounts(counts('nps')),
    csat: computeCsatFromCounts(counts('csat')),
    trend: months.map((month) => ({
      month,
      nps: computeNpsFromCounts(counts('nps', month)),
      csat: computeCsatFromCounts(counts('csat', month)),
    })),
  }
}
