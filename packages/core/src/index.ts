/**
 * @ecrm/core — the event model, the delivery pipeline and the customer intelligence of ecrm.
 * Pure and runtime-agnostic: the environment comes in through the ports. Each area's index lists
 * its exports by name; the compiler refuses a name two areas would both export.
 */
export type {
  Cancel,
  Clock,
  Scheduler,
  QueueItem,
  LeaseRequest,
  QueueUsage,
  Queue,
  MeasuredQueue,
  KeyValueStore,
  TransportRequest,
  TransportOutcome,
  Transport,
  Connectivity,
  Logger,
  Ports,
} from './ports.js'
export { EcrmError, EcrmValidationError, isEcrmError, formatPath } from './errors.js'
export type { ValidationIssue } from './errors.js'
export * from './model/index.js'
export * from './pipeline/index.js'
export * from './profile/index.js'
export * from './rfm/index.js'
export * from './clv/index.js'
export * from './leads/index.js'
export * from './kpis/index.js'
export * from './derive/index.js'
export * from './logic/index.js'
export * from './rules/index.js'
export * from './journeys/index.js'
export * from './time/index.js'
export * from './debug/index.js'
export * from './sql/index.js'
export * from './experiments/index.js'
export * from './delivery/index.js'
export * from './destinations/index.js'
export * from './messages/index.js'
