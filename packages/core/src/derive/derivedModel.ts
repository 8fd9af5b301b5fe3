import type { BgNbdParams } from '../clv/bgNbd.js'
import type { GammaGammaParams } from '../clv/gammaGamma.js'
import type { RfmCutPoints } from '../rfm/rfmCutPoints.js'

/**
 * What a full refresh fits on the whole base and ingest derives with until the next one: the
 * RFM cut points and the CLV models. Plain JSON, stored by the store (`ecrm_models`).
 */
export interface DerivedModel {
  readonly version: 1
  /** Epoch ms of the fit. */
  readonly fittedAt: number
  /** Profiles read by the fit. */
  readonly customers: number
  /** Of those, customers with at least one completed order. */
  readonly buyers: number
  /** Cut points of the base (their `method` says quantile or fixed). */
  readonly rfm: RfmCutPoints
  /**
   * BG/NBD and Gamma-Gamma in weeks, fitted on `sampled` buyers; null when the base has too few
   * repeat buyers for a fit (then no profile gets `clv`).
   */
  readonly clv: {
    readonly bgNbd: BgNbdParams
    readonly gammaGamma: GammaGammaParams
    readonly sampled: number
  } | null
}
