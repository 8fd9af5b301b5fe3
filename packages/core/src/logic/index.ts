/** Public surface of the JsonLogic engine and its CRM operators. */
export { applyLogic, compileLogic, createLogicEngine } from './engine.js'
export type { LogicEngine, LogicEngineOptions } from './engine.js'
export type {
  CompiledLogic,
  LogicContext,
  LogicOperation,
  LogicOperationDefinition,
  LogicRule,
  LogicScope,
} from './types.js'
export type { RuleProfile } from './crmOperations.js'
export { isTruthy } from './semantics.js'
export { parseDuration, toEpochMs } from './duration.js'
export { toLocalTime, fromLocalTime, isValidTimeZone } from './timeZone.js'
export type { LocalTime } from './timeZone.js'
export { anniversaryToday, toCalendarDate } from './calendar.js'
export type { AnniversaryToday, CalendarDate, CalendarName } from './calendar.js'
