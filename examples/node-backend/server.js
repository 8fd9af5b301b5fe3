// `npm start`: the example shop backend. Configuration comes from the environment:
//   PORT (8080), HOST (127.0.0.1), ECRM_DATA_DIR (./.ecrm-data), ECRM_QUEUE_DIR (./.ecrm-queue),
//   ECRM_WRITE_KEY (dev_write_key), CART_ABANDON_MS (1 h), WIN_BACK_MS (60 days).
// Short windows make the rules visible in a demo: CART_ABANDON_MS=20000 npm start
import { startBackend } from './src/backend.js'
import { productionWindows } from './src/rules.js'

/** A non-negative number from the environment, or the fallback. @param {string} name @param {number} fallback */
function numberFrom(name, fallback) {
  const text = process.env[name]
  if (text === undefined || text === '') return fallback
  const value = Number(text)
  if (!Number.isFinite(value) || value < 0) {
    console.error(`${name}=${text} is not a non-negative number (unset it, or give e.g. ${fallback})`)
    process.exit(1)
  }
  return value
}

const backend = await startBackend({
  port: numberFrom('PORT', 8080),
  host: process.env.HOST || '127.0.0.1',
  dataDir: process.env.ECRM_DATA_DIR || '.ecrm-data',
  queueDir: process.env.ECRM_QUEUE_DIR || '.ecrm-queue',
  writeKey: process.env.ECRM_WRITE_KEY || 'dev_write_key',
  windows: {
    cartAbandonMs: numberFrom('CART_ABANDON_MS', productionWindows.cartAbandonMs),
    winBackMs: numberFrom('WIN_BACK_MS', productionWindows.winBackMs),
  },
  log: (line) => console.log(`${new Date().toISOString().slice(11, 19)} ${line}`),
})

console.log(`shop backend listening on ${backend.url}
  collector  POST ${backend.url}/v1/batch   (write key ${backend.writeKey})
  orders     POST ${backend.url}/orders
  emails     GET  ${backend.url}/emails
Ctrl-C stops it; the data stays in ${process.env.ECRM_DATA_DIR || '.ecrm-data'} for the next start.`)

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) process.exit(1) // a second Ctrl-C: do not wait
    stopping = true
    console.log('stopping: delivering queued events, closing the store…')
    backend.close().then(
      () => process.exit(0),
      (/** @type {unknown} */ error) => {
        console.error(error)
        process.exit(1)
      },
    )
  })
}
