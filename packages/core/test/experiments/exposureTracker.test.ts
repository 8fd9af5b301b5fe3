import { describe, expect, it } from 'vitest'
import { assignVariant } from '../../src/experiments/assignVariant.js'
import type { Experiment } from '../../src/experiments/experimentSchema.js'
import { createExposureTracker } from '../../src/experiments/exposureTracker.js'
import type { ExposureEvent } from '../../src/experiments/exposureTracker.js'

const experiment: Experiment = { key: 'hero', variations: [{ id: 'control' }, { id: 'video' }] }

/** The persisted store survives "reloads"; each reload builds a new tracker over it. */
function setup() {
  const persisted = new Map<string, string>()
  const storage = {
    get: (key: string) => persisted.get(key),
    set: (key: string, value: string) => void persisted.set(key, value),
  }
  const sent: ExposureEvent[] = []
  const reload = () => createExposureTracker({ storage, track: (event) => sent.push(event) })
  return { sent, reload }
}

describe('createExposureTracker', () => {
  it('sends one Experiment Viewed per visitor and variant, across reloads', () => {
    const { sent, reload } = setup()
    const assignment = assignVariant(experiment, { id: 'v1' })
    const tracker = reload()
    expect(tracker.expose('hero', 'v1', assignment)).toBe(true)
    expect(tracker.expose('hero', 'v1', assignment)).toBe(false)
    expect(reload().expose('hero', 'v1', assignment)).toBe(false)
    expect(sent).toEqual([
      {
        event: 'Experiment Viewed',
        visitorId: 'v1',
        properties: { experiment_id: 'hero', variation_id: assignment.variationId },
      },
    ])
  })

  it('sends again for another variant or another visitor', () => {
    const { sent, reload } = setup()
    const tracker = reload()
    tracker.expose('hero', 'v1', assignVariant(experiment, { id: 'v1' }, { forcedVariations: {} }))
    tracker.expose('hero', 'v2', assignVariant(experiment, { id: 'v2' }))
    const other = assignVariant(experiment, { id: 'v1' }, { sticky: { get: () => 'video', set: () => {} } })
    const switched = assignVariant(experiment, { id: 'v1' }, { sticky: { get: () => 'control', set: () => {} } })
    tracker.expose('hero', 'v1', other)
    tracker.expose('hero', 'v1', switched)
    const keys = sent.map((event) => `${event.visitorId}:${event.properties.variation_id}`)
    expect(new Set(keys).size).toBe(keys.length)
    expect(keys).toEqual(expect.arrayContaining(['v1:video', 'v1:control']))
  })

  it('skips visitors outside the experiment, QA overrides and forced variations', () => {
    const { sent, reload } = setup()
    const tracker = reload()
    expect(tracker.expose('hero', 'v1', assignVariant({ ...experiment, active: false }, { id: 'v1' }))).toBe(false)
    expect(tracker.expose('hero', 'v1', assignVariant(experiment, { id: 'v1' }, { search: '?ecrm_exp_hero=1' }))).toBe(
      false,
    )
    expect(
      tracker.expose('hero', 'v1', assignVariant(experiment, { id: 'v1' }, { forcedVariations: { hero: 1 } })),
    ).toBe(false)
    expect(sent).toEqual([])
  })
})
