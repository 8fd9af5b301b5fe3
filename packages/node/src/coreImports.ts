/**
 * The core names this package uses, in one place. Everything comes from the public
 * '@ecrm/core' entry, as users get it.
 */
export {
  validateBatch,
  validateEvent,
  parseJsonSafely,
  createCoreClient,
  createMemoryQueue,
  traceDelivery,
} from '@ecrm/core'
export type {
  CoreClient,
  CoreClientOptions,
  DroppedResult,
  EnqueueResult,
  ServerCoreClient,
  FlushResult,
  Stats,
  TrackInput,
  IdentifyInput,
  PageInput,
  ScreenInput,
  GroupInput,
  AliasInput,
} from '@ecrm/core'
