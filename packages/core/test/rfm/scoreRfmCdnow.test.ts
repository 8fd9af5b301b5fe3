import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { rfmCutPoints, type RfmCustomer } from '../../src/rfm/rfmCutPoints.js'
import { defaultRfmSegments } from '../../src/rfm/rfmSegments.js'
import { scoreRfm } from '../../src/rfm/scoreRfm.js'

// CDNOW master: 69,659 purchases by 23,570 customers, `customer_id yyyymmdd n_cds dollar_value`
// (Fader & Hardie's data set, via CamDavidsonPilon/lifetimes; see shared/data/README.md).
const file = fileURLToPath(new URL('../../../../../shared/data/CDNOW_master.txt', import.meta.url))
const present = existsSync(file)
if (!present && process.env['CI'] === 'true')
  throw new Error(`CDNOW data missing at ${file}: CI must have ../shared/data`)

function loadCustomers(): RfmCustomer[] {
  const byId = new Map<string, { lastOrderAt: number; orderCount: number; monetary: number }>()
  for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
    const [id, date, , dollars] = line.trim().split(/\s+/)
    if (id === undefined || date === undefined || dollars === undefined) continue
    const at = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8)))
    const known = byId.get(id) ?? { lastOrderAt: at, orderCount: 0, monetary: 0 }
    byId.set(id, {
      lastOrderAt: Math.max(known.lastOrderAt, at),
      orderCount: known.orderCount + 1,
      monetary: known.monetary + Number(dollars),
    })
  }
  return [...byId].map(([id, values]) => ({ id, ...values }))
}

describe.skipIf(!present)('scoreRfm on CDNOW (skipped: ../shared/data/CDNOW_master.txt is absent)', () => {
  const now = Date.UTC(1998, 6, 1)
  const customers = present ? loadCustomers() : []
  const scores = scoreRfm(customers, { now })

  it('scores every one of the 23,570 customers into exactly one default segment', () => {
    expect(customers).toHaveLength(23_570)
    const sizes = new Map<string, number>()
    for (const score of scores.values()) sizes.set(score.segment, (sizes.get(score.segment) ?? 0) + 1)
    expect([...sizes.values()].reduce((a, b) => a + b, 0)).toBe(23_570)
    for (const id of sizes.keys()) expect(defaultRfmSegments.map((s) => s.id)).toContain(id)
  })

  it('fills each quintile up to its rank, ties allowing (recency counted from the most recent)', () => {
    const n = customers.length
    const value = {
      r: (c: RfmCustomer) => Math.floor((now - (c.lastOrderAt ?? 0)) / 86_400_000),
      f: (c: RfmCustomer) => c.orderCount,
      m: (c: RfmCustomer) => c.monetary,
    }
    for (const key of ['r', 'f', 'm'] as const) {
      for (let s = 1; s < 5; s++) {
        // F and M: bins 1..s hold the lowest values; R: bins 6-s..5 hold the most recent.
        const inSide =
          key === 'r'
            ? customers.filter((c) => (scores.get(c.id)?.r ?? 0) >= 6 - s)
            : customers.filter((c) => (scores.get(c.id)?.[key] ?? 0) <= s)
        // They hold at least the first ⌈s·n/5⌉ ranks from their side, and exceed them only by the
        // tie group of the boundary value (every customer with that value must share one bin).
        const edge = Math.max(...inSide.map(value[key]))
        const tieGroup = customers.filter((c) => value[key](c) === edge).length
        expect(inSide.length, `${key} side ${s}`).toBeGreaterThanOrEqual(Math.ceil((s * n) / 5))
        expect(inSide.length - tieGroup, `${key} side ${s}`).toBeLessThan(Math.ceil((s * n) / 5))
      }
    }
  })

  it('gives recency and monetary value about a fifth each (few ties there)', () => {
    const n = customers.length
    for (const key of ['r', 'm'] as const) {
      for (let s = 1; s <= 5; s++) {
        const size = [...scores.values()].filter((score) => score[key] === s).length
        expect(size / n, `${key} = ${s}`).toBeGreaterThan(0.17)
        expect(size / n, `${key} = ${s}`).toBeLessThan(0.23)
      }
    }
    // Frequency: 1 purchase is over 40 % of CDNOW customers, so F1 takes them all (no F2).
    const cuts = rfmCutPoints(customers, { now })
    expect(cuts.frequency[0]).toBe(1)
  })
})
