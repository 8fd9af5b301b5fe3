import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EcrmValidationError, isEcrmError } from '../../src/errors.js'
import { applyLogic, compileLogic, createLogicEngine } from '../../src/logic/engine.js'

function issuesOf(run: () => unknown): unknown {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(EcrmValidationError)
    expect(isEcrmError(error)).toBe(true)
    return (error as EcrmValidationError).issues.map(({ path, code }) => ({ path, code }))
  }
  throw new Error('expected the rule to be refused')
}

describe('compileLogic', () => {
  it('refuses an unknown operator with the path of the fault', () => {
    expect(issuesOf(() => compileLogic({ and: [{ '==': [1, 1] }, { if: [{ contains: ['a', 'b'] }, 1, 2] }] }))).toEqual(
      [{ path: ['and', 1, 'if', 0, 'contains'], code: 'unknown_operator' }],
    )
  })

  it('refuses wrong arities and reports every fault in one error', () => {
    expect(issuesOf(() => compileLogic({ or: [{ '==': [1] }, { map: [[1]] }, { substr: [] }] }))).toEqual([
      { path: ['or', 0, '=='], code: 'wrong_arity' },
      { path: ['or', 1, 'map'], code: 'wrong_arity' },
      { path: ['or', 2, 'substr'], code: 'wrong_arity' },
    ])
  })

  it('names the fault and the fix in the message', () => {
    expect(() => compileLogic({ nope: [] })).toThrow(
      /Invalid JsonLogic rule: nope \(unknown operator "nope"; .*addOperation/,
    )
  })

  it('treats prototype names as unknown operators, not as functions', () => {
    expect(issuesOf(() => compileLogic({ constructor: [] }))).toEqual([
      { path: ['constructor'], code: 'unknown_operator' },
    ])
    expect(issuesOf(() => compileLogic({ toString: [] }))).toEqual([{ path: ['toString'], code: 'unknown_operator' }])
  })

  it('returns null for var paths that would reach a prototype', () => {
    const data = JSON.parse('{"a": {"b": 1}, "__proto__": {"polluted": true}}') as unknown
    expect(applyLogic({ var: '__proto__' }, data)).toBeNull()
    expect(applyLogic({ var: 'a.constructor' }, data)).toBeNull()
    expect(applyLogic({ var: 'a.constructor.name' }, data)).toBeNull()
    expect(applyLogic({ var: ['a.__proto__.toString', 'fallback'] }, data)).toBe('fallback')
    expect(applyLogic({ var: 'a.b.toFixed' }, data)).toBeNull()
    expect(applyLogic({ var: 'a.b' }, data)).toBe(1)
  })

  it('never throws while evaluating, whatever the data', () => {
    const rules = [
      { '+': [{ var: 'a.b.c' }, { var: 'x' }] },
      { map: [{ var: 'items' }, { '*': [{ var: 'price' }, { var: 'qty' }] }] },
      { reduce: [{ var: 'items' }, { '+': [{ var: 'current' }, { var: 'accumulator' }] }, 0] },
      { substr: [{ var: 'name' }, { var: 'n' }, -1] },
      { in: [{ var: 'a' }, { var: 'b' }] },
      { missing_some: [{ var: 'n' }, { var: 'keys' }] },
      { all: [{ var: 'items' }, { '>': [{ var: 'price' }, 1] }] },
      { days_since: { var: 'at' } },
      { count_events: [{ var: 'name' }, { var: 'window' }] },
      { birthday_today: [{ var: 'birthday' }, { var: 'tz' }] },
    ]
    const compiled = rules.map((rule) => compileLogic(rule))
    fc.assert(
      fc.property(fc.jsonValue(), fc.option(fc.integer(), { nil: undefined }), (data, now) => {
        for (const run of compiled) expect(() => run(data, now === undefined ? {} : { now })).not.toThrow()
      }),
      { numRuns: 300 },
    )
  })
})

describe('createLogicEngine', () => {
  it('registers custom operations on one engine only', () => {
    const engine = createLogicEngine()
    engine.addOperation('double', (args) => Number(args[0]) * 2)
    expect(engine.apply({ double: [{ var: 'n' }] }, { n: 21 })).toBe(42)
    expect(createLogicEngine().hasOperation('double')).toBe(false)
    expect(() => compileLogic({ double: [1] })).toThrow(EcrmValidationError)
  })

  it('checks the arity a custom operation declares', () => {
    const engine = createLogicEngine({ operations: { pair: { evaluate: (args) => args, minArgs: 2, maxArgs: 2 } } })
    expect(engine.apply({ pair: [1, 2] })).toEqual([1, 2])
    expect(() => engine.compile({ pair: [1] })).toThrow(/"pair" takes 2 arguments, got 1/)
  })

  it('refuses to replace lazy built-ins', () => {
    expect(() => createLogicEngine().addOperation('if', () => 1)).toThrow(/addOperation failed/)
  })

  it('turns a throwing custom operation into null instead of throwing', () => {
    const engine = createLogicEngine({
      operations: {
        boom: () => {
          throw new Error('boom')
        },
      },
    })
    expect(engine.apply({ boom: [] })).toBeNull()
  })

  it('passes log values to onLog and returns them', () => {
    const logged: unknown[] = []
    const engine = createLogicEngine({ onLog: (value) => logged.push(value) })
    expect(engine.apply({ log: { var: 'a' } }, { a: 'apple' })).toBe('apple')
    expect(logged).toEqual(['apple'])
  })

  it('evaluates the iterators with the element as data and reduce with current/accumulator', () => {
    const data = {
      items: [
        { price: 5, qty: 2 },
        { price: 3, qty: 1 },
      ],
    }
    expect(applyLogic({ map: [{ var: 'items' }, { '*': [{ var: 'price' }, { var: 'qty' }] }] }, data)).toEqual([10, 3])
    expect(
      applyLogic(
        {
          reduce: [
            { map: [{ var: 'items' }, { '*': [{ var: 'price' }, { var: 'qty' }] }] },
            { '+': [{ var: 'current' }, { var: 'accumulator' }] },
            0,
          ],
        },
        data,
      ),
    ).toBe(13)
    expect(applyLogic({ '<': [1, { var: 'x' }, 10] }, { x: 5 })).toBe(true)
    expect(applyLogic({ '<': [1, { var: 'x' }, 10] }, { x: 10 })).toBe(false)
  })
})
