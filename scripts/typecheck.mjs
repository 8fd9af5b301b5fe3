// Type-checks every package's sources (each under its own lib/types, so a DOM or Node global in
// core is a compile error) and every test project. Run after `npm run build`: adapters resolve
// @ecrm/core through its built declarations, as users do.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const projects = ['core', 'browser', 'node', 'react'].flatMap((name) => [
  `packages/${name}/tsconfig.json`,
  `packages/${name}/test/tsconfig.json`,
])
projects.push('tests/tsconfig.json', 'bench/tsconfig.json')

let failed = 0
for (const project of projects.filter((path) => existsSync(path))) {
  const result = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project, '--noEmit'], {
    stdio: 'inherit',
  })
  if (result.status !== 0) {
    failed += 1
    console.error(`typecheck failed: ${project}`)
  }
}
if (failed > 0) process.exit(1)
console.log(`typecheck: ${projects.length} projects clean`)
