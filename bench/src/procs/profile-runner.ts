/**
 * Runs scenario 1's batchkit side alone (no ceiling), for profiling the runner:
 * `node --cpu-prof --cpu-prof-dir=/tmp/prof --conditions=source --import tsx src/procs/profile-runner.ts`
 * Env: BENCH_STORE (memory|postgres), BENCH_LINES (default 20000), BENCH_CONCURRENCY (64), BENCH_LATENCY (0),
 * BENCH_CEILING=1 to profile the plain fetch loop instead.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openaiCompatible } from '@batchkit/provider-openai'
import { fetchLoop } from '../lib/ceiling.ts'
import { runBatch } from '../lib/engine-run.ts'
import { chatBodies, writeJsonl } from '../lib/jsonl.ts'
import { fmtMs } from '../lib/report.ts'
import { openStore, type StoreKind } from '../lib/stores.ts'
import { startUpstream } from '../lib/upstream.ts'

const lines = Number(process.env.BENCH_LINES ?? 20_000)
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 64)
const kind = (process.env.BENCH_STORE ?? 'memory') as StoreKind
const tmp = await mkdtemp(join(tmpdir(), 'batchkit-profile-'))
const inputPath = join(tmp, 'in.jsonl')
await writeJsonl(inputPath, lines, 150)
const upstream = await startUpstream({ latencyMs: Number(process.env.BENCH_LATENCY ?? 0) })
const provider = openaiCompatible({
  name: 'upstream',
  baseURL: upstream.url,
  concurrency,
  apiKey: 'sk-bench',
})
try {
  if (process.env.BENCH_CEILING === '1') {
    const bodies = chatBodies(lines, 150)
    const headers = { accept: 'application/json', authorization: 'Bearer sk-bench', 'idempotency-key': 'k' }
    const url = `${upstream.url}/chat/completions`
    const run = await fetchLoop({ url, bodies, concurrency, headers })
    console.log(
      `fetch loop: ${fmtMs(run.ms)} = ${Math.round((lines / run.ms) * 1000)} lines/s, cpu ${fmtMs(run.cpuMs)}`,
    )
  } else
    for (let rep = 0; rep < Number(process.env.BENCH_REPS ?? 1); rep++) {
      const kit = await openStore(kind)
      const run = await runBatch({ store: kit.store, provider, inputPath })
      await kit.close()
      const rate = Math.round((lines / run.ms) * 1000)
      console.log(
        `${kind}: ${fmtMs(run.ms)} = ${rate} lines/s, cpu ${fmtMs(run.cpuMs)} (validate ${fmtMs(run.phases.validateMs)}, execute ${fmtMs(run.phases.executeMs)}, finalize ${fmtMs(run.phases.finalizeMs)})`,
      )
    }
} finally {
  await upstream.close()
  await rm(tmp, { recursive: true, force: true })
}
