/**
 * @ecrm/node — ecrm for Node backends: the server client with a durable file queue, the ingest
 * handler that receives Segment-compatible batches, the stores (PGlite embedded, PostgreSQL) and
 * the pieces they are made of.
 */
export { createNodeClient, MEMORY_QUEUE_MAX_BYTES, FILE_QUEUE_MAX_BYTES } from './nodeClient.js'
export type { NodeClient, NodeClientOptions, Accepted, NodeCallResult } from './nodeClient.js'
export { createFileQueue } from './queue/fileQueue.js'
export type { FileQueue, FileQueueOptions } from './queue/fileQueue.js'
export { createHttpTransport, createKyTransport } from './transport/index.js'
export type { HttpTransport, HttpTransportOptions, KyTransportOptions } from './transport/index.js'
export {
  systemClock,
  unrefScheduler,
  createUnrefScheduler,
  MAX_TIMER_DELAY_MS,
  createNodeId,
  createConsoleLogger,
} from './nodePorts.js'
export type { UnrefSchedulerOptions } from './nodePorts.js'
export { createIngestHandler } from './ingest/ingestHandler.js'
export type { IngestHandler, IngestHandlerOptions, ConnectionInfo, NewCustomerLimit } from './ingest/ingestHandler.js'
export { signUserId } from './ingest/signUserId.js'
export { toNodeListener } from './ingest/nodeListener.js'
export type { FetchHandler } from './ingest/nodeListener.js'
export type { RateLimitOptions } from './ingest/rateLimiter.js'
export type { AllowedOrigins } from './ingest/requestAuth.js'
export type { IngestErrorBody, IngestSuccessBody, RejectedEvent } from './ingest/responses.js'
export { createPgliteStore } from './store/pgliteStore.js'
export { createPostgresStore } from './store/postgresStore.js'
export type { PostgresStoreOptions, PgPoolLike, PgClientLike } from './store/postgresStore.js'
export { createSqlStore } from './store/sqlStore.js'
export { loadConfig, parseConfig, ecrmConfigSchema } from './config/index.js'
export type { LoadedConfig, EcrmConfig } from './config/index.js'
export type { SqlStoreOptions } from './store/sqlStore.js'
export { migrations, migrate } from './store/migrations.js'
export type { Migration } from './store/migrations.js'
export type {
  Store,
  InsertEventsResult,
  RefusedEvent,
  ForgetSubject,
  ForgetResult,
  Customer,
  ListCustomersOptions,
  SqlDriver,
  SqlExecutor,
} from './store/storeTypes.js'
export { startIngestServer } from './serve.js'
export type { IngestServer, IngestServerOptions } from './serve.js'
export {
  createDestinationFanout,
  createDestinationHttpSender,
  webhookDestination,
  verifyWebhookSignature,
  hmacSha256Hex,
  createDestinations,
  destinationConfigSchema,
  createSqlDestinationQueue,
  serveDestinations,
} from './destinations/index.js'
export type {
  DestinationConfig,
  SqlDestinationQueue,
  ServedDestinations,
  ServeDestinationsOptions,
  DestinationFanout,
  DestinationFanoutOptions,
  DestinationHttpSenderOptions,
  WebhookDestinationOptions,
  VerifyWebhookSignatureInput,
  WebhookVerification,
} from './destinations/index.js'
export { runAnalyze, readOrders, analyzeCustomers } from './analyze/index.js'
export type {
  AnalyzeOptions,
  AnalyzeSummary,
  ReadOrdersOptions,
  OrdersRead,
  BadRow,
  AnalyzeModelOptions,
  CustomerAnalysis,
  CustomerResult,
  ColumnMapping,
  ResultFormat,
} from './analyze/index.js'
export { createRuleRunner, createSqlRuleStateStore, loadRules, parseRules, listFirings } from './rules/index.js'
export type {
  RuleRunner,
  RuleRunnerOptions,
  CustomerKey,
  SqlRuleStateStore,
  SqlRuleStateStoreOptions,
  PendingEntry,
  ListFiringsOptions,
  StoredFiring,
} from './rules/index.js'
export { composeMessages, createSqlMessageQueue, createMessageSender } from './messages/index.js'
export type {
  ComposedMessage,
  MessageComposer,
  RenderMessage,
  MessageSenderOptions,
  MessagePassResult,
  MessageSenderEngine,
  MessageSenderStats,
} from './messages/index.js'
export { loadTemplates, templateVariablesSchema, persianDigits, offerCodeOf } from './templates/index.js'
export type { TemplateOptions, Templates } from './templates/index.js'
export { profileSqlColumns, profileEventDays, segmentColumns } from './store/profileQueries.js'
export { createReadApiHandler, isReadApiPath } from './api/readApiHandler.js'
export type { ReadApiHandler, ReadApiHandlerOptions, ReadApiSegmentDefinition } from './api/readApiHandler.js'
export { readApiOpenApi } from './api/readApiOpenApi.js'
export type { ProfileView, Member } from './api/readApiViews.js'
export type {
  InsertEventsOptions,
  SegmentOptions,
  StoreOptions,
  RefreshOptions,
  RefreshResult,
} from './store/storeTypes.js'
export { messageStats } from './messages/messageStats.js'
export type { MessageStatsOptions, MessageStats } from './messages/messageStats.js'
export {
  queryKpis,
  queryConversion,
  queryOrderKpis,
  querySurveys,
  queryRetention,
  queryDistributions,
  queryAttribution,
  querySalesCycle,
  queryExperiment,
  DIRECT_CHANNEL,
  LEAD_EVENTS,
} from './kpis/index.js'
export type {
  KpiReport,
  KpiScope,
  KpiStore,
  ConversionKpis,
  ConversionRow,
  OrderKpis,
  SurveyKpis,
  Distribution,
  DistributionKpis,
  HistogramBin,
  AttributionKpis,
  AttributionQueryOptions,
  ChannelCredit,
  SalesCycle,
  SalesCycleKpis,
  ExperimentKpis,
  ExperimentQueryOptions,
} from './kpis/index.js'
export { importCsv } from './import/importCsv.js'
export type { ImportCsvOptions, ImportSummary, ImportRowError } from './import/importCsv.js'
export type { ImportKind } from './import/importColumns.js'
export { cacByChannel } from './kpis/cacKpis.js'
export type { CacPeriod, ChannelCac } from './kpis/cacKpis.js'
export { createTwilioStatusHandler } from './messages/twilioStatusHandler.js'
export type { TwilioStatusHandlerOptions } from './messages/twilioStatusHandler.js'
export { createKavenegarStatusHandler, kavenegarOutcomeOf } from './messages/kavenegarStatusHandler.js'
export type { KavenegarStatusHandlerOptions } from './messages/kavenegarStatusHandler.js'
export type { SuppressionEntry } from './messages/suppressions.js'
export { twilioSignature, isTwilioSignatureValid } from './messages/twilioSignature.js'
export { createMessageLinksHandler } from './messages/messageLinksHandler.js'
export type { MessageLinksHandlerOptions } from './messages/messageLinksHandler.js'
export { createSmtpChannel, smtpChannelOptionsSchema, smtpMessageId } from './channels/smtpChannel.js'
export type { SmtpChannelOptions } from './channels/smtpChannel.js'
export { serveMessages } from './messages/serveMessages.js'
export type { ServeMessagesOptions, ServedMessages } from './messages/serveMessages.js'
export { classifySmtpFailure } from './channels/smtpReply.js'
export type { SmtpFailure } from './channels/smtpReply.js'
export {
  createKavenegarChannel,
  kavenegarChannelOptionsSchema,
  classifyKavenegarStatus,
  kavenegarReceptor,
} from './channels/kavenegarChannel.js'
export type { KavenegarChannelOptions } from './channels/kavenegarChannel.js'
export { createTwilioChannel, twilioChannelOptionsSchema, classifyTwilioError } from './channels/twilioChannel.js'
export type { TwilioChannelOptions } from './channels/twilioChannel.js'
export { createHttpSmsChannel, httpSmsChannelOptionsSchema, fillBodyTemplate } from './channels/httpSmsChannel.js'
export type { HttpSmsChannelOptions } from './channels/httpSmsChannel.js'
export {
  channelConfigSchema,
  channelsConfigSchema,
  createChannels,
  envSecretSchema,
  resolveEnvSecrets,
} from './channels/channelConfig.js'
export type { ChannelConfig, EnvSecret, SecretEnvironment } from './channels/channelConfig.js'
export {
  createWebPushChannel,
  webPushChannelOptionsSchema,
  isAllowedPushEndpoint,
  KNOWN_PUSH_SERVICE_HOSTS,
} from './channels/webPushChannel.js'
export type { WebPushChannelOptions } from './channels/webPushChannel.js'
