/**
 * batchkit on Bun, with the runner loop in the same process; the memory store, or PostgreSQL with
 * `DATABASE_URL` (and `BATCHKIT_DB_SCHEMA`). Run: `pnpm bun` in this folder.
 *
 * Served through Bun's `node:http` (by `@hono/node-server`) rather than `Bun.serve`: `Bun.serve` drops
 * the `content-length` of a streamed body (oven-sh/bun#10507), and downloads must carry it so that a
 * client can tell a complete file from a cut one.
 */
import { createBatchEngine } from '@batchkit/core'
import { startRunnerLoop } from '@batchkit/core/node'
import { createFetchHandler } from '@batchkit/hono'
import { mockProvider } from '@batchkit/provider-mock'
import { serve } from '@hono/node-server'
import { openStore } from './store.ts'

const store = await openStore(process.env)
const engine = createBatchEngine({
  store,
  providers: [mockProvider({ latencyMs: 5 })],
  secret: process.env.BATCHKIT_SECRET,
})
const handle = createFetchHandler({ engine })
serve(
  { fetch: (request) => handle(request), hostname: '127.0.0.1', port: Number(process.env.PORT ?? 3000) },
  (info) => {
    console.log(`batchkit on Bun ${Bun.version} listening on http://127.0.0.1:${info.port}/v1`)
  },
)
startRunnerLoop(engine.runner)
