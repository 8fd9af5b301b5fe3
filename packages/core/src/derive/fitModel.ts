import { fitBgNbd } from '../clv/bgNbd.js'
import { bgNbdExpectedPurchases } from '../clv/bgNbdPredict.js'
import { fitGammaGamma } from '../clv/gammaGamma.js'
import type { PurchaseHistory } from '../clv/types.js'
import type { CustomerProfile } from '../profile/profileSchema.js'
import { recencyDaysOf } from '../rfm/rfmCutPoints.js'
import { chooseRfmCutPoints } from '../rfm/rfmMethod.js'
import type { DeriveConfig } from './deriveConfig.js'
import type { DerivedModel } from './derivedModel.js'
import { purchaseHistoryOf } from './profileHistories.js'

/** What the fit reads of a profile: its orders and money totals (a store may select just these). */
export type FitProfile = Pick<CustomerProfile, 'id' | 'orders'> & {
  readonly money: Pick<CustomerProfile['money'], 'lastOrderAt' | 'orderCount' | 'revenue'>
}

/** Fits a {@link DerivedModel} from profiles fed a page at a time. */
export interface ModelFitter {
  /** Reads one profile (any order; each once). */
  readonly add: (profile: FitProfile) => void
  /** Counts profiles that were not read because they never bought (a store's shortcut). */
  readonly skip: (count: number) => void
  /** Cuts and fits what was read. */
  readonly finish: () => DerivedModel
}

/** Options of {@link createModelFitter}. */
export interface ModelFitterOptions {
  /** The reference date, epoch ms. */
  readonly now: number
}

/** Fewest repeat buyers in the sample for a CLV fit worth storing. */
const MIN_REPEAT_BUYERS = 20

/**
 * Starts a fit over the whole base, fed page by page, in bounded memory: three numbers per buyer
 * for the RFM quantiles (exact), and for BG/NBD + Gamma-Gamma a systematic sample of buyers'
 * histories (every k-th buyer, k doubling whenever the sample reaches twice `clv.sampleSize`,
 * so between one and two times `sampleSize` are fitted; ids from a store come in random order).
 * Fewer than 20 repeat buyers, or a fit that fails, leaves `clv` null.
 *
 * @example
 * const fitter = createModelFitter(config, { now })
 * for (const page of pages) for (const profile of page) fitter.add(profile)
 * const model = fitter.finish()
 */
export function createModelFitter(config: DeriveConfig, { now }: ModelFitterOptions): ModelFitter {
  const sampleSize = config.clv?.sampleSize ?? 50_000
  let recency: Float64Array = new Float64Array(1024)
  let frequency: Float64Array = new Float64Array(1024)
  let monetary: Float64Array = new Float64Array(1024)
  let buyers = 0
  let customers = 0
  let sample: (PurchaseHistory & { meanRepeatSpend: number })[] = []
  let stride = 1
  let seen = 0

  function grow(): void {
    const next = (array: Float64Array): Float64Array => {
      const bigger = new Float64Array(array.length * 2)
      bigger.set(array)
      return bigger
    }
    recency = next(recency)
    frequency = next(frequency)
    monetary = next(monetary)
  }

  return {
    add(profile) {
      customers += 1
      const { lastOrderAt, orderCount, revenue } = profile.money
      if (lastOrderAt === null || orderCount < 1) return
      if (buyers === recency.length) grow()
      recency[buyers] = recencyDaysOf(lastOrderAt, now)
      frequency[buyers] = orderCount
      monetary[buyers] = revenue
      buyers += 1
      if (seen++ % stride !== 0) return
      const history = purchaseHistoryOf(profile, now)
      if (history === null) return
      sample.push({
        frequency: history.frequency,
        recency: history.recency,
        age: history.age,
        meanRepeatSpend: history.meanRepeatSpend,
      })
      if (sample.length >= 2 * sampleSize) {
        sample = sample.filter((_, index) => index % 2 === 0)
        stride *= 2
      }
    },
    skip(count) {
      customers += count
    },
    finish() {
      const values = {
        recencyDays: recency.subarray(0, buyers),
        frequency: frequency.subarray(0, buyers),
        monetary: monetary.subarray(0, buyers),
      }
      return {
        version: 1,
        fittedAt: now,
        customers,
        buyers,
        rfm: chooseRfmCutPoints(values, config.rfm ?? {}, now),
        clv: fitClv(sample, (config.clv?.horizonDays ?? 365) / 7),
      }
    },
  }
}

/**
 * BG/NBD + Gamma-Gamma on the sample, or null. A fit whose predictions over the horizon are not
 * finite for the sample's own buyers (the likelihood ran off to a ≈ b ≈ ∞, no heterogeneity in
 * dropout, where the ₂F₁ series gives up) is refused too.
 */
function fitClv(
  sample: readonly (PurchaseHistory & { meanRepeatSpend: number })[],
  horizonWeeks: number,
): DerivedModel['clv'] {
  const repeat = sample.filter((history) => history.frequency > 0 && history.meanRepeatSpend > 0).length
  if (repeat < MIN_REPEAT_BUYERS) return null
  try {
    const bgNbd = fitBgNbd(sample)
    const gammaGamma = fitGammaGamma(sample)
    const params = [bgNbd.r, bgNbd.alpha, bgNbd.a, bgNbd.b, gammaGamma.p, gammaGamma.q, gammaGamma.gamma]
    if (!params.every(Number.isFinite)) return null
    const probes = sample.filter((history) => history.frequency > 0).slice(0, 20)
    if (
      !probes.every((h) => Number.isFinite(bgNbdExpectedPurchases(bgNbd, horizonWeeks, h.frequency, h.recency, h.age)))
    )
      return null
    return {
      bgNbd: { r: bgNbd.r, alpha: bgNbd.alpha, a: bgNbd.a, b: bgNbd.b },
      gammaGamma: { p: gammaGamma.p, q: gammaGamma.q, gamma: gammaGamma.gamma },
      sampled: sample.length,
    }
  } catch {
    // A degenerate base (e.g. every repeat buyer alike) has no maximum: no CLV rather than a wrong one.
    return null
  }
}
