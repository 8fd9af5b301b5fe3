#!/usr/bin/env node
// The `ecrm` command. A committed file rather than dist/cli.js itself, so npm links the bin on the
// first `npm install` of a fresh clone, before anything is built.
import { existsSync } from 'node:fs'

const cli = new URL('../dist/cli.js', import.meta.url)
if (!existsSync(cli)) {
  process.stderr.write('ecrm: @ecrm/node is not built yet; run `npm run build` in the repository first\n')
  process.exit(1)
}
await import(cli.href)
