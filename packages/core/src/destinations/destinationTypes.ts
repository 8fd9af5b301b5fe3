/**
 * The destination contract: how ecrm events become requests to a CRM a business already runs
 * (HubSpot, Salesforce, Zoho CRM, Dynamics 365, a signed webhook), and the port that sends them.
 * Mappings are pure; sending, token renewal and retries are the dispatcher's job.
 */
import type { TransportOutcome } from '../ports.js'
import type { EcrmEvent } from '../model/envelope.js'
import type { Verdict } from '../pipeline/retryPolicy.js'
import type { ItemFate } from '../delivery/deliveryEngine.js'

/** The HTTP methods vendor APIs use. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** What a response looked like, as far as a mapping needs to know (for follow-up requests). */
export interface DestinationResponse {
  readonly status: number
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>
  /** The body text ('' when none). */
  readonly body: string
}

/** One request a destination wants sent. Built by a pure mapping; the dispatcher adds auth. */
export interface DestinationRequest {
  readonly method: HttpMethod
  /**
   * An absolute URL, or a path starting with `/` that the destination's auth resolves against
   * the API base (e.g. Salesforce's `instance_url` from the token answer).
   */
  readonly url: string
  readonly headers?: Readonly<Record<string, string>>
  /** The body text (JSON or form-encoded); none for GET and DELETE. */
  readonly body?: string
  /** The `messageId`s of the events this request carries; @default every event of the batch */
  readonly eventIds?: readonly string[]
  /** Statuses that also count as done, e.g. 404 on a delete (already gone), 204 on a search (none). */
  readonly okStatuses?: readonly number[]
  /**
   * Requests to send after this one succeeded (not named `then`: that would make a request a
   * thenable, which `await` would try to call), built from its answer (look an id up, then
   * delete it). They carry this request's events. Runs again on every retry, so keep it pure.
   */
  readonly followUp?: (response: DestinationResponse) => readonly DestinationRequest[]
  /**
   * Reads a 2xx bulk answer record by record (HubSpot's 207 multi-status, Salesforce's
   * `success: false`, Zoho's per-record `status: "error"`): the fates of the events whose record
   * failed, by event id. Events it leaves out are delivered. Pure; runs on every 2xx answer.
   * @default the whole request delivered
   */
  readonly recordFates?: (response: DestinationResponse) => ReadonlyMap<string, ItemFate>
}

/** A request ready for the wire: absolute URL, auth applied, timeout set. */
export interface SendableRequest {
  readonly method: HttpMethod
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body?: string
  readonly timeoutMs: number
}

/** What happened on the wire: the transport outcome plus the answer's headers and body. */
export type DestinationOutcome =
  | (Extract<TransportOutcome, { type: 'response' }> & {
      readonly headers: Readonly<Record<string, string>>
      readonly body: string
    })
  | Exclude<TransportOutcome, { type: 'response' }>

/** Sends destination requests (any method, reads the body). Never throws: it reports. */
export interface DestinationSender {
  /** Sends one request and resolves with the status, headers and body, or the network error or timeout; never rejects. */
  readonly send: (request: SendableRequest) => Promise<DestinationOutcome>
}

/** An OAuth 2.0 access token and where to use it. */
export interface AccessToken {
  readonly accessToken: string
  /** Epoch ms after which the token is no longer good; absent when the vendor does not say. */
  readonly expiresAt?: number
  /** The API base the token belongs to (Salesforce `instance_url`, Zoho `api_domain`). */
  readonly instanceUrl?: string
}

/** How a destination authenticates. */
export type DestinationAuth =
  /** Nothing to add (webhooks sign their body instead). */
  | { readonly kind: 'none' }
  /** A long-lived token (HubSpot private-app token): `authorize` adds it. */
  | {
      readonly kind: 'token'
      /** Adds the token to a request (e.g. as a Bearer Authorization header). */
      readonly authorize: (request: DestinationRequest) => DestinationRequest
    }
  /** OAuth 2.0 (client credentials or refresh token), renewed automatically. */
  | {
      readonly kind: 'oauth2'
      /** The token request (form-encoded POST to the vendor's token endpoint). */
      readonly tokenRequest: () => DestinationRequest
      /** Reads the token endpoint's 2xx answer; `undefined` when it has no token. */
      readonly parseToken: (body: string, now: number) => AccessToken | undefined
      /** Adds the token (header, and the base URL for relative paths). */
      readonly authorize: (request: DestinationRequest, token: AccessToken) => DestinationRequest
    }

/**
 * A vendor's reading of a response, before (and instead of) the shared policy: a rate limit
 * said in the body or in vendor headers, an expired token, a pause asked on a success.
 */
export type Interpretation =
  | (Verdict & { readonly pauseMs?: number })
  /** The token was refused: renew it and send again (once). */
  | { readonly kind: 'reauthorize' }

/** What a mapping knows besides the events. */
export interface MapContext {
  /** Epoch ms of this send (for signatures and defaults such as a close date). */
  readonly now: number
}

/** A CRM or webhook that receives ecrm's customers and events. */
export interface Destination {
  /** Unique, stable, filesystem-safe (`[a-z0-9_-]`): names the queue directory and the stats. */
  readonly name: string
  /**
   * The consent category events need to reach this destination; an event whose
   * `context.consent.categories[category]` is `false` is not sent. Erasure requests always are.
   */
  readonly category: string
  /** Most events per dispatch (the vendor's bulk limit). */
  readonly batchSize: number
  readonly auth: DestinationAuth
  /** Pure: the requests one event becomes, or `null` when this destination has no use for it. */
  readonly map: (event: EcrmEvent, context: MapContext) => DestinationRequest[] | null
  /**
   * Pure: the requests a batch becomes, using the vendor's bulk endpoints.
   * @default every event through `map`, one after the other
   */
  readonly mapBatch?: (events: readonly EcrmEvent[], context: MapContext) => DestinationRequest[]
  /** Vendor-specific reading of a response; `undefined` leaves it to the shared retry policy. */
  readonly interpret?: (response: DestinationResponse, now: number) => Interpretation | undefined
}

/** Counters of one destination since its dispatcher was created. */
export interface DestinationStats {
  readonly name: string
  /** Events in its queue, as last seen. */
  readonly queued: number
  /** Events every request of which the vendor acknowledged. */
  readonly delivered: number
  /** Requests sent (token requests excluded). */
  readonly requests: number
  /** Event-retries scheduled. */
  readonly retried: number
  /** Events given up on (onDeadLetter). */
  readonly deadLettered: number
  /** Events not queued: consent denied for the category, or nothing to map. */
  readonly skipped: number
  /** Access tokens fetched (first one included). */
  readonly tokenRequests: number
  /** Epoch ms until which the vendor asked not to be called (0 when not paused). */
  readonly pausedUntil: number
  readonly lastError?: { readonly message: string; readonly at: number }
}
