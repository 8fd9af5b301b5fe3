// `node --import ./tests/examples/support/registerSourceHooks.mjs app.js` runs app.js against the
// ecrm sources (see sourceHooks.mjs).
import { register } from 'node:module'

register('./sourceHooks.mjs', import.meta.url)
