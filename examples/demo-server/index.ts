/**
 * The ecrm demo server: the collector, the storefront and the live customer dashboard in one
 * process (what `npm start` runs).
 */
export { startDemo } from './startDemo.js'
export type { Demo, DemoOptions } from './startDemo.js'
export { computeDashboard, FUNNEL_STEPS } from './dashboardData.js'
export type { CustomerRow, DashboardData, DashboardOptions, FiringRow } from './dashboardData.js'
export { estimateClv, MIN_BUYERS, MIN_REPEAT_BUYERS } from './clvEstimate.js'
export type { ClvResult } from './clvEstimate.js'
export { cartRules, customerRules } from './demoRules.js'
export type { DemoRuleWindows } from './demoRules.js'
export { DEMO_WRITE_KEY, loaderSnippet, serveStorefront } from './storefrontSite.js'
export { startDemoMailServer } from './demoMailServer.js'
export type { DemoMailServer, ReceivedMail } from './demoMailServer.js'
export { computeOutbox } from './outboxData.js'
export type { OutboxData, OutboxMailRow, OutboxMessageRow } from './outboxData.js'
