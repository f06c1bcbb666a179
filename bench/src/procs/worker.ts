/**
 * A runner-only worker process for scenario 7: an engine on the shared Postgres store with the Node runner
 * loop, no HTTP. Prints `ready` once started. Env: BENCH_STORE=postgres, BENCH_PG_SCHEMA, BENCH_UPSTREAM,
 * BENCH_CONCURRENCY.
 */
import { createBatchEngine } from '@batchkit/core'
import { startRunnerLoop, stopOnSignals } from '@batchkit/core/node'
import { openaiCompatible } from '@batchkit/provider-openai'
import { openStoreFromEnv } from '../lib/stores.ts'

const kit = await openStoreFromEnv(process.env)
const engine = createBatchEngine({
  store: kit.store,
  providers: [
    openaiCompatible({
      name: 'upstream',
      baseURL: process.env.BENCH_UPSTREAM!,
      concurrency: Number(process.env.BENCH_CONCURRENCY ?? 16),
      apiKey: 'sk-bench',
    }),
  ],
  secret: 'batchkit-bench-secret-batchkit-bench',
})
const loop = startRunnerLoop(engine.runner, { idleMs: 100 })
process.stdout.write('ready\n')
stopOnSignals(loop, () =>
  kit.close().then(
    () => process.exit(0),
    () => process.exit(1),
  ),
)
