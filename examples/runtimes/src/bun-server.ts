/**
 * batchkit on Bun: `Bun.serve` with the fetch handler, the runner loop in the same process. The memory
 * store, or PostgreSQL with `DATABASE_URL` (and `BATCHKIT_DB_SCHEMA`). Run: `pnpm bun` in this folder.
 */
import { createBatchEngine } from '@batchkit/core'
import { startRunnerLoop } from '@batchkit/core/node'
import { createFetchHandler } from '@batchkit/hono'
import { mockProvider } from '@batchkit/provider-mock'
import { openStore } from './store.ts'

const store = await openStore(process.env)
const engine = createBatchEngine({
  store,
  providers: [mockProvider({ latencyMs: 5 })],
  secret: process.env.BATCHKIT_SECRET,
})
const server = Bun.serve({
  hostname: '127.0.0.1',
  port: Number(process.env.PORT ?? 3000),
  fetch: createFetchHandler({ engine }),
})
startRunnerLoop(engine.runner)
console.log(`batchkit on Bun ${Bun.version} listening on http://127.0.0.1:${server.port}/v1`)
