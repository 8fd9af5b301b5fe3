import type { PurchaseHistory } from '../../src/clv/index.js'

/** A seeded uniform generator on [0, 1) (mulberry32): the same seed gives the same draws. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function normal(random: () => number): number {
  // Box–Muller; 1 − u keeps the logarithm finite.
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
}

/** Gamma(shape, rate) by Marsaglia & Tsang (2000), boosted for shape < 1. */
export function sampleGamma(random: () => number, shape: number, rate: number): number {
  if (shape < 1) return sampleGamma(random, shape + 1, rate) * (1 - random()) ** (1 / shape)
  const d = shape - 1 / 3
  const c = 1 / Math.sqrt(9 * d)
  for (;;) {
    const z = normal(random)
    const v = (1 + c * z) ** 3
    if (v <= 0) continue
    const u = 1 - random()
    if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return (d * v) / rate
  }
}

/**
 * Simulates BG/NBD customers straight from the model's story (FHL 2005, section 3): a Poisson
 * purchase rate λ ~ Gamma(r, α), a dropout chance p ~ Beta(a, b) tried after every repeat
 * purchase, observed from the first purchase (time 0) for `age` units.
 */
export function simulateBgNbd(
  params: { r: number; alpha: number; a: number; b: number },
  count: number,
  age: (index: number) => number,
  seed: number,
): PurchaseHistory[] {
  const random = createRandom(seed)
  const histories: PurchaseHistory[] = []
  for (let index = 0; index < count; index += 1) {
    const T = age(index)
    const rate = sampleGamma(random, params.r, params.alpha)
    const x1 = sampleGamma(random, params.a, 1)
    const dropout = x1 / (x1 + sampleGamma(random, params.b, 1))
    let time = 0
    let frequency = 0
    let recency = 0
    for (;;) {
      time += -Math.log(1 - random()) / rate
      if (time > T) break
      frequency += 1
      recency = time
      if (random() < dropout) break
    }
    histories.push({ frequency, recency, age: T })
  }
  return histories
}
