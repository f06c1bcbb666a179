/**
 * The server the HTTP scenarios measure, in its own process: the reference server's composition (Hono on
 * @hono/node-server, `createBatchRouter` at `/v1`, the runner loop in-process) plus `GET /bare`, a bare
 * Hono route returning a constant JSON object (scenario 6's baseline on the same server).
 * Prints its origin (`http://127.0.0.1:PORT`) as the first stdout line.
 *
 * Env: BENCH_STORE (memory|postgres), BENCH_ON_DISK=1 (memory store with fsBlobs), BENCH_PG_SCHEMA,
 * BENCH_PROVIDERS: JSON `[{ name, baseURL, concurrency }]` (OpenAI-compatible providers).
 */
import type { AddressInfo } from 'node:net'
import { createBatchEngine, type Provider } from '@batchkit/core'
import { startRunnerLoop, stopOnSignals } from '@batchkit/core/node'
import { createBatchRouter } from '@batchkit/hono'
import { openaiCompatible } from '@batchkit/provider-openai'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { openStoreFromEnv } from '../lib/stores.ts'

interface ProviderSpec {
  name: string
  baseURL: string
  concurrency: number
}

const specs = JSON.parse(process.env.BENCH_PROVIDERS ?? '[]') as ProviderSpec[]
const providers: Provider[] = specs.map((spec) =>
  openaiCompatible({ ...spec, apiKey: 'sk-bench', credential: 'optional' }),
)
const kit = await openStoreFromEnv(process.env)
const engine = createBatchEngine({
  store: kit.store,
  providers,
  secret: 'batchkit-bench-secret-batchkit-bench',
})
/** What the bare route answers: about the size of a small batchkit object. */
const constant = { id: 'bare', object: 'bare', status: 'ok', created_at: 1_700_000_000, data: [1, 2, 3] }

const app = new Hono()
app.get('/bare', (c) => c.json(constant))
app.route('/v1', createBatchRouter({ engine }))

const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
  const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
})
const loop = startRunnerLoop(engine.runner)
const { port } = server.address() as AddressInfo
process.stdout.write(`http://127.0.0.1:${port}\n`)

stopOnSignals(loop, () => {
  server.close()
  return kit.close().then(
    () => process.exit(0),
    () => process.exit(1),
  )
})
