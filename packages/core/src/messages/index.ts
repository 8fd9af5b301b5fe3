/** Messages: the model of what ecrm sends to customers and the channel port that sends it. */
export type { MessageCategory, ChannelKind, MessageContent, Message, MessageFailure, ChannelOutcome, Channel } from './messageTypes.js'
export { recipientOf } from './recipientOf.js'
export type { RecipientOptions, RecipientResult } from './recipientOf.js'
export { toE164 } from './phoneNumber.js'
export type { ToE164Options, PhoneNumberResult } from './phoneNumber.js'
export { pushSubscriptionSchema } from './pushSubscription.js'
export type { PushSubscriptionJson } from './pushSubscription.js'
