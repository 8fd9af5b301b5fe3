/** Public surface of journeys: multi-step automations as JSON, and their pure engine. */
export { journeySchema, END_STEP } from './journeySchema.js'
export type { JourneyDefinition, JourneyStep, JourneyTrigger, JourneyEventMatch } from './journeySchema.js'
export { compileJourney } from './compileJourney.js'
export type { CompiledJourney, CompiledJourneyMatch, CompiledStep, CompiledTrigger } from './compileJourney.js'
export { advanceJourney } from './advanceJourney.js'
export { initialJourneyState, MAX_INSTANCE_EVENTS } from './journeyTypes.js'
export type {
  JourneyAction,
  JourneyAdvance,
  JourneyEventRecord,
  JourneyExitReason,
  JourneyInput,
  JourneyInstance,
  JourneyOutcome,
  JourneyRefusal,
  JourneyState,
  EndedJourneyInstance,
} from './journeyTypes.js'
export { simulateJourney } from './simulateJourney.js'
export type { SimulateJourneyOptions, SimulatedCustomer, SimulatedEntry, SimulatedEvent } from './simulateJourney.js'
