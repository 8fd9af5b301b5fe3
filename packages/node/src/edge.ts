/**
 * @ecrm/node/edge — the fetch-style handlers without any `node:` import, for edge runtimes
 * (Vercel Edge, Cloudflare Workers, Deno Deploy) and Bun/Deno servers. The store comes in as an
 * option (any {@link Store}, e.g. one reached over HTTP); the file queue, PGlite and the CLI stay in
 * the main entry, which needs Node built-ins.
 */
export { createIngestHandler } from './ingest/ingestHandler.js'
export type { IngestHandler, IngestHandlerOptions, ConnectionInfo, NewCustomerLimit } from './ingest/ingestHandler.js'
export type { RateLimitOptions } from './ingest/rateLimiter.js'
export type { AllowedOrigins } from './ingest/requestAuth.js'
export type { IngestErrorBody, IngestSuccessBody, RejectedEvent } from './ingest/responses.js'
export { createReadApiHandler, isReadApiPath } from './api/readApiHandler.js'
export type { ReadApiHandler, ReadApiHandlerOptions, ReadApiSegmentDefinition } from './api/readApiHandler.js'
export { readApiOpenApi } from './api/readApiOpenApi.js'
export type { ProfileView, Member } from './api/readApiViews.js'
export type { Store, InsertEventsResult, RefusedEvent, Customer, ListCustomersOptions } from './store/storeTypes.js'
