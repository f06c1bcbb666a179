/**
 * Rough figures for the Postgres store against the memory store, in one process:
 *
 *   DATABASE_URL=postgres://… node --conditions=source --import tsx scripts/measure.ts [lines] [concurrency] [latency]
 *
 * 1. lines/s of the runner on one batch with a provider answering after `latency` ms (memory vs Postgres);
 * 2. ingest: create → in_progress of a 50,000-line file (validation + request rows), Postgres vs memory
 *    (the memory store's ingest is validation with next to no storage cost: the baseline).
 */
import { createBatchEngine, offsetClock, type Provider } from '@batchkit/core'
import type { Store } from '@batchkit/core/store'
import { memoryStore } from '@batchkit/store-memory'
import { createTestSchema } from '../src/testing/index.ts'

const lines = Number(process.argv[2] ?? 20_000)
const concurrency = Number(process.argv[3] ?? 64)
const latencyMs = Number(process.argv[4] ?? 0)
process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/test'

const provider: Provider = {
  name: 'zero',
  credential: 'none',
  concurrency,
  async execute(request) {
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs))
    return {
      type: 'response',
      status: 200,
      body: { id: request.customId, usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } },
    }
  },
}

function jsonl(n: number): string {
  let text = ''
  for (let i = 1; i <= n; i++) {
    text += `${JSON.stringify({ custom_id: `c-${i}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'm', messages: [{ role: 'user', content: `question number ${i}` }] } })}\n`
  }
  return text
}
const stream = (text: string) => new Response(text).body!

async function run(label: string, store: Store, n: number): Promise<{ ingestMs: number; runMs: number }> {
  const clock = offsetClock()
  const engine = createBatchEngine({
    store,
    providers: [provider],
    clock,
    secret: 'measure-secret-measure-secret',
  })
  const scope = { ownerId: 'measure' }
  const file = await engine.files.upload(scope, stream(jsonl(n)), { filename: 'in.jsonl', purpose: 'batch' })
  const t0 = performance.now()
  const batch = await engine.batches.create(scope, {
    input_file_id: file.id,
    endpoint: '/v1/chat/completions',
    completion_window: '24h',
  })
  let status = batch.status
  while (status === 'validating') {
    await engine.runner.tick({ budgetMs: 1 })
    status = (await engine.batches.get(scope, batch.id)).status
  }
  const t1 = performance.now()
  while (status !== 'completed') {
    await engine.runner.tick({ budgetMs: 1000 })
    status = (await engine.batches.get(scope, batch.id)).status
  }
  const t2 = performance.now()
  const ingestMs = t1 - t0
  const runMs = t2 - t1
  console.log(
    `${label}: ${n} lines: validate+ingest ${ingestMs.toFixed(0)} ms; run+finalize ${runMs.toFixed(0)} ms = ${((n / runMs) * 1000).toFixed(0)} lines/s`,
  )
  return { ingestMs, runMs }
}

const mem = await run('memory  ', memoryStore(), lines)
const db = await createTestSchema('measure')
try {
  const pg = await run('postgres', db.store(), lines)
  console.log(`postgres/memory throughput: ${(mem.runMs / pg.runMs).toFixed(2)}`)
  const ingest = await run('postgres 50k ingest', db.store(), 50_000)
  const memIngest = await run('memory 50k ingest', memoryStore(), 50_000)
  console.log(
    `ingest 50k: postgres ${ingest.ingestMs.toFixed(0)} ms, memory ${memIngest.ingestMs.toFixed(0)} ms → postgres/memory ${(ingest.ingestMs / memIngest.ingestMs).toFixed(2)}`,
  )
} finally {
  await db.drop()
}
