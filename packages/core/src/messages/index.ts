/** Messages: the model of what ecrm sends to customers and the channel port that sends it. */
export type { MessageCategory, ChannelKind, MessageContent, Message, MessageFailure, ChannelOutcome, Channel } from './messageTypes.js'
export { messageEventNames, messageEventKindOf, isMessageLifecycleEvent, isChannelKind, messageEventProperties } from './messageEvents.js'
export type { MessageEventKind, MessageEventSubject } from './messageEvents.js'
