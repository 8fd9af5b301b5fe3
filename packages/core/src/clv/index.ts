export { summarizeTransactions, summarizeDailySpend } from './summarizeTransactions.js'
export type { SummarizeOptions, DailySpend } from './summarizeTransactions.js'
export { DAYS_PER_UNIT, DAYS_PER_YEAR } from './types.js'
export type { TimeUnit, Transaction, PurchaseHistory, CustomerSummary } from './types.js'
export { fitBgNbd, bgNbdLogLikelihood, createBgNbdLikelihood } from './bgNbd.js'
export type { BgNbdParams, BgNbdFit } from './bgNbd.js'
export {
  bgNbdProbabilityAlive,
  bgNbdExpectedPurchases,
  bgNbdUnconditionalExpectedPurchases,
  bgNbdProbabilityOfNPurchases,
} from './bgNbdPredict.js'
export {
  fitGammaGamma,
  gammaGammaLogLikelihood,
  gammaGammaExpectedSpend,
  createGammaGammaLikelihood,
} from './gammaGamma.js'
export type { GammaGammaParams, GammaGammaFit, SpendHistory } from './gammaGamma.js'
export {
  fitParetoNbd,
  paretoNbdLogLikelihood,
  paretoNbdProbabilityAlive,
  paretoNbdExpectedPurchases,
} from './paretoNbd.js'
export type { ParetoNbdParams, ParetoNbdFit } from './paretoNbd.js'
export { customerLifetimeValue, scoreClv, historicClv } from './lifetimeValue.js'
export type { LifetimeValueOptions, CustomerValue, HistoricClvOptions } from './lifetimeValue.js'
export type { FitOptions } from './fitting.js'
export type { MinimizeOptions } from '../math/nelderMead.js'
export type { ValueAndGradient } from '../math/bfgs.js'
