import type { Order } from '@ecrm/core'
import { DAY_MS, fitBgNbd, fitGammaGamma, historicClv, scoreClv, summarizeTransactions } from '@ecrm/core'

/** Fewest buyers, and repeat buyers, before the demo fits BG/NBD and Gamma-Gamma. */
export const MIN_BUYERS = 8
export const MIN_REPEAT_BUYERS = 3

/** How the dashboard valued customers, and why. */
export interface ClvResult {
  /** `model`: BG/NBD + Gamma-Gamma, 1-year discounted CLV; `historic`: spend so far. */
  readonly method: 'model' | 'historic'
  /** A sentence for the page: which method and why. */
  readonly reason: string
  readonly buyers: number
  readonly repeatBuyers: number
  /** Real ms that count as one day for the models. */
  readonly dayMs: number
  /** The fitted parameters (model only). */
  readonly params: {
    readonly r: number
    readonly alpha: number
    readonly a: number
    readonly b: number
    readonly p: number
    readonly q: number
    readonly gamma: number
  } | null
  /** Per customer: P(alive) (model only) and CLV in EUR. */
  readonly byCustomer: ReadonlyMap<string, { readonly probabilityAlive: number | null; readonly clv: number }>
}

/**
 * Values customers with BG/NBD + Gamma-Gamma (Fader, Hardie & Lee 2005) when the shop has enough
 * buyers and repeat buyers for a fit that converges to usable parameters, else with historic CLV
 * (what they spent). Time is compressed by `dayMs` (a demo "day" may be one real minute) so a
 * live session has a purchase history at all; the models count at most one purchase a day.
 */
export function estimateClv(
  orders: readonly Order[],
  { now, dayMs }: { readonly now: number; readonly dayMs: number },
): ClvResult {
  const origin = Math.min(now, ...orders.map((order) => order.at))
  const scale = DAY_MS / dayMs
  const summaries = summarizeTransactions(
    orders.map((order) => ({ customerId: order.customerId, at: (order.at - origin) * scale, amount: order.total })),
    { calibrationEnd: (now - origin) * scale, unit: 'days' },
  )
  const buyers = summaries.length
  const repeatBuyers = summaries.filter((summary) => summary.frequency > 0 && summary.meanRepeatSpend > 0).length
  const historic = (reason: string): ClvResult => ({
    method: 'historic',
    reason,
    buyers,
    repeatBuyers,
    dayMs,
    params: null,
    byCustomer: new Map(
      summaries.map((summary) => [summary.customerId, { probabilityAlive: null, clv: historicClv(summary) }]),
    ),
  })
  if (buyers < MIN_BUYERS || repeatBuyers < MIN_REPEAT_BUYERS) {
    return historic(
      `Historic CLV (spend so far): ${buyers} buyers and ${repeatBuyers} repeat buyers; the models need ${MIN_BUYERS} and ${MIN_REPEAT_BUYERS}.`,
    )
  }
  try {
    const bgNbd = fitBgNbd(summaries)
    const gammaGamma = fitGammaGamma(summaries)
    const values = scoreClv(summaries, { bgNbd, gammaGamma }, { horizon: 365, unit: 'days', discountRate: 0.1 })
    // A likelihood still rising at the search bounds (e^±15) means the data cannot pin the model.
    const params = [bgNbd.r, bgNbd.alpha, bgNbd.a, bgNbd.b, gammaGamma.p, gammaGamma.q, gammaGamma.gamma]
    const inside = params.every((value) => Number.isFinite(value) && Math.abs(Math.log(value)) < 12)
    const usable =
      inside &&
      bgNbd.converged &&
      gammaGamma.converged &&
      gammaGamma.q > 1 &&
      values.every((value) => Number.isFinite(value.clv) && value.clv >= 0)
    if (!usable) {
      return historic(
        `Historic CLV (spend so far): BG/NBD + Gamma-Gamma were fitted on ${buyers} buyers (${repeatBuyers} repeat) but the parameters ran to the search bounds, so the data cannot pin the models yet.`,
      )
    }
    return {
      method: 'model',
      reason: `BG/NBD + Gamma-Gamma fitted on ${buyers} buyers (${repeatBuyers} repeat): P(alive) and 1-year CLV discounted at 10 %/year.`,
      buyers,
      repeatBuyers,
      dayMs,
      params: {
        r: bgNbd.r,
        alpha: bgNbd.alpha,
        a: bgNbd.a,
        b: bgNbd.b,
        p: gammaGamma.p,
        q: gammaGamma.q,
        gamma: gammaGamma.gamma,
      },
      byCustomer: new Map(
        values.map((value) => [value.customerId, { probabilityAlive: value.probabilityAlive, clv: value.clv }]),
      ),
    }
  } catch (error) {
    return historic(
      `Historic CLV (spend so far): the model fit failed (${error instanceof Error ? error.message : String(error)}).`,
    )
  }
}
