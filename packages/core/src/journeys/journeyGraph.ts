import { END_STEP } from './journeySchema.js'
import type { JourneyStep } from './journeySchema.js'

/** The steps a step can go to right away, without waiting (a wait's targets come later). */
export function immediateTargets(step: JourneyStep & { readonly after: string }): string[] {
  if (step.type === 'wait') return []
  if (step.type === 'branch') return [step.then, step.else ?? END_STEP]
  return [step.after]
}

/**
 * The first loop of steps that runs without passing a wait, as step ids (the first one repeated
 * at the end), or `null`. Such a loop would run forever inside one input; a loop through a wait is
 * fine (a reminder every week).
 */
export function findWaitlessCycle(
  steps: ReadonlyMap<string, JourneyStep & { readonly after: string }>,
): string[] | null {
  const done = new Set<string>()
  const visit = (id: string, path: string[]): string[] | null => {
    const at = path.indexOf(id)
    if (at >= 0) return [...path.slice(at), id]
    const step = steps.get(id)
    if (step === undefined || done.has(id)) return null
    for (const target of immediateTargets(step)) {
      const cycle = visit(target, [...path, id])
      if (cycle !== null) return cycle
    }
    done.add(id)
    return null
  }
  for (const id of steps.keys()) {
    const cycle = visit(id, [])
    if (cycle !== null) return cycle
  }
  return null
}
