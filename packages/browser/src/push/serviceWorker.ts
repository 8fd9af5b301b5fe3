/**
 * `ecrm-sw.js`: the service worker `subscribeToPush` registers by default (served by `ecrm serve`
 * beside `ecrm.min.js`, or copied to the shop's own origin: a worker must come from the page's).
 */
import { installPushHandlers } from './pushHandlers.js'
import type { PushWorkerScope } from './pushHandlers.js'

installPushHandlers(self as unknown as PushWorkerScope)
