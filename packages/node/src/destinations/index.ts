/** Destinations in @ecrm/node: the fan-out with a durable queue per CRM (in the store or on disk), HTTP sending, signed webhooks, config. */
export { createDestinationFanout } from './destinationFanout.js'
export type { DestinationFanout, DestinationFanoutOptions } from './destinationFanout.js'
export { createDestinationHttpSender } from './httpSender.js'
export type { DestinationHttpSenderOptions } from './httpSender.js'
export { webhookDestination, verifyWebhookSignature, hmacSha256Hex } from './webhookDestination.js'
export type {
  WebhookDestinationOptions,
  VerifyWebhookSignatureInput,
  WebhookVerification,
} from './webhookDestination.js'
export { createDestinations, destinationConfigSchema, destinationsConfigSchema } from './destinationConfig.js'
export type { DestinationConfig } from './destinationConfig.js'
export { createSqlDestinationQueue } from './sqlDestinationQueue.js'
export type { SqlDestinationQueue } from './sqlDestinationQueue.js'
export { serveDestinations } from './serveDestinations.js'
export type { ServedDestinations, ServeDestinationsOptions } from './serveDestinations.js'
