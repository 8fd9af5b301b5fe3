// The shape every benchmark script hands back to run.mjs: JSON written to $BENCH_OUT (or stdout).
// { id, title, intro?, skipped?, sections: [{ title, text?, skipped?, table?: { columns, rows },
//   chart?: { title, unit, higherIsBetter, bars: [{ label, value, kind: 'ecrm'|'peer'|'floor' }] } }],
//   notes?: string[] }
import { writeFileSync } from 'node:fs'

/** Writes a benchmark's result where run.mjs expects it. */
export function emit(result) {
  const text = JSON.stringify(result, null, 2)
  if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, text)
  else process.stdout.write(`${text}\n`)
}

/** Logs progress on stderr (stdout may carry the result). */
export function progress(message) {
  process.stderr.write(`  · ${message}\n`)
}
