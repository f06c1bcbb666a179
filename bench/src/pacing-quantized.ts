/**
 * Pacing under a quantized limit: the fake upstream enforces `rpm` as `rpm / 60` per second while its
 * `x-ratelimit-*` headers speak per minute. N pacers (one per simulated worker process, each with
 * `share: 1 / N`) send calls for a few seconds; prints the fraction of 429s and the throughput as a
 * ratio of the enforced rate, over the whole run and after the first second (steady state).
 *
 *   pnpm --filter @batchkit/bench exec node --conditions=source --import tsx src/pacing-quantized.ts
 *
 * Env: RPM (default 6000), SECONDS (6), WORKERS (1), CONCURRENCY (8 per worker), WINDOW_MS (1000).
 */
// The pacer is internal to the provider (not exported): measured directly.

import { startFakeUpstream } from '@batchkit/testing/fake-upstream'
import { Pacer } from '../../packages/provider-openai/src/pacing/pacer.ts'

const num = (name: string, fallback: number): number => Number(process.env[name] ?? fallback)
const rpm = num('RPM', 6_000)
const seconds = num('SECONDS', 6)
const workers = num('WORKERS', 1)
const concurrency = num('CONCURRENCY', 8)
const windowMs = num('WINDOW_MS', 1_000)

const upstream = await startFakeUpstream({ rpm, quantizedWindowMs: windowMs, record: false })
const url = `${upstream.url}/chat/completions`
const body = JSON.stringify({ model: 'fake', messages: [{ role: 'user', content: 'hi' }] })
const start = Date.now()
const end = start + seconds * 1_000
const warm = start + 1_000
const calls: { at: number; status: number }[] = []

async function loop(pacer: Pacer): Promise<void> {
  while (Date.now() < end) {
    const admission = await pacer.acquire(1, { deadline: end })
    if (!admission.ok) return
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    await res.arrayBuffer()
    const retryAfterMs = Number(res.headers.get('retry-after-ms') ?? Number.NaN)
    calls.push({ at: Date.now(), status: res.status })
    pacer.settle(admission.permit, {
      status: res.status,
      headers: res.headers,
      ...(Number.isFinite(retryAfterMs) ? { retryAfterMs } : {}),
    })
  }
}

const pacers = Array.from({ length: workers }, () => new Pacer({ share: 1 / workers }))
await Promise.all(pacers.flatMap((pacer) => Array.from({ length: concurrency }, () => loop(pacer))))
await upstream.close()

const summary = (from: number) => {
  const seen = calls.filter((c) => c.at >= from && c.at < end)
  const ok = seen.filter((c) => c.status === 200).length
  const limited = seen.filter((c) => c.status === 429).length
  const enforced = (rpm / 60_000) * (end - from)
  return {
    calls: seen.length,
    rate429: Number((limited / Math.max(1, seen.length)).toFixed(4)),
    throughputRatio: Number((ok / enforced).toFixed(3)),
  }
}
console.log(
  JSON.stringify(
    {
      rpm,
      enforcedPerSecond: (rpm * windowMs) / 60_000,
      workers,
      concurrency,
      seconds,
      whole: summary(start),
      steady: summary(warm),
      learned: pacers.map((p) => p.stats().learned),
    },
    null,
    2,
  ),
)
