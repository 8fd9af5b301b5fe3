// Experiment assignment: ecrm's assignVariant (and its hash, hashFnv) beside GrowthBook's SDK on the
// same experiments and visitor ids. Both implement GrowthBook's hashing, so they must agree on every
// visitor's variation; the benchmark checks that before timing anything.
import { loadEcrm } from './lib/ecrm.mjs'
import { fmt, opsPerSecond, pct, ratio } from './lib/measure.mjs'
import { emit, progress } from './lib/result.mjs'

const title = 'Experiment assignment'
let ecrm
try {
  ecrm = await loadEcrm('core', ['assignVariant', 'hashFnv'])
} catch (error) {
  emit({ id: 'assignment', title, skipped: error.message })
  process.exit(0)
}
const { assignVariant, hashFnv } = ecrm.api
const growthbook = await import('@growthbook/growthbook').catch(() => undefined)
const notes = growthbook
  ? []
  : ['@growthbook/growthbook is not installed: its rows are missing (npm --prefix bench ci).']

const ids = Array.from({ length: 10_000 }, (_, i) => `visitor-${(i * 2654435761) >>> 0}`)
const experiments = [
  { label: '2 arms, 50/50', ecrm: { key: 'checkout-cta', variations: [{ id: 'control' }, { id: 'green' }] } },
  {
    label: '3 arms, 20/30/50, 80 % coverage, v2 hash',
    ecrm: {
      key: 'pricing-page',
      variations: [{ id: 'a' }, { id: 'b' }, { id: 'c' }],
      weights: [0.2, 0.3, 0.5],
      coverage: 0.8,
      hashVersion: 2,
    },
  },
]
const toGrowthBook = (experiment) => ({
  key: experiment.key,
  variations: experiment.variations.map((variation) => variation.id),
  ...(experiment.weights ? { weights: experiment.weights } : {}),
  ...(experiment.coverage === undefined ? {} : { coverage: experiment.coverage }),
  // ecrm defaults to hash v2, GrowthBook's inline experiments to v1: state ecrm's so both bucket alike.
  hashVersion: experiment.hashVersion ?? 2,
})

let scoped
if (growthbook) {
  const client = new growthbook.GrowthBookClient()
  await client.init({ payload: { features: {} } })
  scoped = (id) => client.createScopedInstance({ attributes: { id } })
}
const sections = []
for (const { label, ecrm: experiment } of experiments) {
  const gbExperiment = toGrowthBook(experiment)
  const rows = []
  const bars = []
  const candidates = [
    {
      label: 'floor: hashFnv(seed, id) alone',
      kind: 'floor',
      run: (i) => hashFnv(experiment.key, ids[i % ids.length], experiment.hashVersion ?? 2),
    },
    {
      label: 'ecrm assignVariant',
      kind: 'ecrm',
      run: (i) => assignVariant(experiment, { id: ids[i % ids.length] }).variationIndex,
    },
  ]
  let agreement = '–'
  if (growthbook) {
    let same = 0
    for (const id of ids) {
      const theirs = new growthbook.GrowthBook({ attributes: { id } }).run(gbExperiment)
      const ours = assignVariant(experiment, { id })
      if (theirs.inExperiment === ours.inExperiment && theirs.variationId === ours.variationIndex) same++
    }
    agreement = `${same.toLocaleString('en-US')} / ${ids.length.toLocaleString('en-US')}`
    candidates.push(
      {
        label: 'GrowthBook: new GrowthBook({ attributes }).run()',
        kind: 'peer',
        run: (i) =>
          new growthbook.GrowthBook({ attributes: { id: ids[i % ids.length] } }).run(gbExperiment).variationId,
      },
      {
        label: 'GrowthBookClient: scoped instance runInlineExperiment()',
        kind: 'peer',
        run: (i) => scoped(ids[i % ids.length]).runInlineExperiment(gbExperiment).variationId,
      },
    )
  }
  let base
  for (const candidate of candidates) {
    progress(`${label}: ${candidate.label}`)
    const result = opsPerSecond(candidate.run)
    if (candidate.kind === 'ecrm') base = result.opsPerSec
    rows.push([candidate.label, fmt(result.opsPerSec), pct(result.spread), base ? ratio(base, result.opsPerSec) : '–'])
    bars.push({
      label: candidate.label.replace(/:.*$/, '').replace('floor', 'floor: hashFnv'),
      value: result.opsPerSec / 1e6,
      kind: candidate.kind,
    })
  }
  sections.push({
    title: `Assignments per second: ${label}`,
    text: `10,000 distinct visitor ids, one assignment per call. ecrm and GrowthBook chose the same variation for ${agreement} visitors. The floor is the hash alone.`,
    table: { columns: ['assigner', 'assignments / s', 'spread', 'ecrm is … faster'], rows },
    chart: { title: `Assignment (${label}), million per second`, unit: 'M/s', higherIsBetter: true, bars },
  })
}
emit({
  id: 'assignment',
  title,
  intro:
    'Deterministic bucketing of a visitor into an experiment arm (GrowthBook-compatible FNV-1a hashing); higher is better.',
  origin: ecrm.origin,
  sections,
  notes: [
    ...notes,
    "ecrm assigns with hash v2 unless an experiment says otherwise; GrowthBook's inline experiments default to v1. The GrowthBook definitions here state `hashVersion: 2`, so the two must agree; without it they agree on only about half the visitors of a 50/50 test.",
  ],
})
