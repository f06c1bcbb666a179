import { type BatchEngine, type BatchObject, createBatchEngine, type Scope } from '@batchkit/core'
import { type RunnerLoop, startRunnerLoop } from '@batchkit/core/node'
import { type OpenAICompatibleOptions, openaiCompatible } from '@batchkit/provider-openai'
import { memoryStore } from '@batchkit/store-memory'
import { fileLines, uploadLines } from '@batchkit/testing'
import {
  type FakeUpstream,
  type FakeUpstreamOptions,
  type RecordedCall,
  startFakeUpstream,
} from '@batchkit/testing/fake-upstream'
import { afterEach, describe, expect, it } from 'vitest'

/**
 * Emulated mode against a rate-limited fake upstream: batchkit must sustain the provider's limit
 * (≥ 95% of it) while almost never hitting it (< 1% of calls answered 429), with the limit configured
 * or learned from the rate-limit headers alone; and under injected faults every line must end exactly
 * once, succeeded or failed after its attempts.
 */
const KEY = 'sk-pacing-key-0123456789'
const scope: Scope = { ownerId: 'tenant-pacing' }

let upstream: FakeUpstream | undefined
let loop: RunnerLoop | undefined
afterEach(async () => {
  await loop?.stop()
  await upstream?.close()
  loop = undefined
  upstream = undefined
})

const chat = (i: number) => ({
  custom_id: `p-${i}`,
  method: 'POST',
  url: '/v1/chat/completions',
  body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `question ${i}` }], max_tokens: 20 },
})

async function run(
  fake: FakeUpstreamOptions,
  provider: OpenAICompatibleOptions,
  lines: number,
  runner: Parameters<typeof createBatchEngine>[0]['runner'] = {},
): Promise<{ engine: BatchEngine; batch: BatchObject; upstream: FakeUpstream; seconds: number }> {
  upstream = await startFakeUpstream({ requireKey: KEY, seed: 5, ...fake })
  const engine = createBatchEngine({
    store: memoryStore(),
    providers: [openaiCompatible({ baseURL: upstream.url, concurrency: 16, ...provider })],
    secret: 'pacing-test-secret-0123',
    runner,
  })
  loop = startRunnerLoop(engine.runner, { idleMs: 20 })
  const file = await uploadLines(
    engine,
    scope,
    Array.from({ length: lines }, (_, i) => chat(i + 1)),
  )
  const started = Date.now()
  const created = await engine.batches.create(
    scope,
    { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' },
    { credential: KEY },
  )
  let batch = created
  while (!['completed', 'failed', 'expired', 'cancelled'].includes(batch.status)) {
    await new Promise((r) => setTimeout(r, 50))
    batch = await engine.batches.get(scope, created.id)
  }
  return { engine, batch, upstream, seconds: (Date.now() - started) / 1000 }
}

/**
 * Requests per minute the upstream answered 200 in the steady state: the last `windowMs` of the run,
 * long after the start-up burst that the upstream's initially full bucket allows.
 */
function sustainedRpm(fake: FakeUpstream, windowMs: number): { rpm: number; windowSeconds: number } {
  const ok = fake.calls.filter((c) => c.status === 200).map((c) => c.at)
  const last = Math.max(...ok)
  const counted = ok.filter((at) => at > last - windowMs).length
  return { rpm: (counted / windowMs) * 60_000, windowSeconds: windowMs / 1000 }
}

const limited = (fake: FakeUpstream): number => fake.calls.filter((c) => c.status === 429).length

describe('emulated pacing against a rate-limited upstream', () => {
  const R = 1200 // requests per minute: 20 per second

  it('sustains ≥ 95% of a configured RPM with < 1% of calls answered 429', async () => {
    const { batch, upstream, seconds } = await run({ rpm: R, latencyMs: 20 }, { rpm: R }, 240)
    expect(batch.request_counts).toEqual({ total: 240, completed: 240, failed: 0 })
    const { rpm, windowSeconds } = sustainedRpm(upstream, 8_000)
    const ratio = limited(upstream) / upstream.calls.length
    console.info(
      `[pacing] configured rpm=${R}: sustained ${rpm.toFixed(0)} rpm over ${windowSeconds.toFixed(1)} s ` +
        `(${((rpm / R) * 100).toFixed(1)}%), 429s ${limited(upstream)}/${upstream.calls.length}, batch ${seconds.toFixed(1)} s`,
    )
    expect(rpm).toBeGreaterThanOrEqual(0.95 * R)
    expect(rpm).toBeLessThanOrEqual(1.05 * R)
    expect(ratio).toBeLessThan(0.01)
  }, 60_000)

  it('learns the limit from the rate-limit headers alone: ≥ 95% of it, < 1% 429s', async () => {
    // The upstream's bucket starts full (a minute's worth), as OpenAI's does: batchkit spends it at full
    // speed (~3 s), then paces; the last 6 s measure the steady state.
    const lines = R + 320
    const { batch, upstream, seconds, engine } = await run({ rpm: R, latencyMs: 20 }, {}, lines)
    expect(batch.request_counts).toEqual({ total: lines, completed: lines, failed: 0 })
    const { rpm, windowSeconds } = sustainedRpm(upstream, 6_000)
    const ratio = limited(upstream) / upstream.calls.length
    const provider = engine.providers.get('openai') as ReturnType<typeof openaiCompatible>
    const learned = (await provider.pacers.get(KEY)).stats().learned
    console.info(
      `[pacing] discovered (no rpm configured, upstream ${R}): sustained ${rpm.toFixed(0)} rpm over ` +
        `${windowSeconds.toFixed(1)} s (${((rpm / R) * 100).toFixed(1)}%), learned ${learned.requestsPerMinute} rpm, ` +
        `429s ${limited(upstream)}/${upstream.calls.length}, batch ${seconds.toFixed(1)} s`,
    )
    expect(rpm).toBeGreaterThanOrEqual(0.95 * R)
    expect(rpm).toBeLessThanOrEqual(1.05 * R)
    expect(ratio).toBeLessThan(0.01)
    expect(learned.requestsPerMinute).toBeGreaterThan(0.95 * R)
  }, 60_000)
})

describe('emulated pacing that hands lines back', () => {
  it('completes every line although most wait for capacity longer than maxWaitMs, with one attempt each', async () => {
    // 20 requests/s and 60 lines: most lines are handed back unsent, some several times; none of that
    // may use up their single attempt.
    const { batch, upstream } = await run(
      { rpm: 1200, latencyMs: 5 },
      { rpm: 1200, maxAttempts: 1, pacing: { maxWaitMs: 100 } },
      60,
    )
    expect(batch.request_counts).toEqual({ total: 60, completed: 60, failed: 0 })
    expect(upstream.calls.filter((c) => c.status === 200)).toHaveLength(60)
  }, 60_000)
})

describe('emulated pacing when the upstream sends no rate-limit headers', () => {
  it('finds the limit from 429s alone and keeps them rare', async () => {
    const R = 1200
    const lines = R + 300
    const { batch, upstream, engine, seconds } = await run(
      { rpm: R, latencyMs: 20, rateLimitHeaders: false },
      { maxAttempts: 10 },
      lines,
    )
    expect(batch.request_counts).toEqual({ total: lines, completed: lines, failed: 0 })
    const { rpm } = sustainedRpm(upstream, 8_000)
    const provider = engine.providers.get('openai') as ReturnType<typeof openaiCompatible>
    const learned = (await provider.pacers.get(KEY)).stats().learned
    const ratio = limited(upstream) / upstream.calls.length
    const last = Math.max(...upstream.calls.map((c) => c.at))
    const steady = upstream.calls.filter((c) => c.at > last - 8_000)
    const steadyRatio = steady.filter((c) => c.status === 429).length / steady.length
    console.info(
      `[pacing] 429s only (upstream ${R} rpm, no headers): sustained ${rpm.toFixed(0)} rpm (${((rpm / R) * 100).toFixed(1)}%), ` +
        `adaptive ${learned.adaptivePerMinute} rpm, 429s ${limited(upstream)}/${upstream.calls.length} (${(ratio * 100).toFixed(1)}%; ${(steadyRatio * 100).toFixed(1)}% in the last 8 s), batch ${seconds.toFixed(1)} s`,
    )
    expect(ratio).toBeLessThan(0.1)
    expect(steadyRatio).toBeLessThan(0.03)
    expect(rpm).toBeGreaterThanOrEqual(0.85 * R)
  }, 60_000)
})

describe('emulated retries under injected faults', () => {
  it('ends every line exactly once (succeeded, or failed after its attempts) with 20% 5xx and 5% timeouts', async () => {
    const lines = 300
    const { batch, upstream, engine } = await run(
      { failures: { status500: 0.2, timeout: 0.05 } },
      // A timed-out call the upstream still answered 200 would be spent twice: the client timeout is
      // far above any answer time on a loaded machine (the fake's timeout fault never answers).
      { timeoutMs: 2_000, maxAttempts: 2 },
      lines,
      { backoff: { baseMs: 5, maxMs: 20 } },
    )
    expect(batch.status).toBe('completed')
    const counts = batch.request_counts!
    expect(counts.total).toBe(lines)
    const output = batch.output_file_id ? await fileLines(engine, scope, batch.output_file_id) : []
    const errors = batch.error_file_id ? await fileLines(engine, scope, batch.error_file_id) : []
    expect(output).toHaveLength(counts.completed)
    expect(errors).toHaveLength(counts.failed)
    expect(counts.failed).toBeGreaterThan(0)
    const ids = [...output, ...errors].map((l) => l.custom_id)
    expect(new Set(ids).size).toBe(lines)
    const stats = upstream.stats()
    expect(stats.duplicateSuccesses).toBe(0)
    expect(stats.succeededKeys).toBe(counts.completed)
    // Every failed line got all its attempts, and its last one was a 500 or a timeout.
    const attempts = new Map<string, number>()
    for (const call of upstream.calls) {
      if (call.idempotencyKey) attempts.set(call.idempotencyKey, (attempts.get(call.idempotencyKey) ?? 0) + 1)
    }
    for (const line of errors) {
      const key = `${batch.id}-${String(line.id)}`
      expect(attempts.get(key)).toBe(2)
      const status = (line.response as { status_code?: number } | null)?.status_code
      const code = (line.error as { code?: string } | null)?.code
      expect(status === 500 || code === 'request_timeout').toBe(true)
    }
    // Usage is summed once: the batch's total equals the sum over the output file.
    const summed = output.reduce(
      (n, l) =>
        n + ((l.response as { body: { usage: { total_tokens: number } } }).body.usage.total_tokens ?? 0),
      0,
    )
    expect(batch.usage?.total_tokens).toBe(summed)
    console.info(
      `[faults] ${lines} lines, 20% 5xx + 5% timeouts, 2 attempts: ${counts.completed} succeeded, ${counts.failed} failed, ` +
        `${stats.total} calls, duplicate successes ${stats.duplicateSuccesses}`,
    )
  }, 60_000)
})

describe('emulated pacing when the per-minute limit is enforced per second (headers per minute)', () => {
  /** 429s and 200s per second in the second half of the calls' span: the converged state. */
  function secondHalf(fake: FakeUpstream): { limitedRatio: number; okPerSecond: number } {
    const at = fake.calls.map((c) => c.at)
    const first = Math.min(...at)
    const last = Math.max(...at)
    const middle = (first + last) / 2
    const half = fake.calls.filter((c) => c.at >= middle)
    return {
      limitedRatio: half.filter((c) => c.status === 429).length / half.length,
      okPerSecond: half.filter((c) => c.status === 200).length / ((last - middle) / 1000),
    }
  }

  it('trusts the 429s over the headers: < 3% 429s once converged, ≥ 90% of the enforced rate', async () => {
    const R = 1200 // enforced as 20 per second; headers promise the rest of the minute
    const lines = 200
    const { batch, upstream, engine, seconds } = await run(
      { rpm: R, latencyMs: 20, quantized: true },
      {},
      lines,
    )
    expect(batch.request_counts).toEqual({ total: lines, completed: lines, failed: 0 })
    const { limitedRatio, okPerSecond } = secondHalf(upstream)
    const provider = engine.providers.get('openai') as ReturnType<typeof openaiCompatible>
    const learned = (await provider.pacers.get(KEY)).stats().learned
    console.info(
      `[pacing] quantized (${R} rpm as ${R / 60}/s, headers per minute): 429s ${limited(upstream)}/${upstream.calls.length} ` +
        `(${((limited(upstream) / upstream.calls.length) * 100).toFixed(1)}%; ${(limitedRatio * 100).toFixed(1)}% in the second half), ` +
        `${okPerSecond.toFixed(1)}/s in the second half (${((okPerSecond / (R / 60)) * 100).toFixed(1)}%), ` +
        `smoothed fraction ${learned.smoothedFraction}, batch ${seconds.toFixed(1)} s`,
    )
    expect(learned.smoothedFraction).toBeDefined()
    expect(limitedRatio).toBeLessThan(0.03)
    expect(okPerSecond).toBeGreaterThanOrEqual(0.9 * (R / 60))
    expect(okPerSecond).toBeLessThanOrEqual(1.05 * (R / 60))
  }, 60_000)

  it('three pacers on one key with pacing.share = 1/3: few 429s, together near the limit', async () => {
    const R = 1200
    const workers = 3
    const perWorker = 80
    upstream = await startFakeUpstream({ requireKey: KEY, rpm: R, latencyMs: 20, quantized: true })
    const loops: RunnerLoop[] = []
    try {
      const batches = await Promise.all(
        Array.from({ length: workers }, async (_, w) => {
          const engine = createBatchEngine({
            store: memoryStore(),
            providers: [
              openaiCompatible({
                baseURL: upstream?.url,
                concurrency: 16,
                pacing: { share: 1 / workers },
              }),
            ],
            secret: 'pacing-test-secret-0123',
          })
          loops.push(startRunnerLoop(engine.runner, { idleMs: 20 }))
          const file = await uploadLines(
            engine,
            scope,
            Array.from({ length: perWorker }, (_, i) => chat(w * perWorker + i + 1)),
          )
          const created = await engine.batches.create(
            scope,
            { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' },
            { credential: KEY },
          )
          let batch = created
          while (!['completed', 'failed', 'expired', 'cancelled'].includes(batch.status)) {
            await new Promise((r) => setTimeout(r, 50))
            batch = await engine.batches.get(scope, created.id)
          }
          return batch
        }),
      )
      for (const batch of batches)
        expect(batch.request_counts).toEqual({ total: perWorker, completed: perWorker, failed: 0 })
      const calls = upstream.calls
      const ratio = limited(upstream) / calls.length
      // Together, while all three still have lines: from the middle of the run to the first one's end.
      const ofBatch = (c: RecordedCall, id: string): boolean =>
        c.idempotencyKey?.startsWith(`${id}-`) === true
      const ends = batches.map((b) => Math.max(...calls.filter((c) => ofBatch(c, b.id)).map((c) => c.at)))
      const first = Math.min(...calls.map((c) => c.at))
      const end = Math.min(...ends)
      const start = (first + end) / 2
      const window = calls.filter((c) => c.at >= start && c.at <= end)
      const limitedRatio = window.filter((c) => c.status === 429).length / window.length
      const okPerSecond = window.filter((c) => c.status === 200).length / ((end - start) / 1000)
      console.info(
        `[pacing] ${workers} pacers, share 1/${workers}, quantized ${R} rpm: 429s ${limited(upstream)}/${calls.length} ` +
          `(${(ratio * 100).toFixed(1)}%, the start-up burst; ${(limitedRatio * 100).toFixed(1)}% from the middle of the run ` +
          `until the first pacer ran out of lines), together ${okPerSecond.toFixed(1)}/s there (${((okPerSecond / (R / 60)) * 100).toFixed(1)}%)`,
      )
      expect(limitedRatio).toBeLessThan(0.03)
      expect(okPerSecond).toBeGreaterThanOrEqual(0.85 * (R / 60))
      expect(okPerSecond).toBeLessThanOrEqual(1.05 * (R / 60))
    } finally {
      await Promise.all(loops.map((l) => l.stop()))
    }
  }, 60_000)
})
