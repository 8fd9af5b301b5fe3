/** Destinations: deliver ecrm's customers and events into the CRMs businesses already run. */
export { createDestinationDispatcher } from './dispatcher.js'
export type { DestinationDispatcher, DestinationDispatcherOptions, DispatchResult } from './dispatcher.js'
export { createTokenSource, encodeForm, parseOAuthToken, resolveUrl } from './tokenSource.js'
export type { TokenSource, TokenSourceOptions, TokenResult } from './tokenSource.js'
export {
  crmActionOf,
  emailOf,
  traitsOf,
  leadTraitsOf,
  propertiesOf,
  isConsentDenied,
  applyTraitsMap,
  mergeTraitsMap,
} from './eventFields.js'
export type { CrmAction, TraitsMap } from './eventFields.js'
export { hubspotDestination, interpretHubspot, HUBSPOT_TRAITS_MAP } from './hubspot.js'
export type { HubspotDestinationOptions } from './hubspot.js'
export {
  salesforceDestination,
  interpretSalesforce,
  SALESFORCE_TRAITS_MAP,
  SALESFORCE_API_VERSION,
} from './salesforce.js'
export type { SalesforceDestinationOptions, SalesforceCredentials } from './salesforce.js'
export { zohoDestination, interpretZoho, ZOHO_TRAITS_MAP } from './zoho.js'
export type { ZohoDestinationOptions } from './zoho.js'
export { dynamicsDestination, interpretDynamics, DYNAMICS_TRAITS_MAP } from './dynamics.js'
export type { DynamicsDestinationOptions } from './dynamics.js'
export { payamgostarDestination, PAYAMGOSTAR_TRAITS_MAP } from './payamgostar.js'
export type { PayamgostarDestinationOptions } from './payamgostar.js'
export { hubspotRecordFates, salesforceRecordFates, zohoRecordFates } from './recordFates.js'
export type { RecordEvents } from './recordFates.js'
export {
  createWebhookDestination,
  webhookSignatureHeader,
  webhookSignedText,
  WEBHOOK_SIGNATURE_HEADER,
} from './webhook.js'
export type { WebhookDestinationCoreOptions } from './webhook.js'
export type {
  Destination,
  DestinationAuth,
  DestinationRequest,
  DestinationResponse,
  DestinationOutcome,
  DestinationSender,
  DestinationStats,
  SendableRequest,
  AccessToken,
  Interpretation,
  MapContext,
  HttpMethod,
} from './destinationTypes.js'
