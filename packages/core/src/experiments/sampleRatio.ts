import { chiSquareSurvival } from './distributions.js'

/** The sample-ratio-mismatch check. */
export interface SampleRatioCheck {
  /** Pearson's chi-square statistic Σ (observed − expected)² / expected. */
  readonly chiSquare: number
  /** Number of arms − 1. */
  readonly degreesOfFreedom: number
  readonly pValue: number
  /** pValue below the threshold (0.001 by default): the assignment or the logging is broken. */
  readonly isAlarm: boolean
}

/**
 * Chi-square goodness-of-fit test of observed users per arm against the configured weights
 * (Pearson 1900), with k − 1 degrees of freedom for k arms. A mismatch means exposures are lost or
 * duplicated unevenly, so no result of the experiment can be trusted (Fabijan et al. 2019,
 * "Diagnosing Sample Ratio Mismatch in Online Controlled Experiments", KDD).
 *
 * @param users observed users per arm
 * @param weights expected share per arm, summing to 1 @default equal shares
 * @param threshold alarm level @default 0.001
 */
export function checkSampleRatio(
  users: readonly number[],
  weights?: readonly number[],
  threshold = 0.001,
): SampleRatioCheck {
  const total = users.reduce((sum, count) => sum + count, 0)
  const weightTotal = weights ? weights.reduce((sum, weight) => sum + weight, 0) : users.length
  const degreesOfFreedom = Math.max(0, users.length - 1)
  let chiSquare = 0
  users.forEach((observed, index) => {
    const expected = (total * (weights ? (weights[index] ?? 0) : 1)) / weightTotal
    if (expected > 0) chiSquare += (observed - expected) ** 2 / expected
    // Users in an arm expected to get none: a mismatch however few.
    else if (observed > 0) chiSquare = Infinity
  })
  const pValue =
    total === 0 || degreesOfFreedom === 0
      ? 1
      : chiSquare === Infinity
        ? 0
        : chiSquareSurvival(chiSquare, degreesOfFreedom)
  return { chiSquare, degreesOfFreedom, pValue, isAlarm: pValue < threshold }
}
