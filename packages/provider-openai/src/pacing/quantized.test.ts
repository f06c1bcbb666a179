import { startFakeUpstream } from '@batchkit/testing/fake-upstream'
import { describe, expect, it } from 'vitest'
import { Pacer } from './pacer.ts'

/**
 * Real HTTP against the fake upstream's quantized dialect: 2,400 rpm enforced as 40 per second while
 * the headers speak per minute. Bounds are tolerant (the machine is shared); the figures in
 * docs/providers.md come from bench/src/pacing-quantized.ts.
 */
async function drive(workers: number, seconds: number) {
  const rpm = 2_400
  const upstream = await startFakeUpstream({ rpm, quantizedWindowMs: 1_000, record: false })
  const url = `${upstream.url}/chat/completions`
  const body = JSON.stringify({ model: 'fake', messages: [{ role: 'user', content: 'hi' }] })
  const start = Date.now()
  const end = start + seconds * 1_000
  const calls: { at: number; status: number }[] = []
  const loop = async (pacer: Pacer): Promise<void> => {
    while (Date.now() < end) {
      const admission = await pacer.acquire(1, { deadline: end })
      if (!admission.ok) return
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
      await res.arrayBuffer()
      calls.push({ at: Date.now(), status: res.status })
      const retryAfterMs = Number(res.headers.get('retry-after-ms') ?? Number.NaN)
      pacer.settle(admission.permit, {
        status: res.status,
        headers: res.headers,
        ...(Number.isFinite(retryAfterMs) ? { retryAfterMs } : {}),
      })
    }
  }
  try {
    const pacers = Array.from({ length: workers }, () => new Pacer({ share: 1 / workers }))
    await Promise.all(pacers.flatMap((pacer) => Array.from({ length: 8 }, () => loop(pacer))))
  } finally {
    await upstream.close()
  }
  const summary = (from: number) => {
    const seen = calls.filter((c) => c.at >= from && c.at < end)
    const ok = seen.filter((c) => c.status === 200).length
    return {
      rate429: seen.filter((c) => c.status === 429).length / Math.max(1, seen.length),
      throughput: ok / ((rpm / 60_000) * (end - from)),
    }
  }
  return { whole: summary(start), steady: summary(start + 1_000) }
}

describe('Pacer against a quantized limit (per-minute headers, per-second enforcement)', () => {
  it('trusts the 429s: few 429s at near the enforced rate', async () => {
    const { whole, steady } = await drive(1, 4)
    expect(whole.rate429).toBeLessThan(0.15) // the warm-up: about one 429 per call in flight
    expect(steady.rate429).toBeLessThan(0.1) // main: 0.14-0.29; bench: 0.00
    expect(steady.throughput).toBeGreaterThan(0.7)
    expect(steady.throughput).toBeLessThan(1.05)
  }, 20_000)

  it('two pacers with share 1/2 on one key stay under the limit together', async () => {
    const { whole, steady } = await drive(2, 4)
    expect(whole.rate429).toBeLessThan(0.15) // the warm-up: about one 429 per call in flight
    expect(steady.rate429).toBeLessThan(0.1) // main: 0.14-0.29; bench: 0.00
    expect(steady.throughput).toBeGreaterThan(0.7)
    expect(steady.throughput).toBeLessThan(1.05)
  }, 20_000)
})
