/** What {@link computeNps} returns. */
export interface NpsResult {
  /** Valid answers counted (integers 0–10). */
  readonly responses: number
  /** Answers of 9 or 10. */
  readonly promoters: number
  /** Answers of 7 or 8. */
  readonly passives: number
  /** Answers of 0 to 6. */
  readonly detractors: number
  /** Answers that were not integers 0–10, left out. */
  readonly ignored: number
  /** % promoters − % detractors, from −100 to 100; 0 when there are no responses. */
  readonly nps: number
}

/**
 * Net Promoter Score (Reichheld, "The One Number You Need to Grow", HBR 2003): the percentage of
 * promoters (9–10) minus the percentage of detractors (0–6) among answers to "How likely are you
 * to recommend us?" on 0–10. Not rounded.
 *
 * @example
 * computeNps([10, 9, 8, 3]).nps // 25: 50 % promoters − 25 % detractors
 */
export function computeNps(scores: readonly number[]): NpsResult {
  return computeNpsFromCounts(scores.map((score) => [score, 1] as const))
}

/** How many answers gave each score: `[score, count]` pairs (a score may repeat). */
export type ScoreCounts = Iterable<readonly [score: number, count: number]>

/**
 * {@link computeNps} over answers already counted per score (a store's `group by score`), so a
 * million answers need not be loaded. Same result as `computeNps` over the expanded list.
 *
 * @example
 * computeNpsFromCounts([[10, 2], [8, 1], [3, 1]]).nps // 25
 */
export function computeNpsFromCounts(counts: ScoreCounts): NpsResult {
  let promoters = 0
  let passives = 0
  let detractors = 0
  let ignored = 0
  for (const [score, count] of counts) {
    if (!Number.isInteger(score) || score < 0 || score > 10) ignored += count
    else if (score >= 9) promoters += count
    else if (score >= 7) passives += count
    else detractors += count
  }
  const responses = promoters + passives + detractors
  const nps = responses === 0 ? 0 : ((promoters - detractors) / responses) * 100
  return { responses, promoters, passives, detractors, ignored, nps }
}

/** Options of {@link computeCsat}. */
export interface CsatOptions {
  /** The lowest answer that counts as satisfied on the 1–5 scale. @default 4 */
  readonly satisfiedFrom?: number
}

/** What {@link computeCsat} returns. */
export interface CsatResult {
  /** Valid answers counted (integers 1–5). */
  readonly responses: number
  /** Answers of `satisfiedFrom` or more. */
  readonly satisfied: number
  /** Answers that were not integers 1–5, left out. */
  readonly ignored: number
  /** The CSAT score: satisfied ÷ responses × 100, from 0 to 100; 0 when there are no responses. */
  readonly csat: number
  /** Mean answer, 1–5; 0 when there are no responses. */
  readonly average: number
}

/**
 * Customer satisfaction score on a 1–5 scale: the percentage of satisfied answers (4 "satisfied"
 * and 5 "very satisfied", the usual top-two-box definition), plus the mean answer.
 *
 * @example
 * computeCsat([5, 4, 3, 1]).csat // 50
 */
export function computeCsat(scores: readonly number[], options: CsatOptions = {}): CsatResult {
  return computeCsatFromCounts(
    scores.map((score) => [score, 1] as const),
    options,
  )
}

/**
 * {@link computeCsat} over answers already counted per score (a store's `group by score`). Same
 * result as `computeCsat` over the expanded list.
 *
 * @example
 * computeCsatFromCounts([[5, 1], [4, 1], [3, 1], [1, 1]]).csat // 50
 */
export function computeCsatFromCounts(counts: ScoreCounts, options: CsatOptions = {}): CsatResult {
  const satisfiedFrom = options.satisfiedFrom ?? 4
  let responses = 0
  let satisfied = 0
  let ignored = 0
  let sum = 0
  for (const [score, count] of counts) {
    if (!(Number.isInteger(score) && score >= 1 && score <= 5)) {
      ignored += count
      continue
    }
    responses += count
    sum += score * count
    if (score >= satisfiedFrom) satisfied += count
  }
  return {
    responses,
    satisfied,
    ignored,
    csat: responses === 0 ? 0 : (satisfied / responses) * 100,
    average: responses === 0 ? 0 : sum / responses,
  }
}
