/**
 * Scenario 7 — scale-out. 1, 2 and 4 worker processes (procs/worker.ts) on one Postgres store against a
 * 50 ms-latency upstream, each worker at concurrency 5: one worker is latency-bound at 100 lines/s, and
 * even four (400 lines/s) stay well under what 2 cores can execute, so the ceiling is latency, not CPU.
 * This process uploads the file and creates the batch through an engine on the same store that runs no
 * runner, then polls until the batch completes. Ceiling: n × concurrency / latency. On 2 cores the
 * CPU-bound part cannot scale; the latency-bound part must.
 */
import { join } from 'node:path'
import { createBatchEngine, type Scope } from '@batchkit/core'
import { openaiCompatible } from '@batchkit/provider-openai'
import type { Scenario } from '../lib/context.ts'
import { fileStream } from '../lib/engine-run.ts'
import { writeJsonl } from '../lib/jsonl.ts'
import { type NodeChild, startNode } from '../lib/proc.ts'
import { atLeast, fmtRate, type Row } from '../lib/report.ts'
import { openStore, storeUnavailable } from '../lib/stores.ts'
import { startUpstream } from '../lib/upstream.ts'

const latencyMs = 50
const concurrency = 5
const lines = Number(process.env.BENCH_S7_LINES ?? 2_000)
const workerCounts = [1, 2, 4]
const target = 0.8
const workerPath = join(import.meta.dirname, '..', 'procs', 'worker.ts')
const scope: Scope = { ownerId: 'bench' }

const scenario: Scenario = async (ctx) => {
  const pending = await storeUnavailable('postgres')
  if (pending) {
    return workerCounts.map(
      (n): Row => ({
        scenario: '7. Scale-out',
        metric: `${n} worker${n > 1 ? 's' : ''}, Postgres: throughput`,
        baseline: fmtRate((n * concurrency * 1000) / latencyMs, 'lines'),
        batchkit: '—',
        ratio: null,
        target: `≥ ${target}`,
        status: 'pending',
        ...(n === 1 ? { note: `Not measured: ${pending}.` } : {}),
      }),
    )
  }
  const inputPath = join(ctx.tmp, `s7-${lines}.jsonl`)
  await writeJsonl(inputPath, lines, 150)
  const upstream = await startUpstream({ latencyMs })
  const rows: Row[] = []
  try {
    let single = 0
    for (const n of workerCounts) {
      const kit = await openStore('postgres')
      const workers: NodeChild[] = []
      try {
        for (let i = 0; i < n; i++) {
          workers.push(
            await startNode(workerPath, {
              env: { ...kit.env, BENCH_UPSTREAM: upstream.url, BENCH_CONCURRENCY: String(concurrency) },
            }),
          )
        }
        // Creates batches only; the workers run them. The provider is named so the batch routes to it.
        const engine = createBatchEngine({
          store: kit.store,
          providers: [openaiCompatible({ name: 'upstream', baseURL: upstream.url, apiKey: 'sk-bench' })],
          secret: 'batchkit-bench-secret-batchkit-bench',
        })
        const file = await engine.files.upload(scope, fileStream(inputPath), {
          filename: 'bench.jsonl',
          purpose: 'batch',
        })
        const started = performance.now()
        const created = await engine.batches.create(
          scope,
          { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' },
          { provider: 'upstream', credential: null },
        )
        let batch = created
        while (!['completed', 'failed', 'expired', 'cancelled'].includes(batch.status)) {
          await new Promise((resolve) => setTimeout(resolve, 50))
          batch = await engine.batches.get(scope, created.id)
        }
        const ms = performance.now() - started
        if (batch.request_counts.completed !== lines)
          throw new Error(`batch ${batch.status}: ${JSON.stringify(batch.request_counts)}`)
        const rate = (lines / ms) * 1000
        if (n === 1) single = rate
        const ceiling = (n * concurrency * 1000) / latencyMs
        const ratio = rate / ceiling
        ctx.log(
          `${n} worker(s): ${(ms / 1000).toFixed(2)} s = ${rate.toFixed(0)} lines/s (×${(rate / single).toFixed(2)} of one)`,
        )
        rows.push({
          scenario: '7. Scale-out',
          metric: `${n} worker${n > 1 ? 's' : ''}, Postgres: throughput`,
          baseline: fmtRate(ceiling, 'lines'),
          batchkit: `${fmtRate(rate, 'lines')} (×${(rate / single).toFixed(2)})`,
          ratio,
          target: `≥ ${target}`,
          status: atLeast(ratio, target),
          raw: { workers: n, lines, concurrency, latencyMs, ms, rate, speedup: rate / single },
          ...(n === 1
            ? {
                note: `Ceiling n × concurrency / latency (${concurrency} per worker, ${latencyMs} ms); the figure in parentheses is the speed-up over one worker. Time from create (validation included) to completed.`,
              }
            : {}),
        })
      } finally {
        await Promise.all(workers.map((w) => w.stop()))
        await kit.close()
      }
    }
  } finally {
    await upstream.close()
  }
  return rows
}

export default scenario
