import type { parseArgs, ParseArgsConfig } from 'node:util'

/** The `node:util` `parseArgs` option table of one command. */
export type CliOptions = NonNullable<ParseArgsConfig['options']>

/** What `parseArgs` gives a command: its typed option values and the positional arguments. */
export type CliArgs<O extends CliOptions> = ReturnType<
  typeof parseArgs<{ options: O; allowPositionals: boolean; strict: true }>
>

/**
 * One `ecrm <name>` command. The registry parses its options (adding `--help`/`-h`), prints its
 * `usage` for `--help` and for an unknown option, and calls `run` with the parsed arguments.
 */
export interface CliCommand<O extends CliOptions = CliOptions> {
  /** The word after `ecrm`. */
  readonly name: string
  /** One line for the `ecrm help` list. */
  readonly summary: string
  /** The whole `ecrm <name> --help` text, starting with `Usage:`. */
  readonly usage: string
  /** The options, as `node:util` `parseArgs` takes them (without `help`, which every command has). */
  readonly options: O
  /** Whether the command takes positional arguments (a file, a template name). @default false */
  readonly allowPositionals?: boolean
  /** Runs the command; resolves with the exit code (0 done, 2 usage error). */
  // Method syntax on purpose: a command with its own option table still fits the registry's list.
  run(args: CliArgs<O>): Promise<number>
}

/**
 * Declares a command with its option values typed from `options`.
 * @example
 * export const hello = defineCommand({ name: 'hello', summary: 'Greets', usage: 'Usage: ecrm hello [--name <n>]',
 *   options: { name: { type: 'string' } }, run: async ({ values }) => (console.log(`hi ${values.name ?? ''}`), 0) })
 */
export function defineCommand<const O extends CliOptions>(command: CliCommand<O>): CliCommand<O> {
  return command
}
