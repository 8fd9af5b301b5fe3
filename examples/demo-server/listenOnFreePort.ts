import type { AddressInfo, Server } from 'node:net'

/**
 * Listens on `port`, or the next free port when it is taken (up to 20 tries); 0 picks any. The
 * demo's web server and its mail server both start this way, so a second demo still comes up.
 */
export async function listenOnFreePort(server: Server, port: number, host: string): Promise<number> {
  for (let candidate = port; ; candidate += 1) {
    try {
      await new Promise<void>((resolve, reject) => {
        const fail = (error: Error): void => reject(error)
        server.once('error', fail)
        server.listen(candidate, host, () => {
          server.off('error', fail)
          resolve()
        })
      })
      return (server.address() as AddressInfo).port
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (port === 0 || code !== 'EADDRINUSE' || candidate >= port + 20) throw error
    }
  }
}
