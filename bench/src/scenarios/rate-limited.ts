/**
 * Scenario 3 — rate-limited. A fake upstream enforcing R requests/min and a token limit with OpenAI's
 * `x-ratelimit-*` headers and 429s. The provider is told the limits (`openaiCompatible({ rpm, tpm })`).
 * The upstream's per-minute buckets are drained first down to a few seconds of headroom, as for a key
 * that was already in use, so the minute's burst cannot hide a missing pacer. Ceiling: R itself.
 */
import { join } from 'node:path'
import { type OpenAICompatibleOptions, openaiCompatible } from '@batchkit/provider-openai'
import { fetchLoop } from '../lib/ceiling.ts'
import type { Scenario } from '../lib/context.ts'
import { runBatch } from '../lib/engine-run.ts'
import { chatBodies, writeJsonl } from '../lib/jsonl.ts'
import { atLeast, fmtMs, fmtRate, type Row } from '../lib/report.ts'
import { openStore } from '../lib/stores.ts'
import { startUpstream } from '../lib/upstream.ts'

const rpm = Number(process.env.BENCH_S3_RPM ?? 1_200)
const seconds = Number(process.env.BENCH_S3_SECONDS ?? 30)
const lines = Math.round((rpm * seconds) / 60)
const bodyChars = 150
/** Requests left in the upstream's bucket when the batch starts (3 s of R). */
const headroom = Math.round((rpm / 60) * 3)
/** Tokens a line costs at the fake upstream: ⌈body bytes / 4⌉ + max_tokens (64). */
const costOf = (body: string): number => Math.ceil(Buffer.byteLength(body) / 4) + 64
const rateTarget = 0.95
const max429 = 0.01

const scenario: Scenario = async (ctx) => {
  const inputPath = join(ctx.tmp, `s3-${lines}.jsonl`)
  await writeJsonl(inputPath, lines, bodyChars)
  const bodies = chatBodies(lines, bodyChars)
  const cost = Math.max(...bodies.map(costOf))
  // Tokens bind at 1.1 × R requests: both limits matter, requests first.
  const tpm = Math.ceil(rpm * cost * 1.1)
  const upstream = await startUpstream({ rpm, tpm })
  try {
    // A wider options object: without issue 4's pacer, `rpm`/`tpm` are ignored, not a type error.
    const options: OpenAICompatibleOptions & { rpm?: number; tpm?: number } = {
      name: 'upstream',
      baseURL: upstream.url,
      concurrency: 64,
      apiKey: 'sk-bench',
      rpm,
      tpm,
    }
    const provider = openaiCompatible(options)
    await upstream.reset()
    const drain = bodies.slice(0, rpm - headroom)
    while (drain.length < rpm - headroom) drain.push(bodies[0]!)
    await fetchLoop({ url: `${upstream.url}/chat/completions`, bodies: drain, concurrency: 64 })
    const before = await upstream.stats()
    const kit = await openStore('memory')
    const run = await runBatch({ store: kit.store, provider, inputPath })
    await kit.close()
    const after = await upstream.stats()
    const status = (code: string): number => (after.byStatus[code] ?? 0) - (before.byStatus[code] ?? 0)
    const calls = after.total - before.total
    const ok = status('200')
    const limited = status('429')
    const completed = run.batch.request_counts.completed
    const rate = (completed / run.ms) * 60_000
    const ratio = rate / rpm
    const share = calls > 0 ? limited / calls : 0
    ctx.log(
      `${completed}/${lines} completed in ${fmtMs(run.ms)} = ${rate.toFixed(0)}/min; calls ${calls}, 200: ${ok}, 429: ${limited}`,
    )
    const raw = {
      rpm,
      tpm,
      lines,
      headroom,
      ms: run.ms,
      calls,
      ok,
      limited,
      completed,
      failed: run.batch.request_counts.failed,
    }
    const failed = run.batch.request_counts.failed
    const rows: Row[] = [
      {
        scenario: '3. Rate-limited',
        metric: `sustained rate (R = ${rpm}/min)`,
        baseline: fmtRate(rpm / 60, 'req'),
        batchkit: fmtRate(rate / 60, 'req'),
        ratio,
        target: `≥ ${rateTarget}`,
        status: failed > 0 ? 'MISS' : atLeast(ratio, rateTarget),
        raw,
        ...(failed > 0
          ? {
              note: `${failed} of ${lines} lines failed after exhausting their attempts on 429s (the rate counts only completed lines): the provider does not pace its calls to the limit.`,
            }
          : {}),
      },
      {
        scenario: '3. Rate-limited',
        metric: 'calls answered 429',
        baseline: '—',
        batchkit: `${limited} of ${calls} (${(share * 100).toFixed(1)}%)`,
        ratio: null,
        target: '< 1%',
        status: share < max429 ? 'PASS' : 'MISS',
      },
    ]
    return rows
  } finally {
    await upstream.close()
  }
}

export default scenario
