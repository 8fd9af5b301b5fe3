/** The delivery pipeline of @ecrm/core: the client, the queue, the retry policy and their helpers. */
export { createCoreClient, createPipelineClient } from './createCoreClient.js'
export { createMemoryQueue } from './memoryQueue.js'
export { createAdmission, ADMISSION_SHARES } from './admission.js'
export { sanitize, MAX_SANITIZE_ISSUES } from './sanitize.js'
export { isPlainJson } from './plainJson.js'
export { classifyOutcome, parseRetryAfter, backoffDelay } from './retryPolicy.js'
export { batchOverheadBytes, buildBatchRequest, eventBytesInBatch, serverHeaders } from './buildRequest.js'
export { chooseDrops, planBatches } from './boundQueue.js'
export { priorityOf, PRIORITY, CONVERSION_EVENTS } from './priority.js'
export { encodeBase64, utf8Length } from './utf8.js'
export { createUuidV4 } from './defaults.js'
export { KEEPALIVE_MAX_BYTES } from './deliver.js'
export type { PipelineClientOptions, ServerExtras } from './createCoreClient.js'
export type { Path, SanitizeResult, SanitizeOptions } from './sanitize.js'
export type { Verdict, BackoffOptions } from './retryPolicy.js'
export type { BatchRequestInput } from './buildRequest.js'
export type { QueueBounds } from './boundQueue.js'
export type { Admission, AdmissionBounds } from './admission.js'
export type {
  CoreClient,
  CoreClientOptions,
  BatchOptions,
  RetryOptions,
  LimitOptions,
  ConsentOptions,
  ConsentControl,
  Plugin,
  ClientDestination,
  EventInput,
  TrackInput,
  IdentifyInput,
  PageInput,
  ScreenInput,
  GroupInput,
  AliasInput,
  EnqueueResult,
  DroppedResult,
  ClosedResult,
  ServerCoreClient,
  FlushOptions,
  FlushResult,
  Stats,
  UserSnapshot,
  ClientState,
} from './clientTypes.js'
