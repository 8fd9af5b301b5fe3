export { composeMessages } from './composeMessages.js'
export type { ComposedMessage, MessageComposer, RenderMessage } from './composeMessages.js'
export { createSqlMessageQueue } from './sqlMessageQueue.js'
export { createMessageSender } from './messageSender.js'
export type {
  MessagePassResult,
  MessageSenderEngine,
  MessageSenderOptions,
  MessageSenderStats,
} from './messageSender.js'
