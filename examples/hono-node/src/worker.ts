/**
 * `pnpm worker`: a process that only runs the runner (no HTTP) against `DATABASE_URL`, with the same
 * providers and settings (environment) as the reference server. Start as many as you like: they share
 * the work through the database (leases, `FOR UPDATE SKIP LOCKED`), and a worker that dies loses
 * nothing: its leases lapse and another worker picks the lines up.
 *
 * SIGINT/SIGTERM stop it gracefully: no new claims, running lines finish and are recorded.
 */
import { createBatchEngine } from '@batchkit/core'
import { startRunnerLoop, stopOnSignals } from '@batchkit/core/node'
import { readConfig, startProcess } from './config.ts'
import { defaultProviders, describeProviders } from './providers.ts'
import { openStore } from './store.ts'

const config = readConfig()
if (!config.databaseUrl) {
  console.error('batchkit worker: DATABASE_URL is required (workers share batches through PostgreSQL).')
  process.exit(2)
}
const logger = startProcess(config)
const { store, kind } = await openStore(config, { logger })
const providers = defaultProviders(config)
const engine = createBatchEngine({
  store,
  providers,
  logger,
  secret: config.secrets,
  runner: { leaseMs: config.leaseMs },
  webhooks: config.webhooks,
})
const loop = startRunnerLoop(engine.runner, { logger, idleMs: config.pollMs })

console.log(`batchkit worker ${process.pid} running`)
console.log(`  store:     ${kind}`)
console.log('  providers:')
for (const line of describeProviders(providers, config)) console.log(`    ${line}`)

stopOnSignals(loop, async () => {
  console.log(`batchkit worker ${process.pid}: stopped, running lines recorded`)
  await store.close?.()
  process.exit(0)
})
