import { readFile } from 'node:fs/promises'
import { compileJourney, EcrmValidationError, simulateJourney, toEpochMs } from '@ecrm/core'
import type { CompiledJourney } from '@ecrm/core'
import { simulationJson, simulationText } from '../journeys/formatSimulation.js'
import { parseEventLines } from '../journeys/parseEventLines.js'
import { defineCommand } from './command.js'

const USAGE_LINE = 'ecrm simulate <journey.json> --events <events.ndjson> [--json] [--until <ISO time>]'

/** Reads a file, or prints why it cannot and gives `null`. */
async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    console.error(`ecrm simulate: cannot read ${path} (${error instanceof Error ? error.message : String(error)})`)
    return null
  }
}

/** The journey file, validated and compiled, or `null` after printing every fault with its path. */
async function readJourney(path: string): Promise<CompiledJourney | null> {
  const text = await readText(path)
  if (text === null) return null
  try {
    return compileJourney(JSON.parse(text))
  } catch (error) {
    if (error instanceof SyntaxError) console.error(`ecrm simulate: ${path} is not JSON (${error.message})`)
    else if (error instanceof EcrmValidationError) console.error(`ecrm simulate: ${path}: ${error.message}`)
    else throw error
    return null
  }
}

/** `ecrm simulate`: replays events through a journey on a virtual clock; nothing is sent. */
export const simulateCommand = defineCommand({
  name: 'simulate',
  summary: 'Replay events through a journey on a virtual clock: prints what it would send, per customer',
  usage: `Usage: ${USAGE_LINE}

Replays the events (one Segment-spec event a line, each with a "timestamp") through the journey,
with the same engine the server runs, waking each wait at its virtual time. Prints per customer
what would be sent and done, and when. Nothing is sent and no store is opened.
  --events <file>     the events, NDJSON
  --json              print the timelines as JSON (waits included)
  --until <time>      run waits due until this ISO time (default 30 days after the last event)
  -h, --help          this text`,
  allowPositionals: true,
  options: {
    events: { type: 'string' },
    json: { type: 'boolean' },
    until: { type: 'string' },
  },
  run: async ({ values, positionals }) => {
    const [journeyPath] = positionals
    if (journeyPath === undefined || values.events === undefined || positionals.length > 1) {
      console.error(`ecrm simulate: usage: ${USAGE_LINE}`)
      return 2
    }
    const untilMs = values.until === undefined ? undefined : toEpochMs(values.until, undefined)
    if (untilMs === null) {
      console.error(`ecrm simulate: --until must be an ISO-8601 time (got ${values.until})`)
      return 2
    }
    const journey = await readJourney(journeyPath)
    if (journey === null) return 2
    const text = await readText(values.events)
    if (text === null) return 2
    const parsed = parseEventLines(text)
    if (!parsed.ok) {
      console.error(`ecrm simulate: ${values.events}:\n${parsed.faults.map((fault) => `  ${fault}`).join('\n')}`)
      return 2
    }
    const customers = simulateJourney(journey, parsed.events, untilMs === undefined ? {} : { untilMs })
    console.log(
      values.json === true
        ? JSON.stringify(simulationJson(journey.id, customers), null, 2)
        : simulationText(journey.id, customers),
    )
    return 0
  },
})
