// `npm start`: builds the packages when the browser bundles are missing or older than their sources, then
// runs the demo (collector + storefront + live dashboard) from the TypeScript sources in one
// node:http server, on PORT (default 8787, or the next free port), storing in .ecrm-data/; the rules'
// emails go to the SMTP server the demo runs on DEMO_SMTP_PORT (default 2525, or the next free port).
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { register } from 'node:module'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
process.chdir(root)

const BUNDLES = ['packages/browser/dist/ecrm.min.js', 'packages/browser/dist/snippet.min.js']
const SOURCES = ['packages/browser/src', 'packages/core/src']

/** Newest modification time under a folder, ms. */
function newestMtime(folder) {
  let newest = 0
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

/**
 * Builds the packages (`npm run build`) when the script-tag bundle or the loader is missing or
 * older than the sources. The bundle is made from core's built modules, so core is built too.
 */
function ensureBundles() {
  const sourcesAt = Math.max(...SOURCES.map(newestMtime))
  const stale = BUNDLES.filter((file) => !existsSync(file) || statSync(file).mtimeMs < sourcesAt)
  if (stale.length === 0) return
  console.log(`demo: building the packages (${stale.join(', ')} missing or older than the sources)…`)
  const build = spawnSync(process.execPath, [join(root, 'node_modules/rollup/dist/bin/rollup'), '-c', '--silent'], {
    stdio: 'inherit',
  })
  if (build.status === 0) return
  if (BUNDLES.every((file) => existsSync(file))) {
    console.warn('demo: the build failed (see above); using the existing bundles')
    return
  }
  console.error('demo: the browser bundles could not be built (see above). Run `npm run build` to see why.')
  process.exit(1)
}

const numberFromEnv = (name, fallback) => {
  const value = process.env[name]
  if (value === undefined || value === '') return fallback
  const number = Number(value)
  if (!Number.isFinite(number) || number < 0) {
    console.error(`demo: ${name}=${value} is not a number of ms (or a port); unset it or give e.g. ${fallback}`)
    process.exit(1)
  }
  return number
}

ensureBundles()
register('../examples/demo-server/tsLoader.mjs', import.meta.url)
const { startDemo } = await import('../examples/demo-server/index.ts')

const dataDir = resolve(root, process.env.ECRM_DATA_DIR ?? '.ecrm-data')
const reused = existsSync(dataDir)
const demo = await startDemo({
  port: numberFromEnv('PORT', 8787),
  dataDir,
  abandonMs: numberFromEnv('DEMO_ABANDON_MS', 20_000),
  winBackMs: numberFromEnv('DEMO_WINBACK_MS', 120_000),
  clvDayMs: numberFromEnv('DEMO_CLV_DAY_MS', 60_000),
  smtpPort: numberFromEnv('DEMO_SMTP_PORT', 2525),
  log: (line) => console.log(`${new Date().toISOString().slice(11, 19)} ${line}`),
})

console.log(`
  ecrm demo is running
    shop        ${demo.url}/
    dashboard   ${demo.dashboardUrl}
    collector   ${demo.collectorUrl}  (write key: demo-write-key)
    outbox      ${demo.outboxUrl}
    mail server smtp://${demo.mail.host}:${demo.mail.port}  (the demo's own; mails kept in ${join(dataDir, 'mail')})
    data        ${dataDir}${reused ? ' (reused)' : ' (new)'}

  Fill it without clicking: ECRM_DEMO_URL=${demo.url} npm run demo:shoppers
  Stop with Ctrl-C.
`)

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) process.exit(130) // a second Ctrl-C: do not wait
    stopping = true
    console.log(`\ndemo: ${signal}, closing the server and the store…`)
    demo.close().then(
      () => process.exit(0),
      (error) => {
        console.error('demo: close failed:', error)
        process.exit(1)
      },
    )
  })
}
