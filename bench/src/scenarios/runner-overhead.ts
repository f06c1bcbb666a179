/**
 * Scenario 1 — runner overhead. 20,000 lines against a zero-latency fake upstream (own process) at
 * concurrency 64, from `batches.create` to `completed`, against a plain concurrency-limited fetch loop
 * sending the same bodies with the same headers to the same upstream.
 */
import { join } from 'node:path'
import { openaiCompatible } from '@batchkit/provider-openai'
import { fetchLoop } from '../lib/ceiling.ts'
import { best, type Scenario } from '../lib/context.ts'
import { runBatch } from '../lib/engine-run.ts'
import { chatBodies, writeJsonl } from '../lib/jsonl.ts'
import { atLeast, fmtMs, fmtRate, type Row } from '../lib/report.ts'
import { openStore, type StoreKind, storeUnavailable } from '../lib/stores.ts'
import { startUpstream } from '../lib/upstream.ts'

const lines = Number(process.env.BENCH_S1_LINES ?? 20_000)
const concurrency = 64
const bodyChars = 150
const reps = Number(process.env.BENCH_REPS ?? 2)
const targets: Record<StoreKind, number> = { memory: 0.85, postgres: 0.6 }

const scenario: Scenario = async (ctx) => {
  const inputPath = join(ctx.tmp, `s1-${lines}.jsonl`)
  const warmPath = join(ctx.tmp, 's1-warm.jsonl')
  await writeJsonl(inputPath, lines, bodyChars)
  await writeJsonl(warmPath, 2_000, bodyChars)
  const bodies = chatBodies(lines, bodyChars)
  const upstream = await startUpstream()
  const url = `${upstream.url}/chat/completions`
  const provider = openaiCompatible({
    name: 'upstream',
    baseURL: upstream.url,
    concurrency,
    apiKey: 'sk-bench',
  })
  // The same headers the provider sends: auth, accept, a per-line idempotency key.
  const headers = (i: number) => ({
    accept: 'application/json',
    authorization: 'Bearer sk-bench',
    'idempotency-key': `batch_bench-batch_req_${i}`,
  })
  const loop = (n: number) => fetchLoop({ url, bodies: bodies.slice(0, n), concurrency, headers: headers(n) })
  try {
    ctx.log('warm-up')
    await loop(2_000)
    await runBatch({ store: (await openStore('memory')).store, provider, inputPath: warmPath })

    const ceilings: number[] = []
    const ceilingCpu: number[] = []
    const runs: Record<StoreKind, number[]> = { memory: [], postgres: [] }
    const cpu: Record<StoreKind, number[]> = { memory: [], postgres: [] }
    const phases: Record<string, unknown>[] = []
    const kinds: StoreKind[] = ['memory', 'postgres']
    for (let rep = 0; rep < reps; rep++) {
      const ceiling = await loop(lines)
      ceilings.push(ceiling.ms)
      ceilingCpu.push(ceiling.cpuMs)
      ctx.log(`fetch loop: ${fmtMs(ceiling.ms)}, cpu ${fmtMs(ceiling.cpuMs)} (${ceiling.failed} failed)`)
      for (const kind of kinds) {
        if (await storeUnavailable(kind)) continue
        const kit = await openStore(kind)
        try {
          const run = await runBatch({ store: kit.store, provider, inputPath })
          const counts = run.batch.request_counts
          if (counts.completed !== lines) throw new Error(`${kind}: ${counts.completed}/${lines} completed`)
          runs[kind].push(run.ms)
          cpu[kind].push(run.cpuMs)
          phases.push({ kind, ...run.phases, ms: run.ms })
          ctx.log(
            `${kind}: ${fmtMs(run.ms)}, cpu ${fmtMs(run.cpuMs)} (validate ${fmtMs(run.phases.validateMs)}, execute ${fmtMs(run.phases.executeMs)}, finalize ${fmtMs(run.phases.finalizeMs)})`,
          )
        } finally {
          await kit.close()
        }
      }
    }
    const ceilingMs = best(ceilings)
    const pendings = await Promise.all(kinds.map((kind) => storeUnavailable(kind)))
    return kinds.map((kind, k): Row => {
      const pending = pendings[k]
      const target = `≥ ${targets[kind]}`
      const metric = `throughput, ${kind} store`
      if (pending) {
        return {
          scenario: '1. Runner overhead',
          metric,
          baseline: fmtRate((lines / ceilingMs) * 1000, 'lines'),
          batchkit: '—',
          ratio: null,
          target,
          status: 'pending',
          note: `Postgres store not measured: ${pending}.`,
        }
      }
      const ms = best(runs[kind])
      const ratio = ceilingMs / ms
      const cpuRatio = best(ceilingCpu) / best(cpu[kind])
      return {
        scenario: '1. Runner overhead',
        metric,
        baseline: fmtRate((lines / ceilingMs) * 1000, 'lines'),
        batchkit: fmtRate((lines / ms) * 1000, 'lines'),
        ratio,
        target,
        status: atLeast(ratio, targets[kind]),
        note: `${kind}: best of ${reps} runs each, alternating with the fetch loop. By CPU time of the client process (less shaken by other load on the machine), batchkit/ceiling is ${cpuRatio.toFixed(2)}.`,
        raw: {
          lines,
          concurrency,
          ceilingMs: ceilings,
          ceilingCpuMs: ceilingCpu,
          batchkitMs: runs[kind],
          batchkitCpuMs: cpu[kind],
          cpuRatio,
          phases: phases.filter((p) => p.kind === kind),
        },
      }
    })
  } finally {
    await upstream.close()
  }
}

export default scenario
