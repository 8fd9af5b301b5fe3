/** Test fakes for the core ports, shared by the core, browser and node test suites. */
export { createManualClock } from './manualClock.js'
export type { ManualClock, ManualClockOptions } from './manualClock.js'
export { createScriptedTransport, respond } from './scriptedTransport.js'
export type { ScriptedTransport, ScriptedOutcome, RecordedRequest } from './scriptedTransport.js'
export { createSequentialIds } from './ids.js'
export { createFakeConnectivity } from './connectivity.js'
export type { FakeConnectivity } from './connectivity.js'
