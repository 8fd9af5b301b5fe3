// Describes the machine a run happened on, for the report's header.
import { cpus, freemem, loadavg, release, totalmem, type, arch } from 'node:os'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { peersDir } from './paths.mjs'

const gb = (bytes) => `${(bytes / 1024 ** 3).toFixed(1)} GB`

/** Lines describing CPU, memory, OS, Node and the peers' versions, and whether the machine was busy. */
export function describeMachine(peerNames) {
  const list = cpus()
  const models = [...new Set(list.map((cpu) => cpu.model.trim()))].join(', ')
  const lines = [
    `CPU: ${models}, ${list.length} logical core(s)${list[0]?.speed ? ` at ${list[0].speed} MHz` : ''} (os.cpus())`,
    `Memory: ${gb(totalmem())} total, ${gb(freemem())} free at the start; load average ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' / ')}`,
    `OS: ${type()} ${release()} ${arch()}`,
    `Node.js ${process.version} (V8 ${process.versions.v8})`,
  ]
  const versions = peerNames.map((name) => {
    try {
      return `${name} ${JSON.parse(readFileSync(join(peersDir, name, 'package.json'), 'utf8')).version}`
    } catch {
      return `${name} (not installed)`
    }
  })
  lines.push(`Peers: ${versions.join(', ')}`)
  const load = loadavg()[0]
  return { lines, load, cores: list.length, busy: load > list.length * 0.75 }
}
