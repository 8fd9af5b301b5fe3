/** Delivery: the one engine that drives a queue to a receiver, for events, destinations and messages. */
export { createDeliveryEngine, RETRY_DEFAULTS } from './deliveryEngine.js'
export type {
  ItemFate,
  SettleFates,
  SendItems,
  DeliveryCounters,
  DeliveryEngineOptions,
  DeliveryPassResult,
  DeliveryStats,
  DeliveryEngine,
} from './deliveryEngine.js'
