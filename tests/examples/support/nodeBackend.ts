import type { Store } from '@ecrm/node'

/** One line of the example's email log. */
export interface SentEmail {
  readonly sentAt: string
  readonly to: string | null
  readonly template: string
  readonly subject: string
  readonly ruleId: string
  readonly customerId: string
  readonly data: Record<string, unknown>
}

/** The slice of examples/node-backend/src/backend.js the tests drive (the example is plain JS). */
export interface ExampleBackend {
  readonly url: string
  readonly writeKey: string
  readonly store: Store
  readonly outbox: { readonly read: () => Promise<SentEmail[]> }
  readonly client: { readonly flush: () => Promise<unknown> }
  readonly runner: { readonly pending: () => Promise<{ ruleId: string; customerId: string; dueAt: number }[]> }
  readonly close: () => Promise<void>
}

/** Options of the example's `startBackend`. */
export interface ExampleBackendOptions {
  readonly port?: number
  readonly dataDir?: string
  readonly queueDir?: string
  readonly emailLog?: string
  readonly writeKey?: string
  readonly windows?: { readonly cartAbandonMs?: number; readonly winBackMs?: number }
  readonly flushIntervalMs?: number
  readonly log?: (line: string) => void
}

// A computed specifier: the example is JS without declarations, so it is typed here instead.
const backendModule = new URL('../../../examples/node-backend/src/backend.js', import.meta.url).href

/** Starts the node-backend example in this process (vitest resolves `@ecrm/*` to the sources). */
export async function startExampleBackend(options: ExampleBackendOptions): Promise<ExampleBackend> {
  const module = (await import(/* @vite-ignore */ backendModule)) as {
    startBackend: (options: ExampleBackendOptions) => Promise<ExampleBackend>
  }
  return module.startBackend(options)
}

/** Polls `read` until `done` holds for its value; throws after `timeoutMs` with the last value. */
export async function waitUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (done(value)) return value
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(value)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
