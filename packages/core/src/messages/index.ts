/** Messages: the model of what ecrm sends to customers and the channel port that sends it. */
export type { MessageCategory, ChannelKind, MessageContent, Message, MessageFailure, ChannelOutcome, Channel } from './messageTypes.js'
