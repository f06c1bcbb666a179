/**
 * Pacing against an upstream that enforces its per-minute limit over a shorter window while its
 * `x-ratelimit-*` headers speak per minute (OpenAI: "60,000 rpm may be enforced as 1,000 per second").
 * Prints the 429 fraction (whole run and second half) and throughput as a fraction of the enforced rate.
 *
 *   node --conditions=source --import tsx bench/src/quantized-pacing.ts
 *
 * Environment: QUANT_RPM (1200), QUANT_WINDOW_MS (1000), QUANT_LINES (600), QUANT_WORKERS (1: engines,
 * each with its own provider and pacer, sharing one key), QUANT_SHARE (0: none; 1: `pacing.share` = 1/N),
 * QUANT_LATENCY_MS (20), QUANT_CONCURRENCY (16).
 */
import { type BatchObject, createBatchEngine, type Scope } from '@batchkit/core'
import { type RunnerLoop, startRunnerLoop } from '@batchkit/core/node'
import { type OpenAICompatibleOptions, openaiCompatible } from '@batchkit/provider-openai'
import { memoryStore } from '@batchkit/store-memory'
import { uploadLines } from '@batchkit/testing'
import { startFakeUpstream } from '@batchkit/testing/fake-upstream'

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback)
const rpm = env('QUANT_RPM', 1_200)
const windowMs = env('QUANT_WINDOW_MS', 1_000)
const lines = env('QUANT_LINES', 600)
const workers = Math.max(1, env('QUANT_WORKERS', 1))
const share = env('QUANT_SHARE', 0) ? 1 / workers : undefined
const latencyMs = env('QUANT_LATENCY_MS', 20)
const concurrency = env('QUANT_CONCURRENCY', 16)
const key = 'sk-quantized-0123456789'
const scope: Scope = { ownerId: 'bench-quantized' }

const upstream = await startFakeUpstream({ rpm, quantized: { windowMs }, latencyMs, requireKey: key })
const loops: RunnerLoop[] = []
try {
  const perWorker = Math.ceil(lines / workers)
  const started = Date.now()
  const runs = Array.from({ length: workers }, async (_, w): Promise<BatchObject> => {
    const pacing = (share === undefined ? {} : { share }) as OpenAICompatibleOptions['pacing']
    const engine = createBatchEngine({
      store: memoryStore(),
      providers: [openaiCompatible({ baseURL: upstream.url, concurrency, pacing })],
      secret: 'bench-quantized-secret-0123',
    })
    loops.push(startRunnerLoop(engine.runner, { idleMs: 20 }))
    const file = await uploadLines(
      engine,
      scope,
      Array.from({ length: perWorker }, (_, i) => ({
        custom_id: `w${w}-${i}`,
        method: 'POST',
        url: '/v1/chat/completions',
        body: {
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: `question ${i}` }],
          max_tokens: 20,
        },
      })),
    )
    const created = await engine.batches.create(
      scope,
      { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' },
      { credential: key },
    )
    let batch = created
    while (!['completed', 'failed', 'expired', 'cancelled'].includes(batch.status)) {
      await new Promise((r) => setTimeout(r, 50))
      batch = await engine.batches.get(scope, created.id)
    }
    return batch
  })
  const batches = await Promise.all(runs)
  const seconds = (Date.now() - started) / 1000
  const calls = upstream.calls
  const first = Math.min(...calls.map((c) => c.at))
  const last = Math.max(...calls.map((c) => c.at))
  const half = calls.filter((c) => c.at >= (first + last) / 2)
  const limitedShare = (list: typeof calls): number =>
    list.filter((c) => c.status === 429).length / list.length
  const completed = batches.reduce((n, b) => n + b.request_counts.completed, 0)
  const enforcedPerSecond = rpm / 60
  const ok = calls.filter((c) => c.status === 200).length
  const okHalf = half.filter((c) => c.status === 200).length
  const halfSeconds = (last - (first + last) / 2) / 1000
  console.log(
    JSON.stringify({
      rpm,
      windowMs,
      workers,
      share: share ?? null,
      lines: perWorker * workers,
      completed,
      failed: batches.reduce((n, b) => n + b.request_counts.failed, 0),
      seconds: Number(seconds.toFixed(2)),
      calls: calls.length,
      limited: calls.length - ok,
      limitedFraction: Number(limitedShare(calls).toFixed(4)),
      limitedFractionSecondHalf: Number(limitedShare(half).toFixed(4)),
      throughputOfEnforced: Number((completed / seconds / enforcedPerSecond).toFixed(3)),
      throughputOfEnforcedSecondHalf: Number((okHalf / halfSeconds / enforcedPerSecond).toFixed(3)),
    }),
  )
} finally {
  await Promise.all(loops.map((loop) => loop.stop()))
  await upstream.close()
}
