#!/usr/bin/env node
// The `ecrm` binary: the commands live in ./cli/, one file each, listed in ./cli/commands.ts.
import { main } from './cli/main.js'

export { main }

// Run only when executed as the `ecrm` binary (bin/ecrm.js, its npm link, or this file), not when imported.
const invokedAs = process.argv[1] ?? ''
if (/(?:^|[\\/])(?:ecrm(?:\.js)?|cli\.(?:js|mjs|ts))$/.test(invokedAs)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code
    },
    (error: unknown) => {
      console.error(`ecrm: ${error instanceof Error ? error.message : String(error)}`)
      process.exitCode = 1
    },
  )
}
