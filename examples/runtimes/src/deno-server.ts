/**
 * batchkit on Deno: `Deno.serve` with the fetch handler, the runner loop in the same process. The memory
 * store, or PostgreSQL with `DATABASE_URL` (and `BATCHKIT_DB_SCHEMA`). Run: `pnpm deno` in this folder.
 */
import { createBatchEngine } from '@batchkit/core'
import { startRunnerLoop } from '@batchkit/core/node'
import { createFetchHandler } from '@batchkit/hono'
import { mockProvider } from '@batchkit/provider-mock'
import { openStore } from './store.ts'

const env = Deno.env.toObject()
const store = await openStore(env)
const engine = createBatchEngine({
  store,
  providers: [mockProvider({ latencyMs: 5 })],
  secret: env.BATCHKIT_SECRET,
})
const handle = createFetchHandler({ engine })
Deno.serve(
  {
    hostname: '127.0.0.1',
    port: Number(env.PORT ?? 3000),
    onListen: ({ port }) =>
      console.log(`batchkit on Deno ${Deno.version.deno} listening on http://127.0.0.1:${port}/v1`),
  },
  (request) => handle(request),
)
startRunnerLoop(engine.runner)
