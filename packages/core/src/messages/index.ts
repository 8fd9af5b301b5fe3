/** Messages: the model of what ecrm sends to customers and the channel port that sends it. */
export type {
  MessageCategory,
  ChannelKind,
  MessageContent,
  Message,
  MessageFailure,
  ChannelOutcome,
  Channel,
} from './messageTypes.js'
export { recipientOf } from './recipientOf.js'
export type { RecipientOptions, RecipientResult } from './recipientOf.js'
export { toE164 } from './phoneNumber.js'
export type { ToE164Options, PhoneNumberResult } from './phoneNumber.js'
export { pushSubscriptionSchema } from './pushSubscription.js'
export type { PushSubscriptionJson } from './pushSubscription.js'
export {
  messageEventNames,
  messageEventKindOf,
  isMessageLifecycleEvent,
  isChannelKind,
  messageEventProperties,
} from './messageEvents.js'
export type { MessageEventKind, MessageEventSubject } from './messageEvents.js'
export { messagePolicySchema } from './messagePolicy.js'
export type { MessagePolicy, MessagePolicyInput, FrequencyCap } from './messagePolicy.js'
export { decideSend, capLookback } from './decideSend.js'
export type { SendDecision, SendContext, SuppressReason, PolicyProfile } from './decideSend.js'
export { signMessageLink, verifyMessageLink } from './messageLinks.js'
export type { MessageLinkClaims, MessageLinkCheck, MessageLinkSecret } from './messageLinks.js'
export { trackMessageLinks, MESSAGE_LINKS_PREFIX } from './trackMessageLinks.js'
export type { TrackMessageLinksOptions } from './trackMessageLinks.js'
