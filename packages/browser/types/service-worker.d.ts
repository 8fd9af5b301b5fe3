/**
 * `@ecrm/browser/ecrm-sw.js`: a classic service worker script (no exports). Serve it from the
 * shop's origin and register it with `subscribeToPush` (its default `serviceWorker` URL).
 */
export {}
