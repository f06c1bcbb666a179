/**
 * Scenario 2 — latency-bound. 5,000 lines against a fake upstream answering after 200 ms, at concurrency
 * 100. Ceiling: lines × latency / concurrency (10 s), the time a perfect scheduler needs.
 */
import { join } from 'node:path'
import { openaiCompatible } from '@batchkit/provider-openai'
import { best, type Scenario } from '../lib/context.ts'
import { runBatch } from '../lib/engine-run.ts'
import { writeJsonl } from '../lib/jsonl.ts'
import { atLeast, fmtMs, fmtRate } from '../lib/report.ts'
import { openStore } from '../lib/stores.ts'
import { startUpstream } from '../lib/upstream.ts'

const lines = 5_000
const latencyMs = 200
const concurrency = 100
const target = 0.95

const scenario: Scenario = async (ctx) => {
  const inputPath = join(ctx.tmp, `s2-${lines}.jsonl`)
  await writeJsonl(inputPath, lines, 150)
  const upstream = await startUpstream({ latencyMs })
  const provider = openaiCompatible({
    name: 'upstream',
    baseURL: upstream.url,
    concurrency,
    apiKey: 'sk-bench',
  })
  try {
    const ceilingMs = (lines * latencyMs) / concurrency
    const runs: number[] = []
    const phases: unknown[] = []
    for (let rep = 0; rep < Number(process.env.BENCH_REPS ?? 2); rep++) {
      const kit = await openStore('memory')
      const run = await runBatch({ store: kit.store, provider, inputPath })
      await kit.close()
      if (run.batch.request_counts.completed !== lines) throw new Error('not every line completed')
      runs.push(run.ms)
      phases.push(run.phases)
      ctx.log(
        `memory: ${fmtMs(run.ms)} (validate ${fmtMs(run.phases.validateMs)}, execute ${fmtMs(run.phases.executeMs)}, finalize ${fmtMs(run.phases.finalizeMs)})`,
      )
    }
    const ms = best(runs)
    const ratio = ceilingMs / ms
    return [
      {
        scenario: '2. Latency-bound',
        metric: 'throughput, memory store',
        baseline: fmtRate((lines / ceilingMs) * 1000, 'lines'),
        batchkit: fmtRate((lines / ms) * 1000, 'lines'),
        ratio,
        target: `≥ ${target}`,
        status: atLeast(ratio, target),
        raw: { lines, latencyMs, concurrency, ceilingMs, batchkitMs: runs, phases },
      },
    ]
  } finally {
    await upstream.close()
  }
}

export default scenario
