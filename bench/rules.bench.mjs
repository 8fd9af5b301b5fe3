// Rules: ecrm's JsonLogic (compileLogic once, then call; and applyLogic, which compiles each time)
// beside json-logic-js (interprets the rule each call) and json-rules-engine (async, its own rule
// format), on the official JsonLogic suite and on a 50-rule CRM set. Unit: rule evaluations a second.
import { readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { crmRules, makeProfiles, toJavaScript, toJsonLogic, toRulesEngine } from './data/crmRules.mjs'
import { loadEcrm } from './lib/ecrm.mjs'
import { asyncOpsPerSecond, fmt, opsPerSecond, pct, ratio } from './lib/measure.mjs'
import { sharedData } from './lib/paths.mjs'
import { emit, progress } from './lib/result.mjs'

const title = 'Rules (JsonLogic)'
let ecrm
try {
  ecrm = await loadEcrm('core', ['compileLogic', 'applyLogic'])
} catch (error) {
  emit({ id: 'rules', title, skipped: error.message })
  process.exit(0)
}
const { compileLogic, applyLogic } = ecrm.api
const jsonLogic = await import('json-logic-js').then((m) => m.default ?? m).catch(() => undefined)
const { Engine } = await import('json-rules-engine').catch(() => ({}))
const notes = []
if (!jsonLogic) notes.push('json-logic-js is not installed: its rows are missing (npm --prefix bench ci).')
if (!Engine) notes.push('json-rules-engine is not installed: its rows are missing.')

const sections = []
const row = (label, result, per, base) => [
  label,
  fmt(result.opsPerSec * per),
  pct(result.spread),
  base ? ratio(base, result.opsPerSec * per) : '1×',
]

// 1. The official suite: every [rule, data, expected] case, one evaluation each.
const suitePath = join(sharedData, 'jsonlogic-tests.json')
if (!existsSync(suitePath)) {
  if (process.env.CI === 'true') throw new Error(`CI=true but ${suitePath} is missing`)
  sections.push({
    title: 'Official JsonLogic suite',
    skipped: `${suitePath} is absent (the shared data folder sits beside the repository root)`,
  })
} else {
  const cases = JSON.parse(readFileSync(suitePath, 'utf8')).filter(Array.isArray)
  const compiled = cases.map(([rule]) => {
    try {
      return compileLogic(rule)
    } catch {
      return () => undefined
    }
  })
  const passes = (evaluate) =>
    cases.filter(([rule, data, expected], i) => {
      try {
        return isDeepStrictEqual(evaluate(rule, data, i), expected)
      } catch {
        return false
      }
    }).length
  const n = cases.length
  const candidates = [
    { label: 'ecrm compileLogic (compiled once)', kind: 'ecrm', evaluate: (rule, data, i) => compiled[i](data) },
    { label: 'ecrm applyLogic (compiles every call)', kind: 'ecrm', evaluate: (rule, data) => applyLogic(rule, data) },
    ...(jsonLogic
      ? [{ label: 'json-logic-js apply', kind: 'peer', evaluate: (rule, data) => jsonLogic.apply(rule, data) }]
      : []),
  ]
  const rows = []
  const bars = []
  let base
  for (const candidate of candidates) {
    progress(`suite: ${candidate.label}`)
    const passed = passes(candidate.evaluate)
    // One "op" = the whole suite once; data objects are reused, as a rule engine would see them.
    const result = opsPerSecond(() => {
      let last
      for (let i = 0; i < n; i++) last = candidate.evaluate(cases[i][0], cases[i][1], i)
      return last
    })
    base ??= result.opsPerSec * n
    rows.push([...row(candidate.label, result, n, base), `${passed} / ${n}`])
    bars.push({ label: candidate.label, value: (result.opsPerSec * n) / 1e6, kind: candidate.kind })
  }
  sections.push({
    title: 'Official JsonLogic suite',
    text: `All ${n} \`[rule, data, expected]\` cases of jsonlogic.com/tests.json, evaluated in turn. The ratio is ecrm compileLogic's rate over the row's (above 1× means the row is slower). "Passes" counts results deep-equal to the expected value. json-rules-engine does not speak JsonLogic, so it is not in this table.`,
    table: { columns: ['engine', 'evaluations / s', 'spread', 'ecrm compiled is … faster', 'passes'], rows },
    chart: { title: 'Official suite, million evaluations per second', unit: 'M/s', higherIsBetter: true, bars },
  })
}

// 2. The 50-rule CRM set over 1,000 customer profiles: every rule on every profile.
const profiles = makeProfiles(1_000)
const logicRules = toJsonLogic()
const compiledRules = logicRules.map(({ logic }) => compileLogic(logic))
const jsRules = toJavaScript()
const ruleCount = crmRules.length
const truth = profiles.map((profile) => jsRules.map(({ test }) => test(profile)))
const agree = (evaluate) =>
  profiles.every((profile, p) => logicRules.every((_, r) => Boolean(evaluate(p, r)) === truth[p][r]))

const rows = []
const bars = []
const perProfile = (evaluate) => (i) => {
  const p = i % profiles.length
  let hits = 0
  for (let r = 0; r < ruleCount; r++) if (evaluate(p, r)) hits++
  return hits
}
const syncCandidates = [
  {
    label: 'floor: the same conditions as plain JS functions',
    kind: 'floor',
    evaluate: (p, r) => jsRules[r].test(profiles[p]),
  },
  { label: 'ecrm compileLogic (compiled once)', kind: 'ecrm', evaluate: (p, r) => compiledRules[r](profiles[p]) },
  {
    label: 'ecrm applyLogic (compiles every call)',
    kind: 'ecrm',
    evaluate: (p, r) => applyLogic(logicRules[r].logic, profiles[p]),
  },
  ...(jsonLogic
    ? [
        {
          label: 'json-logic-js apply',
          kind: 'peer',
          evaluate: (p, r) => jsonLogic.apply(logicRules[r].logic, profiles[p]),
        },
      ]
    : []),
]
let ecrmRate
const results = []
for (const candidate of syncCandidates) {
  progress(`crm: ${candidate.label}`)
  const correct = agree(candidate.evaluate)
  const result = opsPerSecond(perProfile(candidate.evaluate))
  if (candidate.label.startsWith('ecrm compileLogic')) ecrmRate = result.opsPerSec * ruleCount
  results.push({ candidate, result, correct })
}
if (Engine) {
  progress('crm: json-rules-engine')
  const engine = new Engine(toRulesEngine(), { allowUndefinedFacts: true })
  const fired = async (p) => new Set((await engine.run(profiles[p])).events.map((event) => event.type))
  let correct = true
  for (let p = 0; p < 200 && correct; p++) {
    const set = await fired(p)
    correct = logicRules.every(({ name }, r) => set.has(name) === truth[p][r])
  }
  const result = await asyncOpsPerSecond((i) => engine.run(profiles[i % profiles.length]))
  results.push({ candidate: { label: 'json-rules-engine run (all 50 rules, async)', kind: 'peer' }, result, correct })
}
for (const { candidate, result, correct } of results) {
  rows.push([...row(candidate.label, result, ruleCount, ecrmRate), correct ? 'yes' : 'NO'])
  bars.push({
    label: candidate.label.replace(/ \(.*\)$/, ''),
    value: (result.opsPerSec * ruleCount) / 1e6,
    kind: candidate.kind,
  })
}
sections.push({
  title: '50 CRM rules over 1,000 customer profiles',
  text:
    `${ruleCount} segment and trigger rules a shop would write (VIP, at risk, cart abandoner, NPS promoter, lead grades, …; bench/data/crmRules.mjs), ` +
    'each with 1–3 comparisons, evaluated on every one of 1,000 generated profiles. The floor is the same conditions written as plain JavaScript functions. ' +
    'json-rules-engine runs its whole rule set per profile, asynchronously, the only way it runs. "Agrees" checks every engine fires exactly the rules the plain functions fire.',
  table: { columns: ['engine', 'rule evaluations / s', 'spread', 'ecrm compiled is … faster', 'agrees'], rows },
  chart: { title: '50 CRM rules, million rule evaluations per second', unit: 'M/s', higherIsBetter: true, bars },
})

emit({
  id: 'rules',
  title,
  intro: 'Rule evaluations per second, single thread; higher is better.',
  origin: ecrm.origin,
  sections,
  notes,
})
