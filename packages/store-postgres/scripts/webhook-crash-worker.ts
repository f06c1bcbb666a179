/**
 * A worker process for `src/webhooks-crash.test.ts`: runs batches of schema `BATCHKIT_SCHEMA` and sends
 * their webhooks to `WEBHOOK_URL`, ticking until killed.
 */
import { createBatchEngine } from '@batchkit/core'
import { okAnswer, scriptedProvider } from '@batchkit/testing'
import { postgresStore } from '../src/index.ts'

const env = (name: string): string => {
  const value = process.env[name]
  if (value === undefined) throw new Error(`${name} is not set`)
  return value
}
const store = postgresStore({ url: env('DATABASE_URL'), schema: env('BATCHKIT_SCHEMA') })
const engine = createBatchEngine({
  store,
  providers: [scriptedProvider('scripted', okAnswer)],
  secret: 'test-secret-test-secret',
  runner: { leaseMs: 1_000 },
  webhooks: { endpoints: [{ url: env('WEBHOOK_URL'), secret: env('WEBHOOK_SECRET') }], timeoutMs: 2_000 },
})
console.log('worker ready')
for (;;) {
  const report = await engine.runner.tick({ budgetMs: 200 })
  if (!report.more) await new Promise((resolve) => setTimeout(resolve, 20))
}
