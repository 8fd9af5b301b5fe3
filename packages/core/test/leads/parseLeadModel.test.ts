import { describe, expect, it } from 'vitest'
import { EcrmValidationError } from '../../src/errors.js'
import { defaultLeadModel } from '../../src/leads/defaultLeadModel.js'
import { meetsCondition } from '../../src/leads/leadConditions.js'
import { parseLeadModel } from '../../src/leads/leadModelSchema.js'

const clone = (): Record<string, any> => JSON.parse(JSON.stringify(defaultLeadModel))

function issuesOf(input: unknown): string[] {
  try {
    parseLeadModel(input)
  } catch (error) {
    expect(error).toBeInstanceOf(EcrmValidationError)
    return (error as EcrmValidationError).issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
  }
  throw new Error('expected parseLeadModel to throw')
}

describe('parseLeadModel', () => {
  it('accepts the default model as JSON', () => {
    expect(parseLeadModel(JSON.parse(JSON.stringify(defaultLeadModel)))).toEqual(defaultLeadModel)
  })

  it('names the path of a wrong type and of a condition without its value', () => {
    const model = clone()
    model.engagement.rules[2].points = 'ten'
    model.fit.rules[0].when[0] = { field: 'company.employee_count', op: 'gte' }
    const issues = issuesOf(model)
    expect(issues).toContain('fit.rules.0.when.0.value: "gte" needs a value')
    expect(issues.some((issue) => issue.startsWith('engagement.rules.2.points: '))).toBe(true)
  })

  it('rejects unknown operators, duplicate ids, undeclared groups and inverted thresholds', () => {
    const model = clone()
    model.fit.rules[1].when[0].op = 'like'
    model.engagement.rules[1].id = 'page_view'
    model.engagement.rules[3].group = 'emails'
    model.thresholds = { mql: 80, sql: 70 }
    const issues = issuesOf(model)
    expect(issues.some((issue) => issue.startsWith('fit.rules.1.when.0.op: '))).toBe(true)
    // Structural errors stop zod before the cross-field checks; fix them first.
    model.fit.rules[1].when[0].op = 'gte'
    expect(issuesOf(model)).toEqual([
      'engagement.rules.1.id: "page_view" is already used by engagement.rules.0',
      'engagement.rules.3.group: group "emails" is not declared in engagement.groups',
      'thresholds.sql: sql must be at least mql',
    ])
  })

  it('puts the paths in the error message', () => {
    expect(() => parseLeadModel({ fit: { rules: [] } })).toThrow(/^invalid lead model: engagement \(/)
  })
})

describe('meetsCondition', () => {
  it('compares strings without case, numbers numerically and lists by membership', () => {
    const data = { country: 'fr', size: '250', tags: ['saas', 'b2b'], title: 'Head of Sales' }
    expect(meetsCondition(data, { field: 'country', op: 'in', value: ['FR', 'DE'] })).toBe(true)
    expect(meetsCondition(data, { field: 'size', op: 'gt', value: 200 })).toBe(true)
    expect(meetsCondition(data, { field: 'tags', op: 'contains', value: 'b2b' })).toBe(true)
    expect(meetsCondition(data, { field: 'title', op: 'contains', value: 'HEAD OF' })).toBe(true)
    expect(meetsCondition(data, { field: 'title', op: 'contains', value: 'ead' })).toBe(false)
    expect(meetsCondition(data, { field: 'missing', op: 'not_exists' })).toBe(true)
    expect(meetsCondition(data, { field: 'missing', op: 'gte', value: 0 })).toBe(false)
  })
})
