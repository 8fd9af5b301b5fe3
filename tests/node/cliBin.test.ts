// The `ecrm` binary as npm installs it: packages/node/bin/ecrm.js running the built dist/cli.js.
// `node bin/ecrm.js` printed nothing before the binary's own name counted as "run as the CLI".
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'

const bin = 'packages/node/bin/ecrm.js'

/** Runs the built binary to its exit. */
function ecrm(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

describe('the ecrm binary (bin/ecrm.js over dist)', () => {
  beforeAll(() => {
    if (!existsSync('packages/node/dist/cli.js'))
      execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' })
  }, 180_000)

  it('prints the package.json version for --version', () => {
    const { version } = JSON.parse(readFileSync('packages/node/package.json', 'utf8')) as { version: string }
    expect(ecrm('--version')).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' })
  })

  it('prints the serve options for serve --help', () => {
    const { code, stdout } = ecrm('serve', '--help')
    expect(code).toBe(0)
    expect(stdout).toMatch(/^Usage: ecrm serve[\s\S]*--write-key/)
  })

  it('lists import in ecrm help and prints its options and exit codes for import --help', () => {
    expect(ecrm('help').stdout).toMatch(/^ {2}import +Import customers, orders and spend CSV files/m)
    const { code, stdout } = ecrm('import', '--help')
    expect(code).toBe(0)
    expect(stdout).toMatch(/^Usage: ecrm import <file>\.\.\.[\s\S]*--kind customers\|orders\|spend[\s\S]*Exit code 0/)
  })

  it("exits 2 on an unknown option, naming it above the command's usage", () => {
    const { code, stdout, stderr } = ecrm('analyze', 'orders.csv', '--fromat', 'json')
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toMatch(/^ecrm analyze: unknown option "--fromat"\n\nUsage: ecrm analyze <orders file>/)
  })
})
