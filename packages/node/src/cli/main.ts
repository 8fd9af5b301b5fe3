import { parseArgs } from 'node:util'
import type { CliCommand } from './command.js'
import { COMMANDS } from './commands.js'
import { readVersion } from './version.js'

/** The `ecrm help` text, listing the registry's commands. */
export function mainUsage(commands: readonly CliCommand[] = COMMANDS): string {
  const width = Math.max(...commands.map((command) => command.name.length), 'help'.length) + 2
  const rows = commands.map((command) => `  ${command.name.padEnd(width)}${command.summary}`)
  return `Usage: ecrm <command> [options]

Commands:
${rows.join('\n')}
  ${'help'.padEnd(width)}This text; \`ecrm help <command>\` shows a command's options

Options:
  -h, --help      this text (after a command: that command's options)
  -v, --version   print the version of @ecrm/node`
}

/**
 * Runs the `ecrm` command line; resolves with the exit code: 0 done, 1 failed, 2 a usage error
 * (unknown command or option, a bad value), which prints the usage naming the offending part.
 */
export async function main(argv: readonly string[], commands: readonly CliCommand[] = COMMANDS): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h') {
    console.log(mainUsage(commands))
    return 0
  }
  if (name === '--version' || name === '-v') {
    console.log(readVersion())
    return 0
  }
  if (name === 'help') {
    const topic = rest[0] === undefined ? undefined : commands.find((command) => command.name === rest[0])
    if (rest[0] !== undefined && topic === undefined)
      return usageError('ecrm', `unknown command "${rest[0]}"`, mainUsage(commands))
    console.log(topic?.usage ?? mainUsage(commands))
    return 0
  }
  const command = commands.find((candidate) => candidate.name === name)
  if (command === undefined) {
    const hint = name.startsWith('-') ? `unknown option "${name}"` : `unknown command "${name}"`
    return usageError('ecrm', hint, mainUsage(commands))
  }
  let args: ReturnType<typeof parseArgs>
  try {
    args = parseArgs({
      args: [...rest],
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: command.allowPositionals === true,
      strict: true,
    })
  } catch (error) {
    return usageError(`ecrm ${command.name}`, describeParseError(error), command.usage)
  }
  if (args.values['help'] === true) {
    console.log(command.usage)
    return 0
  }
  return command.run(args)
}

/** Prints `<who>: <what>` and the usage to stderr; 2, the exit code of a usage error. */
function usageError(who: string, what: string, usage: string): number {
  console.error(`${who}: ${what}\n\n${usage}`)
  return 2
}

/** parseArgs' error in the CLI's words, naming the option (its own text says "To specify a positional..."). */
function describeParseError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code
  const message = error instanceof Error ? error.message : String(error)
  const option = /'(-[^' ]+)/.exec(message)?.[1]
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option !== undefined) return `unknown option "${option}"`
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
    return `unexpected argument ${/'([^']*)'/.exec(message)?.[1] ?? ''}`.trim()
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option !== undefined)
    return `option "${option}" ${/argument missing/.test(message) ? 'needs a value' : 'takes no value'}`
  throw error
}
