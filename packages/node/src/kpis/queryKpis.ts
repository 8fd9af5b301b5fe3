import type { RetentionCohort } from '@ecrm/core'
import { queryAttribution } from './attributionKpis.js'
import type { AttributionKpis } from './attributionKpis.js'
import { queryConversion } from './conversionKpis.js'
import type { ConversionKpis } from './conversionKpis.js'
import { queryDistributions } from './distributionKpis.js'
import type { DistributionKpis } from './distributionKpis.js'
import type { KpiScope, KpiStore } from './kpiScope.js'
import { queryOrderKpis } from './orderKpis.js'
import type { OrderKpis } from './orderKpis.js'
import { queryRetention } from './retentionKpis.js'
import { querySalesCycle } from './salesCycleKpis.js'
import type { SalesCycleKpis } from './salesCycleKpis.js'
import { querySurveys } from './surveyKpis.js'
import type { SurveyKpis } from './surveyKpis.js'

/** Every KPI of a period (and segment), as {@link queryKpis} returns them. */
export interface KpiReport extends OrderKpis, DistributionKpis {
  readonly from: number
  readonly to: number
  readonly segment: string | null
  readonly conversion: ConversionKpis
  readonly surveys: SurveyKpis
  readonly retention: RetentionCohort[]
  readonly attribution: AttributionKpis
  readonly salesCycle: SalesCycleKpis
}

/**
 * The marketer's KPIs over the stored events of a period, optionally of one segment, each computed
 * in the database (PGlite or PostgreSQL: nothing loads every event; memory is bounded by the
 * result size) and finished by core's formulas: conversion overall, by channel and by campaign;
 * AOV, repeat rate and churn; NPS and CSAT with their monthly trend; retention cohorts; the
 * P(alive) and CLV distributions; multi-touch attribution under the five models (30-day lookback);
 * sales-cycle length. Experiments are asked one at a time (`queryExperiment`). A period without data gives zeros and empty lists, never NaN.
 *
 * @example
 * const kpis = await queryKpis(store, { from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 3, 1), segment: 'champions' })
 * kpis.conversion.byChannel[0] // { key: 'google / cpc', numerator: 31, denominator: 1000, rate: 0.031 }
 */
export async function queryKpis(store: KpiStore, scope: KpiScope): Promise<KpiReport> {
  // One after the other: a pool of one connection (PGlite) runs them in turn anyway.
  const orders = await queryOrderKpis(store, scope)
  const conversion = await queryConversion(store, scope)
  const surveys = await querySurveys(store, scope)
  const retention = await queryRetention(store, scope)
  const distributions = await queryDistributions(store, scope)
  const attribution = await queryAttribution(store, scope)
  const salesCycle = await querySalesCycle(store, scope)
  return {
    from: scope.from,
    to: scope.to,
    segment: scope.segment ?? null,
    conversion,
    ...orders,
    surveys,
    retention,
    ...distributions,
    attribution,
    salesCycle,
  }
}
