/** Destinations in @ecrm/node: the fan-out with a durable queue per CRM, HTTP sending, signed webhooks. */
export { createDestinationFanout } from './destinationFanout.js'
export type { DestinationFanout, DestinationFanoutOptions } from './destinationFanout.js'
export { createDestinationHttpSender } from './httpSender.js'
export type { DestinationHttpSenderOptions } from './httpSender.js'
export { webhookDestination, verifyWebhookSignature, hmacSha256Hex } from './webhookDestination.js'
export type { WebhookDestinationOptions, VerifyWebhookSignatureInput, WebhookVerification } from './webhookDestination.js'
