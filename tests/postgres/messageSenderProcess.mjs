// One sender process of the two-process test: sends the outbox until it is empty, then exits.
// Runs the built @ecrm/node (npm run build first), as a deployment would.
import { createMessageSender, createPostgresStore, createSqlMessageQueue } from '../../packages/node/dist/index.js'
import { nodemailerChannel } from '../support/nodemailerChannel.mjs'

const [databaseUrl, smtpPort, name] = process.argv.slice(2)
const store = await createPostgresStore(databaseUrl, { maxConnections: 3 })
const channel = nodemailerChannel(Number(smtpPort), name)
const { engine } = createMessageSender({ store, channels: { email: channel }, batchSize: 5, leaseMs: 3_000 })
const queue = createSqlMessageQueue(store)
while ((await queue.size()) > 0) {
  await engine.pass()
  await new Promise((resolve) => setTimeout(resolve, 100))
}
await channel.close()
await store.close()
