import { analyzeCommand } from './analyzeCommand.js'
import type { CliCommand } from './command.js'
import { importCommand } from './importCommand.js'
import { previewCommand } from './previewCommand.js'
import { refreshCommand } from './refreshCommand.js'
import { serveCommand } from './serveCommand.js'
import { simulateCommand } from './simulateCommand.js'

/**
 * Every `ecrm` command, in the order `ecrm help` lists them. A new command is one file exporting a
 * `defineCommand(...)` and one entry here.
 */
export const COMMANDS: readonly CliCommand[] = [
  serveCommand,
  refreshCommand,
  importCommand,
  previewCommand,
  analyzeCommand,
  simulateCommand,
]
