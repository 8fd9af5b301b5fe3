import { describe, expect, it } from 'vitest'
import { applyLogic, compileLogic } from '../../src/logic/engine.js'
import { readSharedJson, sharedDataFile } from './sharedData.js'

type Case = [rule: unknown, data: unknown, expected: unknown]

const suite = sharedDataFile('jsonlogic-tests.json')
const cases: Case[] = suite.exists
  ? readSharedJson<unknown[]>(suite.path).filter((entry): entry is Case => Array.isArray(entry))
  : []

describe('applyLogic on the official JsonLogic suite (jsonlogic.com/tests.json)', () => {
  it.skipIf(!suite.exists)(`has the 278 published cases ${suite.exists ? '' : suite.reason}`, () => {
    expect(cases).toHaveLength(278)
  })

  it.skipIf(!suite.exists)(`passes every case through applyLogic ${suite.exists ? '' : suite.reason}`, () => {
    const failures = cases
      .map(([rule, data, expected], index) => ({ index, rule, data, expected, actual: applyLogic(rule, data) }))
      .filter(({ expected, actual }) => !Object.is(JSON.stringify(actual), JSON.stringify(expected)))
    expect(failures).toEqual([])
  })

  it.skipIf(!suite.exists)(
    `passes every case through one compiled closure reused ${suite.exists ? '' : suite.reason}`,
    () => {
      let passed = 0
      for (const [rule, data, expected] of cases) {
        const compiled = compileLogic(rule)
        // The second call proves the closure keeps no state between evaluations.
        compiled({ unrelated: true })
        if (JSON.stringify(compiled(data)) === JSON.stringify(expected)) passed += 1
      }
      expect(passed).toBe(278)
    },
  )
})
